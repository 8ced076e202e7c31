import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import { client, makeTenant, useApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/** What the dashboard's records screens rely on: no double-booked technician, tasks by due window, contacts by id. */
forEachDialect('records for the dashboard', (world) => {
  const s = useApiTenant(world, 'Records Cooling');
  let techId = '';
  let otherTechId = '';
  let contactId = '';

  test('a technician cannot hold two scheduled jobs at once: create and move are refused with who and when; back to back, another technician or a cancelled job are fine', async () => {
    const { ctx } = world();
    techId = (await createUser(ctx, s.tenant.scope, { email: `tech-${s.tenant.scope.businessId.slice(-6)}@records.example`, name: 'Tomás Tech', role: 'technician', password: 'correct horse battery' })).id;
    otherTechId = (await createUser(ctx, s.tenant.scope, { email: `tech2-${s.tenant.scope.businessId.slice(-6)}@records.example`, name: 'Uma Tech', role: 'technician', password: 'correct horse battery' })).id;
    contactId = (await s.api.post('/contacts', { name: 'Rosa Booked', phone: '512-555-0101' })).json().id;
    const job = (start: string, end: string, technicianUserId = techId) => ({ contactId, serviceType: 'ac_repair', scheduledStart: start, scheduledEnd: end, technicianUserId });

    const first = await s.api.post('/jobs', job('2026-03-10T15:00:00Z', '2026-03-10T17:00:00Z'));
    assert.equal(first.statusCode, 201);
    const clash = await s.api.post('/jobs', job('2026-03-10T16:00:00Z', '2026-03-10T18:00:00Z'));
    assert.equal(clash.statusCode, 409, clash.body);
    const err = clash.json().error;
    assert.equal(err.code, 'CONFLICT');
    // Named in the business's time zone (makeBusiness: America/Chicago, on daylight time from March 8).
    assert.match(err.message, /^Tomás Tech already has a job at that time: ac repair for Rosa Booked, Tue Mar 10, 10:00 AM–12:00 PM CDT\./);
    assert.equal(err.details.conflictingJobId, first.json().id);

    const backToBack = await s.api.post('/jobs', job('2026-03-10T17:00:00Z', '2026-03-10T18:00:00Z'));
    assert.equal(backToBack.statusCode, 201, 'a job may start when the previous one ends');
    assert.equal((await s.api.post('/jobs', job('2026-03-10T16:00:00Z', '2026-03-10T18:00:00Z', otherTechId))).statusCode, 201, 'another technician is free');

    // Moving the back-to-back job onto the first is refused and changes nothing.
    const moved = await s.api.patch(`/jobs/${backToBack.json().id}`, { scheduledStart: '2026-03-10T16:30:00Z', scheduledEnd: '2026-03-10T17:30:00Z' });
    assert.equal(moved.statusCode, 409, moved.body);
    assert.equal((await s.api.get(`/jobs/${backToBack.json().id}`)).json().scheduledStart, '2026-03-10T17:00:00.000Z');
    // Assigning the other technician's job to the first one at an overlapping time is refused too.
    const uma = (await s.api.get(`/jobs?technicianUserId=${otherTechId}`)).json().data[0];
    assert.equal((await s.api.patch(`/jobs/${uma.id}`, { technicianUserId: techId })).statusCode, 409);

    // A cancelled job frees its time; edits that keep the slot are not re-checked.
    assert.equal((await s.api.patch(`/jobs/${first.json().id}`, { status: 'cancelled' })).statusCode, 200);
    assert.equal((await s.api.patch(`/jobs/${backToBack.json().id}`, { scheduledStart: '2026-03-10T16:30:00Z', scheduledEnd: '2026-03-10T17:30:00Z' })).statusCode, 200);
    assert.equal((await s.api.patch(`/jobs/${backToBack.json().id}`, { notes: 'gate code 1234' })).statusCode, 200);
    // Scheduling the cancelled job again at its old time now clashes with the moved one.
    assert.equal((await s.api.patch(`/jobs/${first.json().id}`, { status: 'scheduled' })).statusCode, 409);
  });

  test('tasks filter by a due window (dueAfter with dueBefore), combined with assignee and status', async () => {
    const task = async (title: string, dueAt: string | null, assigneeUserId: string | null = techId) => (await s.api.post('/tasks', { title, dueAt, assigneeUserId, contactId })).json() as { id: string };
    await task('Overdue call', '2026-03-01T15:00:00Z');
    await task('Today call', '2026-03-02T18:00:00Z');
    const later = await task('Next week call', '2026-03-09T15:00:00Z');
    await task('Someone else today', '2026-03-02T18:00:00Z', otherTechId);
    await task('Undated', null);
    const titles = async (q: string) => ((await s.api.get(`/tasks?${q}`)).json().data as Array<{ title: string }>).map((t) => t.title).sort();
    const mine = `assigneeUserId=${techId}&status=open`;
    assert.deepEqual(await titles(`${mine}&dueBefore=2026-03-02T06:00:00Z`), ['Overdue call']);
    assert.deepEqual(await titles(`${mine}&dueAfter=2026-03-02T06:00:00Z&dueBefore=2026-03-03T06:00:00Z`), ['Today call']);
    assert.deepEqual(await titles(`${mine}&dueAfter=2026-03-03T06:00:00Z`), ['Next week call']);
    await s.api.patch(`/tasks/${later.id}`, { status: 'done' });
    assert.deepEqual(await titles(`${mine}&dueAfter=2026-03-03T06:00:00Z`), []);
    assert.equal((await s.api.get('/tasks?dueAfter=tomorrow')).statusCode, 400);
  });

  test('contacts by id: only the ones asked for, never another business\'s; more than 100 ids is a 400', async () => {
    const b = (await s.api.post('/contacts', { name: 'Sam Second', email: 'sam@records.example' })).json().id as string;
    await s.api.post('/contacts', { name: 'Not Asked', email: 'not@records.example' });
    const other = await makeTenant(world().ctx, 'Other Records Plumbing');
    const theirs = (await client(s.app, other.key).post('/contacts', { name: 'Their Contact', phone: '512-555-0199' })).json().id as string;
    const res = await s.api.get(`/contacts?ids=${contactId},${b},${theirs}`);
    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json().data as Array<{ name: string }>).map((c) => c.name).sort(), ['Rosa Booked', 'Sam Second']);
    const many = Array.from({ length: 101 }, (_, i) => `id${i}`).join(',');
    const tooMany = await s.api.get(`/contacts?ids=${many}`);
    assert.equal(tooMany.statusCode, 400);
    assert.match(tooMany.body, /at most 100 ids/);
  });
});
