import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextAllowedSendTime, type QuietHoursInput } from '../../src/compliance/quiet-hours.ts';

type Case = [name: string, input: Omit<QuietHoursInput, 'at'> & { at: string }, expected: string];
const cases: Case[] = [
  ['NY 10:00 EST is allowed now', { at: '2026-01-14T15:00:00Z', timeZone: 'America/New_York', purpose: 'transactional' }, '2026-01-14T15:00:00.000Z'],
  ['NY 07:30 EST waits until 08:00', { at: '2026-01-14T12:30:00Z', timeZone: 'America/New_York', purpose: 'transactional' }, '2026-01-14T13:00:00.000Z'],
  ['NY 21:00 EST waits until 08:00 next day', { at: '2026-01-15T02:00:00Z', timeZone: 'America/New_York', purpose: 'transactional' }, '2026-01-15T13:00:00.000Z'],
  ['LA 06:00 PST waits until 08:00 PST', { at: '2026-01-14T14:00:00Z', timeZone: 'America/Los_Angeles', purpose: 'marketing' }, '2026-01-14T16:00:00.000Z'],
  ['LA 20:59 PDT is still allowed', { at: '2026-07-15T03:59:00Z', timeZone: 'America/Los_Angeles', purpose: 'marketing' }, '2026-07-15T03:59:00.000Z'],
  ['same UTC instant: fine in NY, too early in LA', { at: '2026-01-14T14:30:00Z', timeZone: 'America/Los_Angeles', purpose: 'transactional' }, '2026-01-14T16:00:00.000Z'],
  ['spring forward (NY, 2026-03-08): 07:30 EDT waits to 08:00 EDT', { at: '2026-03-08T11:30:00Z', timeZone: 'America/New_York', purpose: 'transactional' }, '2026-03-08T12:00:00.000Z'],
  ['the night before spring forward: 22:00 EST → 08:00 EDT', { at: '2026-03-08T03:00:00Z', timeZone: 'America/New_York', purpose: 'transactional' }, '2026-03-08T12:00:00.000Z'],
  ['fall back (LA, 2026-11-01): 01:30 PDT → 08:00 PST', { at: '2026-11-01T08:30:00Z', timeZone: 'America/Los_Angeles', purpose: 'transactional' }, '2026-11-01T16:00:00.000Z'],
  ['Florida marketing stops at 20:00', { at: '2026-01-15T01:30:00Z', timeZone: 'America/New_York', purpose: 'marketing', state: 'FL' }, '2026-01-15T13:00:00.000Z'],
  ['Florida transactional may go until 21:00', { at: '2026-01-15T01:30:00Z', timeZone: 'America/New_York', purpose: 'transactional', state: 'FL' }, '2026-01-15T01:30:00.000Z'],
  ['Texas marketing on Sunday waits until noon', { at: '2026-01-18T16:00:00Z', timeZone: 'America/Chicago', purpose: 'marketing', state: 'TX' }, '2026-01-18T18:00:00.000Z'],
  ['Louisiana marketing on Sunday waits until Monday 08:00', { at: '2026-01-18T16:00:00Z', timeZone: 'America/Chicago', purpose: 'marketing', state: 'LA' }, '2026-01-19T14:00:00.000Z'],
  ['business narrows to 09:00–18:00', { at: '2026-01-14T14:30:00Z', timeZone: 'America/Chicago', purpose: 'marketing', business: { window: { start: 540, end: 1080 } } }, '2026-01-14T15:00:00.000Z'],
  ['business closed on weekends defers Saturday to Monday', { at: '2026-01-17T16:00:00Z', timeZone: 'America/Chicago', purpose: 'marketing', business: { window: { start: 540, end: 1080 }, days: { 6: null, 7: null } } }, '2026-01-19T15:00:00.000Z'],
  ['Honolulu has no DST', { at: '2026-07-15T17:00:00Z', timeZone: 'Pacific/Honolulu', purpose: 'transactional' }, '2026-07-15T18:00:00.000Z'],
];
for (const [name, input, expected] of cases) {
  test(`quiet hours: ${name}`, () => assert.equal(nextAllowedSendTime({ ...input, at: new Date(input.at) }).toISOString(), expected));
}
