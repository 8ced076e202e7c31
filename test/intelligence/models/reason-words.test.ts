import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reasonsText, topReasons } from '../../../src/intelligence/models/explain.ts';
import { daysInWords, minutesInWords, phraseFeature } from '../../../src/intelligence/models/reason-words.ts';
import { predictPrior, priors } from '../../../src/intelligence/models/builtin-priors.ts';

test('minutes and days in words: rounded to the unit a person uses', () => {
  const minutes: Array<[number, string]> = [[0.4, 'under a minute'], [1, '1 minute'], [14.6, '15 minutes'], [59, '59 minutes'], [60, '1 hour'], [1197, '20 hours'], [2879, '48 hours'], [2880, '2 days'], [4000, '3 days']];
  for (const [m, want] of minutes) assert.equal(minutesInWords(m), want, `${m} minutes`);
  const days: Array<[number, string]> = [[0.3, 'under a day'], [1, '1 day'], [12.4, '12 days'], [59, '59 days'], [95, '3 months'], [400, '13 months'], [800, '2 years'], [1000, '2.5 years']];
  for (const [d, want] of days) assert.equal(daysInWords(d), want, `${d} days`);
});

test('each built-in feature reads as a phrase, with units, blanks included', () => {
  const cases: Array<[string, string | number | boolean | null, string]> = [
    ['response_minutes', 1197, 'waited 20 hours for an answer'],
    ['response_minutes', 4, 'waited 4 minutes for an answer'],
    ['source', 'google_ads', 'came from google ads'],
    ['source', null, 'source not known'],
    ['channel', 'sms', 'got in touch by text'],
    ['service_type', 'water_heater', 'asked about water heater'],
    ['urgency', 'emergency', 'an emergency'],
    ['urgency', 'routine', 'routine urgency'],
    ['local_hour', 15, 'got in touch at 3 pm'],
    ['local_hour', 0, 'got in touch at 12 am'],
    ['after_hours', true, 'got in touch after hours'],
    ['after_hours', false, 'got in touch during business hours'],
    ['new_contact', true, 'new to the business'],
    ['prior_jobs', 0, 'no earlier jobs'],
    ['prior_jobs', 1, '1 earlier job'],
    ['prior_jobs', 3, '3 earlier jobs'],
    ['days_since_last_job', 400, 'last job 13 months ago'],
    ['days_since_last_job', null, 'no earlier job'],
    ['days_since_last_job', 0.2, 'last job today'],
    ['touches_last_year', 1, '1 touch in the past year'],
    ['last_review_rating', 2, 'last review 2 stars'],
    ['last_review_rating', null, 'no review yet'],
    ['jobs_completed', 1, '1 job completed'],
    ['total_spend', 12345.4, '$12,345 spent in all'],
    ['average_ticket', 410, 'average job $410'],
    ['customer_for_days', 1100, 'a customer for 3 years'],
    ['last_service_type', 'tune_up', 'last service: tune up'],
    ['inbound_contacts_last_year', 0, 'did not get in touch in the past year'],
    ['inbound_contacts_last_year', 2, 'got in touch 2 times in the past year'],
    ['amount', 5000, 'worth $5,000'],
    ['age_days', 45, 'open for 45 days'],
    ['replies_since_created', 0, 'no reply since it opened'],
    ['touches_since_created', 4, '4 touches since it opened'],
    ['days_since_last_touch', 20.5, 'last touch 21 days ago'],
    // A feature of a model trained on any CSV: its name and value as they are.
    ['monthly_charges', 20.123456, 'monthly charges is 20.12'],
    ['plan', 'Basic', 'plan is Basic'],
    ['plan', null, 'plan is blank'],
    ['autopay', true, 'autopay is yes'],
  ];
  for (const [feature, value, want] of cases) assert.equal(phraseFeature(feature, value), want, `${feature} = ${String(value)}`);
  assert.equal(phraseFeature('response_minutes', Number.NaN), 'answer time not known', 'NaN is a blank');
});

test('a trained model’s reasons and a prior’s carry the same phrases', () => {
  const features = [{ name: 'response_minutes', column: 'response_minutes', kind: 'numeric' as const }, { name: 'after_hours', column: 'after_hours', kind: 'boolean' as const }, { name: 'source', column: 'source', kind: 'categorical' as const, categories: ['website', 'referral'] }];
  const reasons = topReasons(features, [1197, 1, 1], [-0.9, 0.3, 0.5]);
  assert.deepEqual(reasons.map((r) => r.text), ['waited 20 hours for an answer', 'came from referral', 'got in touch after hours']);
  assert.equal(reasonsText(reasons), 'raises: came from referral, got in touch after hours; lowers: waited 20 hours for an answer');
  const prior = predictPrior(priors.lead_conversion, { response_minutes: 1197, urgency: 'emergency', source: 'website', prior_jobs: 0 });
  assert.deepEqual(prior.reasons.map((r) => r.text), ['an emergency', 'waited 20 hours for an answer']);
  assert.equal(prior.text, 'raises: an emergency; lowers: waited 20 hours for an answer');
});
