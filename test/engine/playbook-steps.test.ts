import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { sql } from 'kysely';
import { advance, runDueEnrollments } from '../../src/engine/runner.ts';
import { runSegmentTriggers } from '../../src/engine/segments.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';

forEachDialect('engine: steps and rules the playbooks use', (world) => {
  let scope: Scope;
  let agentId: string;
  test('setup', async () => {
    scope = await makeBusiness(world().ctx, { name: 'Steps HVAC' });
    agentId = (await createUser(world().ctx, scope, { email: 'agent@steps.example', name: 'Ari', role: 'agent', password: 'long enough pw' })).id;
  });

  test('update_job marks the enrolment’s own job a no-show with the same event a person’s change writes', async () => {
    const { ctx, db } = world();
    await createAutomation(ctx, scope, { enabled: true, definition: { name: 'Mark no-show', trigger: { type: 'event', event: 'job.scheduled', filter: { field: 'event.serviceType', op: 'eq', value: 'noshow_test' } }, purpose: 'transactional', steps: [{ type: 'update_job', status: 'no_show' }] } });
    const c = await createContact(ctx, scope, { name: 'Nora', phone: '+15125550188' });
    const job = await jobs.create(ctx, scope, { contactId: c.id, serviceType: 'noshow_test', scheduledStart: '2026-03-03T15:00:00Z' });
    await runDueEnrollments(ctx, 'w');
    const row = await db.kysely.selectFrom('jobs').select('status').where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'no_show');
    const events = await db.kysely.selectFrom('events').select(['type', 'actor_type']).where('subject_id', '=', job.id).orderBy('seq').execute();
    assert.deepEqual(events.slice(-2), [{ type: 'job.updated', actor_type: 'automation' }, { type: 'job.no_show', actor_type: 'automation' }]);
  });

  test('job_cancelled ends only the enrolment about the cancelled job', async () => {
    const { ctx, db } = world();
    const a = await createAutomation(ctx, scope, {
      enabled: true,
      definition: { name: 'Per-job wait', trigger: { type: 'event', event: 'job.scheduled', filter: { field: 'event.serviceType', op: 'eq', value: 'cancel_test' } }, purpose: 'transactional', exitOn: ['job_cancelled'], steps: [{ type: 'wait', duration: 'P1D' }, { type: 'send_sms', body: 'hi' }] },
    });
    const c1 = await createContact(ctx, scope, { name: 'Cal', phone: '+15125550189' });
    await jobs.create(ctx, scope, { contactId: c1.id, serviceType: 'cancel_test', scheduledStart: '2026-03-04T15:00:00Z' });
    await runDueEnrollments(ctx, 'w');
    const other = await jobs.create(ctx, scope, { contactId: c1.id, serviceType: 'repair', scheduledStart: '2026-03-05T15:00:00Z' });
    await jobs.update(ctx, scope, other.id, { status: 'cancelled' });
    const en = await db.kysely.selectFrom('enrollments').select(['status']).where('automation_id', '=', a.id).where('contact_id', '=', c1.id).executeTakeFirstOrThrow();
    assert.equal(en.status, 'active', 'another job’s cancellation leaves it running');
  });

  test('hand-off on reply opens a task for the role, in the same transaction as the exit', async () => {
    const { ctx, db } = world();
    await createAutomation(ctx, scope, {
      enabled: true,
      definition: {
        name: 'Nudge',
        trigger: { type: 'event', event: 'lead.created' },
        purpose: 'transactional',
        handoff: { title: 'Answer {{ contact.name }}', kind: 'lead_replied', assignee: { rule: 'role', role: 'agent' }, dueIn: 'PT1H' },
        steps: [{ type: 'send_sms', body: 'Hi!' }, { type: 'wait', duration: 'P1D' }, { type: 'send_sms', body: 'Still there?' }],
      },
    });
    const c = await createContact(ctx, scope, { name: 'Hope', phone: '+15125550190' });
    await runDueEnrollments(ctx, 'w');
    await interactions.create(ctx, scope, { contactId: c.id, kind: 'sms', direction: 'inbound', body: 'yes' });
    const tasks = await db.kysely.selectFrom('tasks').select(['title', 'kind', 'assignee_user_id', 'due_at', 'origin']).where('contact_id', '=', c.id).execute();
    assert.deepEqual(tasks, [{ title: 'Answer Hope', kind: 'lead_replied', assignee_user_id: agentId, due_at: new Date(world().clock.now().getTime() + 3_600_000).toISOString(), origin: 'automation' }]);
  });

  test('two workers never decide a marketing message for the same contact at once (PostgreSQL advisory lock; SQLite has one writer)', async () => {
    const { ctx, db, dialect, clock } = world();
    await createAutomation(ctx, scope, { enabled: true, definition: { name: 'Promo', trigger: { type: 'event', event: 'lead.created', filter: { field: 'contact.source', op: 'eq', value: 'lock_test' } }, purpose: 'marketing', steps: [{ type: 'send_sms', body: 'Spring special' }] } });
    const c = await createContact(ctx, scope, { name: 'Lock', phone: '+15125550191', source: 'lock_test', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    const en = await db.kysely.selectFrom('enrollments').innerJoin('automations', 'automations.id', 'enrollments.automation_id').selectAll('enrollments').where('automations.name', '=', 'Promo').where('enrollments.contact_id', '=', c.id).executeTakeFirstOrThrow();
    const promos = async () => (await db.kysely.selectFrom('outbox').select('body').where('contact_id', '=', c.id).where('purpose', '=', 'marketing').execute()).length;
    if (dialect === 'postgres') {
      await db.transaction(async (otherWorker) => {
        await sql`select pg_advisory_xact_lock(hashtextextended(${`kinetic.marketing:${c.id}`}, 0))`.execute(otherWorker);
        await db.transaction((trx) => advance(ctx, trx, en, clock.now(), null));
      });
      const log = await db.kysely.selectFrom('enrollment_log').select(['outcome', 'detail']).where('enrollment_id', '=', en.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
      assert.equal(log.outcome, 'deferred');
      assert.match(JSON.parse(log.detail).reason, /another worker is deciding a marketing message for this contact/);
      assert.equal(await promos(), 0);
      clock.advance(5_000);
    }
    await runDueEnrollments(ctx, 'w');
    await runDueEnrollments(ctx, 'w');
    assert.equal(await promos(), 1, 'sent exactly once');
  });

  test('a throttled segment enrols at most perDay contacts per business day', async () => {
    const { ctx, db, clock } = world();
    const s2 = await makeBusiness(ctx, { name: 'Throttle Plumbing' });
    for (let i = 0; i < 5; i++) await createContact(ctx, s2, { name: `Dormant ${i}`, email: `d${i}@example.com`, lifecycleStage: 'dormant' });
    const a = await createAutomation(ctx, s2, { enabled: true, definition: { name: 'Win back', trigger: { type: 'segment', segment: { kind: 'lifecycle_stage', stage: 'dormant' }, throttle: { perDay: 2 } }, steps: [{ type: 'stop' }] } });
    const count = async () => (await db.kysely.selectFrom('enrollments').select('id').where('automation_id', '=', a.id).execute()).length;
    await runSegmentTriggers(ctx, { automationId: a.id });
    await runSegmentTriggers(ctx, { automationId: a.id });
    assert.equal(await count(), 2);
    clock.advance(86_400_000);
    await runSegmentTriggers(ctx, { automationId: a.id });
    assert.equal(await count(), 4);
    clock.advance(86_400_000);
    await runSegmentTriggers(ctx, { automationId: a.id });
    assert.equal(await count(), 5, 'the last batch is what is left');
  });
});
