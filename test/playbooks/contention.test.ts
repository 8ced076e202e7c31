import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { setAutomationStatus, updateAutomation } from '../../src/engine/automations.ts';
import { advance } from '../../src/engine/runner.ts';
import { runSegmentTriggers } from '../../src/engine/segments.ts';
import { playbookDefinition } from '../../src/playbooks/install.ts';
import { days, drain, freshPhone, hours, messagesTo, newLead, nextWeekdayAt, runUntil, withDemo } from './demo-world.ts';

/**
 * One contact in several sequences at once is never double-texted: at most
 * one marketing message per contact per day across all automations (the
 * business's cap), the higher-priority automation speaks first, the other's
 * message is deferred (never dropped), and transactional messages such as
 * appointment reminders are not held back by the cap.
 */
withDemo('playbooks together: a contact in several sequences is not double-texted', (world) => {
  test('maintenance (priority 40) and reactivation (priority 30) due at the same minute: one goes, the other waits a day; a missed-call text-back still goes', async () => {
    const w = world();
    const monday7 = await nextWeekdayAt(w, '07:00');
    const maintenanceId = await w.automationId('maintenance-reminder');
    const dormantId = await w.automationId('dormant-reactivation');
    // Both campaigns send at 08:00 business time, so they fall due together.
    await updateAutomation(w.ctx, w.scope, maintenanceId, { definition: playbookDefinition('maintenance-reminder', { sendAt: '08:00' }) });
    await updateAutomation(w.ctx, w.scope, dormantId, { definition: playbookDefinition('dormant-reactivation', { perDay: 1000 }) });
    const c = await newLead(w, { firstName: 'Dot', phone: freshPhone(), lifecycleStage: 'dormant', source: 'referral', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    const lastJob = new Date(monday7.getTime() - days(600)).toISOString();
    await w.db.kysely
      .insertInto('jobs')
      .values({ id: crypto.randomUUID(), business_id: w.businessId, contact_id: c.id, company_id: null, service_type: 'tune_up', status: 'completed', scheduled_start: lastJob, scheduled_end: null, completed_at: lastJob, amount_cents: 15_000, technician_user_id: null, notes: null, external_id: null, created_at: lastJob, updated_at: lastJob })
      .execute();
    await setAutomationStatus(w.ctx, w.scope, maintenanceId, 'enabled');
    await setAutomationStatus(w.ctx, w.scope, dormantId, 'enabled');
    await runSegmentTriggers(w.ctx);
    await runUntil(w, new Date(monday7.getTime() + hours(1) - 1000));
    const mine = (automationId: string) => w.db.kysely.selectFrom('enrollments').selectAll().where('automation_id', '=', automationId).where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    const dormantEnrollment = await mine(dormantId);
    const maintenanceEnrollment = await mine(maintenanceId);
    const eight = new Date(monday7.getTime() + hours(1));
    assert.equal(dormantEnrollment.next_run_at, eight.toISOString());
    assert.equal(maintenanceEnrollment.next_run_at, eight.toISOString());

    // Whichever a worker picks first, the lower priority yields: run it first on purpose.
    w.clock.set(eight);
    await w.db.transaction((trx) => advance(w.ctx, trx, dormantEnrollment, eight, null));
    const yielded = await w.db.kysely.selectFrom('enrollment_log').select(['outcome', 'detail']).where('enrollment_id', '=', dormantEnrollment.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    assert.equal(yielded.outcome, 'deferred');
    assert.match(JSON.parse(yielded.detail).reason, /yields to the higher-priority automation "Maintenance reminder" \(priority 40\)/);
    assert.equal((await messagesTo(w, c.id)).length, 0);
    // The same minute they call and nobody answers: the text-back (transactional) is not held back by the marketing cap.
    await interactions.create(w.ctx, w.scope, { contactId: c.id, kind: 'call', direction: 'inbound', outcome: 'missed' });

    await runUntil(w, new Date(eight.getTime() + days(2)));
    const sent = await messagesTo(w, c.id);
    const marketing = sent.filter((m) => m.purpose === 'marketing');
    assert.equal(marketing.length, 2);
    assert.match(marketing[0].body, /seasonal tune-up/, 'the higher priority went first');
    assert.equal(marketing[0].created_at, eight.toISOString());
    assert.equal(marketing[1].created_at, new Date(eight.getTime() + days(1)).toISOString(), 'the reactivation text was deferred a day by the cap, not dropped');
    assert.ok(marketing[1].variant === 'a' || marketing[1].variant === 'b');
    const textBack = sent.filter((m) => m.purpose === 'transactional');
    assert.equal(textBack.length, 1);
    assert.match(textBack[0].body, /Sorry we missed your call/);
    assert.equal(textBack[0].created_at, eight.toISOString(), 'transactional messages are exempt from the marketing cap');
    const deferrals = await w.db.kysely.selectFrom('enrollment_log').select('detail').where('enrollment_id', '=', dormantEnrollment.id).where('outcome', '=', 'deferred').execute();
    assert.ok(deferrals.some((d) => /frequency cap: 1 marketing message\(s\) per day/.test(JSON.parse(d.detail).reason)));
  });

  test('across a month of every sequence, no contact ever gets two marketing messages within 24 hours', async () => {
    const w = world();
    await runUntil(w, new Date(w.clock.now().getTime() + days(30)));
    await runSegmentTriggers(w.ctx);
    await runUntil(w, new Date(w.clock.now().getTime() + days(7)));
    await drain(w);
    const rows = await w.db.kysely
      .selectFrom('outbox')
      .select(['contact_id', 'created_at'])
      .where('business_id', '=', w.businessId)
      .where('purpose', '=', 'marketing')
      .where('user_id', 'is', null)
      .orderBy('contact_id')
      .orderBy('created_at')
      .execute();
    assert.ok(rows.length > 50, `${rows.length} marketing messages were sent`);
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].contact_id !== rows[i - 1].contact_id) continue;
      const gap = Date.parse(rows[i].created_at) - Date.parse(rows[i - 1].created_at);
      assert.ok(gap >= days(1), `contact ${rows[i].contact_id} got two marketing messages ${gap / 3_600_000} h apart`);
    }
  });
});
