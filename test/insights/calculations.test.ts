import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isBreach, formatMetric } from '../../src/insights/alerts/evaluate.ts';
import { bookedAtFirstContact, followUpCoverage, leadDecay, percentile, ratio, speedToLead } from '../../src/insights/calculations.ts';
import { toLeadFacts, type InboundTouch, type LeadFact } from '../../src/insights/lead-facts.ts';
import { leadAnswered, measureLeakRates } from '../../src/insights/leak-from-data.ts';
import { buckets } from '../../src/insights/series.ts';
import { previousPeriod, resolvePeriod } from '../../src/insights/period.ts';
import { VirtualClock } from '../../src/lib/clock.ts';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const lead = (over: Partial<LeadFact>): LeadFact => ({ contactId: 'c', at: T0, kind: 'call', answered: false, firstResponseAt: null, bookedAt: null, followUps: 0, ...over });

describe('insights calculations', () => {
  test('percentile (nearest rank)', () => {
    const cases: Array<[number[], number, number | null]> = [
      [[], 0.5, null],
      [[7], 0.9, 7],
      [[4, 1, 3, 2], 0.5, 2],
      [[4, 1, 3, 2], 0.9, 4],
      [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9, 90],
      [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.5, 50],
    ];
    for (const [values, p, want] of cases) assert.equal(percentile(values, p), want, `${values} p${p}`);
  });

  test('ratio rounds to 4 places and has no value without a denominator', () => {
    assert.equal(ratio(1, 3), 0.3333);
    assert.equal(ratio(2, 3), 0.6667);
    assert.equal(ratio(0, 0), null);
  });

  test('speed to lead ignores leads nobody answered', () => {
    const s = speedToLead([lead({ firstResponseAt: T0 + 60_000 }), lead({ firstResponseAt: T0 + 120_000 }), lead({})]);
    assert.deepEqual(s, { value: 60, medianSeconds: 60, p90Seconds: 120, responded: 2, leads: 3, notAnsweredLive: { medianSeconds: 60, p90Seconds: 120, responded: 2, leads: 3 } });
    const live = speedToLead([lead({ answered: true, firstResponseAt: T0 }), lead({ firstResponseAt: T0 + 600_000 })]);
    assert.equal(live.medianSeconds, 0);
    assert.deepEqual(live.notAnsweredLive, { medianSeconds: 600, p90Seconds: 600, responded: 1, leads: 1 });
    // The value is where speed is decided: a call picked up live does not pull it to 0 s.
    assert.equal(live.value, 600);
    const mostlyLive = speedToLead([...Array.from({ length: 5 }, () => lead({ answered: true, firstResponseAt: T0 })), lead({ firstResponseAt: T0 + 7_200_000 }), lead({})]);
    assert.equal(mostlyLive.medianSeconds, 0);
    assert.equal(mostlyLive.value, 7200);
  });

  test('lead decay thresholds are inclusive of the limit', () => {
    const d = leadDecay([lead({ firstResponseAt: T0 + 300_000 }), lead({ firstResponseAt: T0 + 301_000 }), lead({ firstResponseAt: T0 + 86_400_000, bookedAt: T0 + 90_000_000 })]);
    assert.deepEqual(d.notContacted, { within5m: 0.6667, within1h: 0.3333, within24h: 0 });
    assert.deepEqual(d.conversionByResponseTime.map((b) => [b.bucket, b.leads, b.booked]), [['0-5m', 1, 0], ['5m-1h', 1, 0], ['1h-24h', 1, 1], ['>24h', 0, 0], ['none', 0, 0]]);
  });

  test('booked at first contact means within an hour of the first response', () => {
    const cases: Array<[Partial<LeadFact>, boolean]> = [
      [{ bookedAt: null }, false],
      [{ firstResponseAt: T0 + 600_000, bookedAt: T0 + 600_000 + 3_600_000 }, true],
      [{ firstResponseAt: T0 + 600_000, bookedAt: T0 + 600_001 + 3_600_000 }, false],
      [{ firstResponseAt: null, bookedAt: T0 + 1000 }, true],
    ];
    for (const [over, want] of cases) assert.equal(bookedAtFirstContact(lead(over)), want, JSON.stringify(over));
  });

  test('follow-up coverage counts only leads not booked at first contact', () => {
    const leads = [lead({ firstResponseAt: T0, bookedAt: T0 + 60_000 }), lead({ firstResponseAt: T0, followUps: 2 }), lead({ firstResponseAt: T0, followUps: 1 }), lead({})];
    assert.deepEqual(followUpCoverage(leads, 1), { value: 0.6667, minTouches: 1, notBookedAtFirstContact: 3, covered: 2 });
    assert.equal(followUpCoverage(leads, 2).value, 0.3333);
    assert.equal(followUpCoverage([], 1).value, null);
  });

  test('leak rates measured from leads', () => {
    const leads = [
      lead({ kind: 'call', answered: true, firstResponseAt: T0, bookedAt: T0 }),
      lead({ kind: 'call', answered: true, firstResponseAt: T0, followUps: 1 }),
      lead({ kind: 'call', answered: false, firstResponseAt: T0 + 60_000 }),
      lead({ kind: 'sms', firstResponseAt: T0 + 3_600_000 }),
      lead({ kind: 'email', firstResponseAt: T0 + 2 * 86_400_000 }),
    ];
    assert.deepEqual(leads.map(leadAnswered), [true, true, false, true, false]);
    assert.deepEqual(measureLeakRates(leads, 12), { inquiriesPerMonth: 0.4, answerRate: 0.6, notBookedRate: 0.6667, followedUpRate: 0.5 });
    assert.deepEqual(measureLeakRates([], 12), {});
  });

  test('alert breach decisions and owner-readable values', () => {
    const cases: Array<['below' | 'above', number, number | null, boolean | null]> = [
      ['below', 0.8, 0.79, true],
      ['below', 0.8, 0.8, false],
      ['above', 0.1, 0.2, true],
      ['above', 0.1, 0.1, false],
      ['below', 0.8, null, null],
    ];
    for (const [comparator, threshold, value, want] of cases) assert.equal(isBreach({ comparator, threshold }, value), want);
    assert.equal(formatMetric('answerRate', 0.643), '64.3%');
    assert.equal(formatMetric('speedToLead', 45), '45 s');
    assert.equal(formatMetric('speedToLead', 900), '15 min');
    assert.equal(formatMetric('automationRevenue', 123_400), '$1,234');
    assert.equal(formatMetric('answerRate', null), 'no data');
  });

  test('periods: defaults, previous period and bad input', () => {
    const clock = new VirtualClock('2026-03-31T00:00:00Z');
    assert.deepEqual(resolvePeriod(clock, {}), { from: '2026-03-01T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z' });
    assert.deepEqual(previousPeriod({ from: '2026-03-08T00:00:00.000Z', to: '2026-03-15T00:00:00.000Z' }), { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' });
    assert.throws(() => resolvePeriod(clock, { from: '2026-03-31T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' }), /from: must be before to/);
  });

  test('buckets follow the business time zone and clip to the period', () => {
    const b = buckets({ from: '2026-03-01T12:00:00.000Z', to: '2026-03-03T06:00:00.000Z' }, 'day', 'America/Chicago');
    assert.deepEqual(b, [
      { from: '2026-03-01T12:00:00.000Z', to: '2026-03-02T06:00:00.000Z' },
      { from: '2026-03-02T06:00:00.000Z', to: '2026-03-03T06:00:00.000Z' },
    ]);
    const m = buckets({ from: '2026-01-15T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' }, 'month', 'UTC');
    assert.deepEqual(m.map((x) => x.from), ['2026-01-15T00:00:00.000Z', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z']);
  });

  test('which inbound touches are leads, and what followed them', () => {
    const H = 3_600_000;
    const touch = (over: Partial<InboundTouch>): InboundTouch => ({ contactId: 'c', at: T0, kind: 'sms', answered: false, prevTouchAt: null, nextOutAt: null, nextJobAt: null, outsInWindow: 0, ...over });
    const cases: Array<[string, Partial<InboundTouch>, Partial<LeadFact> | null]> = [
      ['first touch ever', {}, { firstResponseAt: null, bookedAt: null, followUps: 0 }],
      ['a touch 23 h after the last one continues the conversation', { prevTouchAt: T0 - 23 * H }, null],
      ['24 h of quiet makes a new lead', { prevTouchAt: T0 - 24 * H }, { firstResponseAt: null }],
      ['answered live: responded at once; every later touch is a follow-up', { kind: 'call', answered: true, nextOutAt: T0 + H, outsInWindow: 2 }, { firstResponseAt: T0, followUps: 2 }],
      ['texted back: the first outbound touch is the response, not a follow-up', { nextOutAt: T0 + 600_000, outsInWindow: 3 }, { firstResponseAt: T0 + 600_000, followUps: 2 }],
      ['a response after 30 days is no response', { nextOutAt: T0 + 31 * 24 * H }, { firstResponseAt: null }],
      ['a job within 14 days is a booking', { nextJobAt: T0 + 13 * 24 * H }, { bookedAt: T0 + 13 * 24 * H }],
      ['a job after 14 days is not', { nextJobAt: T0 + 14 * 24 * H }, { bookedAt: null }],
    ];
    for (const [name, over, want] of cases) {
      const got = toLeadFacts([touch(over)]);
      if (want === null) assert.deepEqual(got, [], name);
      else for (const [k, v] of Object.entries(want)) assert.equal(got[0][k as keyof LeadFact], v, `${name}: ${k}`);
    }
  });
});
