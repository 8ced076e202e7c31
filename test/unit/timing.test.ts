import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultBusinessHours } from '../../src/crm/businesses/schema.ts';
import { backoffMs, nextBusinessOpen, nextDayAt, nextLocalTime } from '../../src/engine/timing.ts';

const cases: Array<[string, () => Date, string]> = [
  ['9:00 in LA from 5:00 LA', () => nextLocalTime(new Date('2026-01-14T13:00:00Z'), 'America/Los_Angeles', '09:00'), '2026-01-14T17:00:00.000Z'],
  ['9:00 in LA from 10:00 LA is tomorrow', () => nextLocalTime(new Date('2026-01-14T18:00:00Z'), 'America/Los_Angeles', '09:00'), '2026-01-15T17:00:00.000Z'],
  ['9:00 NY weekdays-only from Friday noon → Monday', () => nextLocalTime(new Date('2026-01-16T17:00:00Z'), 'America/New_York', '09:00', true), '2026-01-19T14:00:00.000Z'],
  ['9:00 NY across spring-forward', () => nextLocalTime(new Date('2026-03-07T20:00:00Z'), 'America/New_York', '09:00'), '2026-03-08T13:00:00.000Z'],
  ['next Monday 9:00 Chicago from a Monday', () => nextDayAt(new Date('2026-01-12T15:00:00Z'), 'America/Chicago', 'monday', '09:00'), '2026-01-19T15:00:00.000Z'],
  ['next Monday 9:00 Chicago from Saturday', () => nextDayAt(new Date('2026-01-17T15:00:00Z'), 'America/Chicago', 'monday', '09:00'), '2026-01-19T15:00:00.000Z'],
  ['next business day from Friday', () => nextDayAt(new Date('2026-01-16T15:00:00Z'), 'America/Chicago', 'business_day', '08:30'), '2026-01-19T14:30:00.000Z'],
  ['open now stays now', () => nextBusinessOpen(new Date('2026-01-14T16:00:00Z'), 'America/Chicago', defaultBusinessHours), '2026-01-14T16:00:00.000Z'],
  ['Friday 18:00 → Monday 8:00', () => nextBusinessOpen(new Date('2026-01-17T00:00:00Z'), 'America/Chicago', defaultBusinessHours), '2026-01-19T14:00:00.000Z'],
  ['early morning → 8:00 same day', () => nextBusinessOpen(new Date('2026-01-14T11:00:00Z'), 'America/Chicago', defaultBusinessHours), '2026-01-14T14:00:00.000Z'],
];
for (const [name, fn, expected] of cases) test(`timing: ${name}`, () => assert.equal(fn().toISOString(), expected));

test('backoff doubles and caps at an hour', () => {
  assert.deepEqual([1, 2, 3, 4].map(backoffMs), [30_000, 60_000, 120_000, 240_000]);
  assert.equal(backoffMs(30), 3_600_000);
});
