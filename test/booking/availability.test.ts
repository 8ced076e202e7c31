import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeSlots, conflicts, distinctStarts, intersectIntervals, type AvailabilityInput } from '../../src/booking/availability.ts';
import { claimUnits } from '../../src/booking/claims.ts';
import { defaultBusinessHours } from '../../src/crm/businesses/schema.ts';

// Monday 2 March 2026, Chicago is UTC-6 (CST) until 8 March.
const base: AvailabilityInput = {
  timeZone: 'America/Chicago',
  businessHours: defaultBusinessHours,
  technicians: [{ id: 't1', weeklyHours: null, daysOff: [] }],
  busy: [],
  durationMinutes: 120,
  settings: { bufferMinutes: 30, slotStepMinutes: 60, minNoticeMinutes: 0 },
  from: new Date('2026-03-02T06:00:00Z'),
  to: new Date('2026-03-03T06:00:00Z'),
  now: new Date('2026-03-01T00:00:00Z'),
};
const starts = (input: Partial<AvailabilityInput>) => computeSlots({ ...base, ...input }).map((s) => `${s.start.slice(11, 16)}/${s.technicianId}`);

describe('availability (pure)', () => {
  it('opening hours 08:00–17:00 local with a 2 h service give starts 08:00…15:00 local', () => {
    assert.deepEqual(starts({}), ['14:00/t1', '15:00/t1', '16:00/t1', '17:00/t1', '18:00/t1', '19:00/t1', '20:00/t1', '21:00/t1']);
  });

  const table: Array<[string, Partial<AvailabilityInput>, string[]]> = [
    ['closed day (Saturday)', { from: new Date('2026-03-07T06:00:00Z'), to: new Date('2026-03-08T06:00:00Z') }, []],
    ['technician day off', { technicians: [{ id: 't1', weeklyHours: null, daysOff: ['2026-03-02'] }] }, []],
    [
      'technician works mornings only (intersected with opening hours)',
      { technicians: [{ id: 't1', weeklyHours: { ...defaultBusinessHours, mon: [{ open: '06:00', close: '12:00' }] }, daysOff: [] }] },
      ['14:00/t1', '15:00/t1', '16:00/t1'],
    ],
    [
      'a job 11:00–13:00 local blocks overlaps plus a 30 min buffer on both sides',
      { busy: [{ technicianId: 't1', start: '2026-03-02T17:00:00.000Z', end: '2026-03-02T19:00:00.000Z' }] },
      ['14:00/t1', '20:00/t1', '21:00/t1'],
    ],
    ['minimum notice hides starts too soon', { now: new Date('2026-03-02T16:10:00Z'), settings: { ...base.settings, minNoticeMinutes: 120 } }, ['19:00/t1', '20:00/t1', '21:00/t1']],
    [
      'two technicians, sorted by time then technician',
      { technicians: [{ id: 't1', weeklyHours: null, daysOff: [] }, { id: 't2', weeklyHours: null, daysOff: [] }], durationMinutes: 480 },
      ['14:00/t1', '14:00/t2', '15:00/t1', '15:00/t2'],
    ],
    ['no technicians, no slots', { technicians: [] }, []],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => assert.deepEqual(starts(input), expected));
  }

  it('follows the local clock across the DST change (8 March 2026)', () => {
    const s = computeSlots({ ...base, from: new Date('2026-03-09T05:00:00Z'), to: new Date('2026-03-10T05:00:00Z') });
    assert.equal(s[0].start, '2026-03-09T13:00:00.000Z', '08:00 CDT is 13:00 UTC');
  });

  it('intersects interval lists and detects conflicts with buffer', () => {
    assert.deepEqual(intersectIntervals([{ open: '08:00', close: '12:00' }, { open: '13:00', close: '17:00' }], [{ open: '10:00', close: '14:00' }]), [
      { open: '10:00', close: '12:00' },
      { open: '13:00', close: '14:00' },
    ]);
    assert.equal(conflicts(0, 10, { start: 20, end: 30 }, 11), true);
    assert.equal(conflicts(0, 10, { start: 20, end: 30 }, 10), false, "touching after the buffer is fine");
  });

  it('distinct starts and claim units', () => {
    const slots = computeSlots({ ...base, technicians: [{ id: 'a', weeklyHours: null, daysOff: [] }, { id: 'b', weeklyHours: null, daysOff: [] }] });
    assert.equal(distinctStarts(slots, 3).length, 3);
    assert.deepEqual(new Set(distinctStarts(slots, 100).map((s) => s.start)).size, 8);
    const units = claimUnits('2026-03-02T14:00:00.000Z', '2026-03-02T15:00:00.000Z', 30);
    assert.equal(units.length, 18);
    assert.equal(units[0], '2026-03-02T14:00:00.000Z');
    assert.equal(units.at(-1), '2026-03-02T15:25:00.000Z');
    assert.equal(claimUnits('2026-03-02T14:07:00.000Z', '2026-03-02T14:20:00.000Z', 0)[0], '2026-03-02T14:05:00.000Z');
  });
});
