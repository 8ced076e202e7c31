/**
 * The built-in models' features as a person would say them: "waited 20 hours
 * for an answer" rather than "response minutes is 1197". Pure: the feature's
 * name and raw value in, a phrase out. Features it does not know (a model
 * trained on any CSV) read as "plan is Basic".
 */
export type FeatureValue = string | number | boolean | null;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** 1197 minutes → "20 hours"; 45 → "45 minutes"; 4000 → "3 days". */
export function minutesInWords(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return plural(Math.round(minutes), 'minute');
  if (minutes < 48 * 60) return plural(Math.round(minutes / 60), 'hour');
  return plural(Math.round(minutes / 1440), 'day');
}

/** 0.4 → "under a day"; 12 → "12 days"; 95 → "3 months"; 800 → "2 years". */
export function daysInWords(days: number): string {
  if (days < 1) return 'under a day';
  if (days < 60) return plural(Math.round(days), 'day');
  if (days < 730) return plural(Math.round(days / 30.44), 'month');
  const years = Math.round(days / 182.6) / 2;
  return `${years} years`;
}

const ago = (days: number) => (days < 1 ? 'today' : `${daysInWords(days)} ago`);
const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const words = (v: string) => v.replace(/_/g, ' ').trim();
const channels: Record<string, string> = { phone: 'phone', sms: 'text', email: 'email', web: 'the website', booking: 'the booking page', voice: 'phone' };
const hour12 = (h: number) => `${h % 12 === 0 ? 12 : h % 12} ${h < 12 ? 'am' : 'pm'}`;

type Phrase = (v: FeatureValue) => string;
const number = (f: (n: number) => string, blank: string): Phrase => (v) => (typeof v === 'number' && Number.isFinite(v) ? f(v) : blank);
const text = (f: (s: string) => string, blank: string): Phrase => (v) => (typeof v === 'string' && v.trim() !== '' ? f(words(v)) : blank);
const yesNo = (yes: string, no: string, blank: string): Phrase => (v) => (v === true || v === 1 || v === 'yes' ? yes : v === false || v === 0 || v === 'no' ? no : blank);

const phrases: Record<string, Phrase> = {
  // Lead conversion.
  source: text((s) => `came from ${s}`, 'source not known'),
  channel: text((s) => `got in touch by ${channels[s] ?? s}`, 'no inquiry on record'),
  service_type: text((s) => `asked about ${s}`, 'no service named'),
  urgency: text((s) => (s === 'emergency' ? 'an emergency' : `${s} urgency`), 'urgency not known'),
  first_contact_outcome: text((s) => `first call ${s}`, 'no call at first contact'),
  local_hour: number((h) => `got in touch at ${hour12(Math.round(h))}`, 'time of day not known'),
  after_hours: yesNo('got in touch after hours', 'got in touch during business hours', 'time of day not known'),
  new_contact: yesNo('new to the business', 'known before this inquiry', 'not known whether new'),
  response_minutes: number((m) => `waited ${minutesInWords(m)} for an answer`, 'answer time not known'),
  prior_jobs: number((n) => (n === 0 ? 'no earlier jobs' : `${plural(n, 'earlier job')}`), 'no earlier jobs'),
  days_since_last_job: number((d) => `last job ${ago(d)}`, 'no earlier job'),
  touches_last_year: number((n) => (n === 0 ? 'no contact in the past year' : `${plural(n, 'touch', 'touches')} in the past year`), 'no contact in the past year'),
  last_review_rating: number((r) => `last review ${plural(Math.round(r), 'star')}`, 'no review yet'),
  // Churn.
  jobs_completed: number((n) => `${plural(n, 'job')} completed`, 'no jobs completed'),
  total_spend: number((n) => `${usd(n)} spent in all`, 'spend not known'),
  average_ticket: number((n) => `average job ${usd(n)}`, 'average job not known'),
  customer_for_days: number((d) => `a customer for ${daysInWords(d)}`, 'customer since not known'),
  last_service_type: text((s) => `last service: ${s}`, 'last service not known'),
  inbound_contacts_last_year: number((n) => (n === 0 ? 'did not get in touch in the past year' : `got in touch ${plural(n, 'time')} in the past year`), 'did not get in touch in the past year'),
  // Deal stall.
  amount: number((n) => `worth ${usd(n)}`, 'no amount on the deal'),
  age_days: number((d) => `open for ${daysInWords(d)}`, 'age not known'),
  touches_since_created: number((n) => (n === 0 ? 'no touches since it opened' : `${plural(n, 'touch', 'touches')} since it opened`), 'no touches since it opened'),
  replies_since_created: number((n) => (n === 0 ? 'no reply since it opened' : `${plural(n, 'reply', 'replies')} since it opened`), 'no reply since it opened'),
  days_since_last_touch: number((d) => `last touch ${ago(d)}`, 'never touched'),
};

const shown = (v: FeatureValue) => (v === null || v === '' ? 'blank' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(4))) : String(v));

/** One feature and its value in words. `feature` is the column name (response_minutes). */
export function phraseFeature(feature: string, value: FeatureValue): string {
  const v = typeof value === 'number' && Number.isNaN(value) ? null : value;
  const phrase = phrases[feature];
  return phrase ? phrase(v) : `${feature.replace(/_/g, ' ')} is ${shown(v)}`;
}
