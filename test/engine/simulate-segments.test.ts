import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { runSegmentTriggers } from '../../src/engine/segments.ts';
import { simulateAutomation } from '../../src/engine/simulate.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';

const consent = [{ channel: 'sms' as const, status: 'granted' as const, method: 'web_form' as const }];

forEachDialect('engine: segments and simulation', (world) => {
  let scope: Scope;
  test('setup', async () => {
    scope = await makeBusiness(world().ctx, { name: 'Sim HVAC' });
  });

  test('a time-based segment enrols each contact once per occurrence', async () => {
    const { ctx, clock, db } = world();
    clock.set('2025-03-01T16:00:00Z');
    const c = await createContact(ctx, scope, { firstName: 'Old', phone: '+15125550160', consent });
    await jobs.create(ctx, scope, { contactId: c.id, serviceType: 'maintenance', status: 'completed', amountCents: 12_000 });
    const a = await createAutomation(ctx, scope, {
      enabled: true,
      definition: {
        name: 'Maintenance reminder',
        trigger: { type: 'segment', segment: { kind: 'last_job_older_than', days: 335, serviceType: 'maintenance' } },
        purpose: 'marketing',
        steps: [{ type: 'send_sms', body: 'Time for your yearly tune-up, {{ contact.firstName }}!' }],
      },
    });
    clock.set('2025-12-01T16:00:00Z');
    assert.equal(await runSegmentTriggers(ctx), 0, 'nine months later: not yet');
    clock.set('2026-02-10T16:00:00Z');
    assert.equal(await runSegmentTriggers(ctx), 1);
    assert.equal(await runSegmentTriggers(ctx), 0, 'same occurrence, no second enrolment');
    await runDueEnrollments(ctx, 'w');
    const sent = await db.kysely.selectFrom('outbox').select('body').where('contact_id', '=', c.id).execute();
    assert.deepEqual(sent.map((s) => s.body), ['Time for your yearly tune-up, Old!']);
    const en = await db.kysely.selectFrom('enrollments').select('status').where('automation_id', '=', a.id).execute();
    assert.deepEqual(en.map((e) => e.status), ['completed']);
  });

  test('simulate replays past events on a virtual clock and keeps nothing', async () => {
    const { ctx, clock, db } = world();
    clock.set('2026-02-02T15:00:00Z'); // a Monday, 9:00 in Chicago
    const lead = await createContact(ctx, scope, { firstName: 'Past', phone: '+15125550161', consent });
    clock.set('2026-02-03T02:00:00Z'); // 20:00 Chicago
    const late = await createContact(ctx, scope, { firstName: 'Late', phone: '+15125550162', consent });
    clock.set('2026-03-01T12:00:00Z');
    const a = await createAutomation(ctx, scope, {
      enabled: false,
      definition: {
        name: 'Speed to lead',
        trigger: { type: 'event', event: 'lead.created' },
        purpose: 'transactional',
        steps: [
          { type: 'send_sms', body: 'Hi {{ contact.firstName }}, got your request.' },
          { type: 'wait', duration: 'PT2H' },
          { type: 'send_sms', body: 'Want us to call?' },
        ],
      },
    });
    const outboxBefore = await db.kysely.selectFrom('outbox').select(db.kysely.fn.countAll().as('n')).executeTakeFirstOrThrow();
    const report = await simulateAutomation(ctx, scope, a.id, { from: '2026-02-01T00:00:00Z', to: '2026-02-10T00:00:00Z' });
    assert.equal(report.enrolled, 2);
    const forPast = report.sends.filter((s) => s.contactId === lead.id);
    assert.deepEqual(forPast.map((s) => [s.at, s.body]), [
      ['2026-02-02T15:00:00.000Z', 'Hi Past, got your request.'],
      ['2026-02-02T17:00:00.000Z', 'Want us to call?'],
    ]);
    const forLate = report.sends.filter((s) => s.contactId === late.id);
    assert.equal(forLate[0].at, '2026-02-03T02:00:00.000Z', '20:00 is inside the federal window');
    assert.equal(forLate[1].at, '2026-02-03T14:00:00.000Z', 'the follow-up waits for 8:00 local');
    assert.ok(report.decisions.some((d) => d.outcome === 'deferred'));
    const outboxAfter = await db.kysely.selectFrom('outbox').select(db.kysely.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(outboxAfter.n), Number(outboxBefore.n), 'nothing was kept');
    const enrolments = await db.kysely.selectFrom('enrollments').select('id').where('automation_id', '=', a.id).execute();
    assert.equal(enrolments.length, 0);
  });
});
