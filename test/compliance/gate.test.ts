import assert from 'node:assert/strict';
import { test } from 'node:test';
import { complianceSettings, decideSend, type GateInput } from '../../src/compliance/gate.ts';

const base: GateInput = {
  channel: 'sms',
  purpose: 'marketing',
  now: new Date('2026-01-14T16:00:00Z'), // 10:00 in Chicago
  address: '+15125550123',
  consent: 'granted',
  suppressed: false,
  timeZone: 'America/Chicago',
  state: 'TX',
  settings: complianceSettings({}),
  recentMarketingSends: [],
};
const h = (n: number) => new Date(base.now.getTime() - n * 3_600_000);

const cases: Array<[string, Partial<GateInput>, string, string?]> = [
  ['a consented text at 10:00 goes', {}, 'send'],
  ['no number → skip', { address: null }, 'skip', 'no mobile number'],
  ['opted out → skip and flag', { consent: 'revoked' }, 'skip', 'opted out of sms'],
  ['suppressed → skip', { suppressed: true }, 'skip', 'suppression list'],
  ['marketing text without consent → skip', { consent: 'unknown' }, 'skip', 'no SMS marketing consent'],
  ['transactional text without a record → send', { consent: 'unknown', purpose: 'transactional' }, 'send'],
  ['marketing email without a record → send (CAN-SPAM is opt-out)', { channel: 'email', address: 'a@example.com', consent: 'unknown' }, 'send'],
  ['second marketing message within a day → defer', { recentMarketingSends: [h(3)] }, 'defer', 'per day'],
  ['fourth marketing message within a week → defer', { recentMarketingSends: [h(30), h(60), h(90)] }, 'defer', 'per week'],
  ['transactional ignores caps', { purpose: 'transactional', recentMarketingSends: [h(1), h(2)] }, 'send'],
  ['06:00 local → defer to morning', { now: new Date('2026-01-14T12:00:00Z') }, 'defer', 'quiet hours'],
  ['02:00: a transactional answer to the message they just sent (emergency safety advice) goes', { purpose: 'transactional', answersTheirMessage: true, now: new Date('2026-01-14T08:00:00Z') }, 'send'],
  ['02:00: a marketing text is held even as an answer', { answersTheirMessage: true, now: new Date('2026-01-14T08:00:00Z') }, 'defer', 'quiet hours'],
  ['an answer to an opted-out number still does not go', { purpose: 'transactional', answersTheirMessage: true, consent: 'revoked' }, 'skip', 'opted out'],
  ['email ignores quiet hours', { channel: 'email', address: 'a@example.com', now: new Date('2026-01-14T08:00:00Z') }, 'send'],
];
for (const [name, patch, action, reason] of cases) {
  test(`gate: ${name}`, () => {
    const d = decideSend({ ...base, ...patch });
    assert.equal(d.action, action);
    if (reason) assert.match((d as { reason: string }).reason, new RegExp(reason));
  });
}

test('gate: the daily cap frees up a day after the last counted send', () => {
  const d = decideSend({ ...base, recentMarketingSends: [h(3)] });
  assert.equal(d.action, 'defer');
  assert.equal((d as { until: Date }).until.toISOString(), new Date(h(3).getTime() + 86_400_000).toISOString());
});

test('gate: a Texas Sunday marketing text waits until noon', () => {
  const d = decideSend({ ...base, now: new Date('2026-01-18T16:00:00Z') });
  assert.equal(d.action, 'defer');
  assert.equal((d as { until: Date }).until.toISOString(), '2026-01-18T18:00:00.000Z');
});

test('gate: the weekly cap opens when the third-newest send is a week old', () => {
  const sends = [h(30), h(60), h(90), h(120)];
  const d = decideSend({ ...base, recentMarketingSends: sends });
  assert.equal(d.action, 'defer');
  assert.equal((d as { until: Date }).until.toISOString(), new Date(h(90).getTime() + 7 * 86_400_000).toISOString());
  assert.equal(decideSend({ ...base, settings: { ...base.settings, marketingPerDay: 0 } }).action, 'skip');
});
