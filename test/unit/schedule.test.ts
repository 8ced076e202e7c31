import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOpenAt, onCallAt } from '../../src/crm/businesses/schedule.ts';
import { defaultBusinessHours, onCallSchema } from '../../src/crm/businesses/schema.ts';

const cases: Array<[string, string, boolean]> = [
  ['Monday 9:00 Chicago (CST)', '2026-01-05T15:00:00Z', true],
  ['Monday 7:59 Chicago', '2026-01-05T13:59:00Z', false],
  ['Monday 17:00 Chicago is closing time', '2026-01-05T23:00:00Z', false],
  ['Saturday noon', '2026-01-10T18:00:00Z', false],
  ['Monday 8:00 Chicago in summer (CDT)', '2026-07-06T13:00:00Z', true],
  ['Sunday 8:30 right after DST starts (CDT)', '2026-03-08T13:30:00Z', false],
  ['Monday after DST starts, 8:30 CDT', '2026-03-09T13:30:00Z', true],
];
for (const [name, at, open] of cases) {
  test(`isOpenAt: ${name}`, () => assert.equal(isOpenAt(defaultBusinessHours, 'America/Chicago', new Date(at)), open));
}

test('onCallAt rotates weekly from the anchor and lists the escalation chain', () => {
  const schedule = onCallSchema.parse({ rotation: ['a', 'b', 'c'], anchor: '2026-01-05T17:00:00Z', shiftHours: 168 });
  assert.deepEqual(onCallAt(schedule, new Date('2026-01-06T03:00:00Z')), ['a', 'b', 'c']);
  assert.deepEqual(onCallAt(schedule, new Date('2026-01-12T17:00:00Z')), ['b', 'c', 'a']);
  assert.deepEqual(onCallAt(schedule, new Date('2026-01-20T00:00:00Z')), ['c', 'a', 'b']);
  assert.deepEqual(onCallAt(schedule, new Date('2026-01-05T16:59:00Z')), ['c', 'a', 'b'], 'before the anchor counts backwards');
});

test('an override takes the pager for its window only', () => {
  const schedule = onCallSchema.parse({ rotation: ['a', 'b'], anchor: '2026-01-05T17:00:00Z', overrides: [{ userId: 'z', start: '2026-01-07T00:00:00Z', end: '2026-01-08T00:00:00Z' }] });
  assert.deepEqual(onCallAt(schedule, new Date('2026-01-07T12:00:00Z')), ['z', 'a', 'b']);
  assert.deepEqual(onCallAt(schedule, new Date('2026-01-08T12:00:00Z')), ['a', 'b']);
  assert.deepEqual(onCallAt(onCallSchema.parse({}), new Date()), []);
});
