import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { enroll } from '../../src/engine/enroll.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';

/**
 * The scheduler holds back the writes of runs that only wait and writes them
 * for the whole transaction at its end; runs that act write as they go. These
 * prove a mixed pass ends in the same state as running each enrolment alone.
 */
forEachDialect('engine: scheduler transactions that mix waiting and acting runs', (world) => {
  let scope: Scope;
  test('setup', async () => {
    scope = await makeBusiness(world().ctx, { name: 'Mixed Pass HVAC' });
  });

  const enrolAt = async (automationId: string, contactId: string, at: string, vars: Record<string, unknown> = {}) =>
    world().db.transaction((trx) => enroll(trx, { businessId: scope.businessId, automationId, version: 1, contactId, occurrenceKey: `k-${contactId}`, triggerEventId: null, at, vars, reason: 'test' }));

  test('waiting and acting runs in one pass: every pointer, log line and task lands', async () => {
    const { ctx, db, clock } = world();
    const sleeper = await createAutomation(ctx, scope, { enabled: true, definition: { name: 'Sleeper', trigger: { type: 'manual' }, steps: [{ type: 'wait', duration: 'PT1H' }, { type: 'create_task', title: 'After the nap: {{ contact.name }}', assignee: { rule: 'role', role: 'owner' } }] } });
    const actor = await createAutomation(ctx, scope, { enabled: true, definition: { name: 'Actor', trigger: { type: 'manual' }, steps: [{ type: 'create_task', title: 'Now: {{ contact.name }}', assignee: { rule: 'role', role: 'owner' } }] } });
    const now = clock.now();
    const ids: Record<string, string[]> = { sleeper: [], actor: [] };
    for (let i = 0; i < 40; i++) {
      const c = await createContact(ctx, scope, { name: `Mix ${i}` });
      const which = i % 2 === 0 ? 'sleeper' : 'actor';
      // Interleaved due times, so each transaction holds both kinds.
      await enrolAt(which === 'sleeper' ? sleeper.id : actor.id, c.id, new Date(now.getTime() - (40 - i) * 1000).toISOString());
      ids[which].push(c.id);
    }
    // perTransaction 5: several transactions, each with waiting runs riding along.
    const claimed = await runDueEnrollments(ctx, 'w-mix', 100, 60_000, 5);
    assert.equal(claimed, 40);
    const rows = await db.kysely.selectFrom('enrollments').selectAll().where('business_id', '=', scope.businessId).execute();
    for (const r of rows.filter((x) => x.automation_id === sleeper.id)) {
      assert.equal(r.status, 'active');
      assert.equal(r.step, 1);
      assert.equal(r.locked_by, null);
      assert.equal(Date.parse(r.next_run_at!), now.getTime() + 3_600_000);
    }
    for (const r of rows.filter((x) => x.automation_id === actor.id)) assert.equal(r.status, 'completed');
    const tasks = await db.kysely.selectFrom('tasks').select('title').where('business_id', '=', scope.businessId).execute();
    assert.equal(tasks.filter((t) => t.title.startsWith('Now:')).length, 20);
    const logs = await db.kysely.selectFrom('enrollment_log').select(['enrollment_id', 'outcome', 'step']).where('business_id', '=', scope.businessId).orderBy('seq').execute();
    const sleeperIds = new Set(rows.filter((x) => x.automation_id === sleeper.id).map((r) => r.id));
    const sleeping = logs.filter((l) => sleeperIds.has(l.enrollment_id) && l.outcome !== 'enrolled');
    assert.equal(sleeping.length, 20, 'one log line per waiting run');
    assert.ok(sleeping.every((l) => l.outcome === 'sleeping' && l.step === 0));
    // An hour later the sleepers act: their held pointer was right.
    clock.advance(3_600_000);
    await runDueEnrollments(ctx, 'w-mix', 100, 60_000, 5);
    const after = await db.kysely.selectFrom('tasks').select('title').where('business_id', '=', scope.businessId).execute();
    assert.equal(after.filter((t) => t.title.startsWith('After the nap:')).length, 20);
  });

  test('a run exited by an earlier run in the same transaction does not act', async () => {
    const { ctx, db, clock } = world();
    const c = await createContact(ctx, scope, { name: 'Cancel Me', phone: '+15125550177' });
    const job = await jobs.create(ctx, scope, { contactId: c.id, serviceType: 'tune_up', scheduledStart: '2026-03-20T15:00:00Z', scheduledEnd: '2026-03-20T17:00:00Z' });
    const canceller = await createAutomation(ctx, scope, { enabled: true, definition: { name: 'Canceller', trigger: { type: 'manual' }, steps: [{ type: 'update_job', status: 'cancelled' }] } });
    const reminder = await createAutomation(ctx, scope, {
      enabled: true,
      definition: { name: 'Reminder', trigger: { type: 'manual' }, purpose: 'transactional', exitOn: ['job_cancelled'], steps: [{ type: 'create_task', title: 'Remind {{ contact.name }} of the visit', assignee: { rule: 'role', role: 'owner' } }] },
    });
    const now = clock.now().getTime();
    // The canceller is due first, so it runs first in the same transaction.
    await enrolAt(canceller.id, c.id, new Date(now - 2000).toISOString(), { trigger: { jobId: job.id } });
    await enrolAt(reminder.id, c.id, new Date(now - 1000).toISOString(), { trigger: { jobId: job.id } });
    await runDueEnrollments(ctx, 'w-exit', 100, 60_000, 25);
    const en = await db.kysely.selectFrom('enrollments').select(['status', 'exit_reason']).where('automation_id', '=', reminder.id).executeTakeFirstOrThrow();
    assert.deepEqual(en, { status: 'exited', exit_reason: 'job_cancelled' });
    const reminders = await db.kysely.selectFrom('tasks').select('id').where('business_id', '=', scope.businessId).where('title', 'like', 'Remind %').execute();
    assert.equal(reminders.length, 0, 'the exited enrolment created nothing');
    const cancelled = await db.kysely.selectFrom('jobs').select('status').where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(cancelled.status, 'cancelled');
  });
});
