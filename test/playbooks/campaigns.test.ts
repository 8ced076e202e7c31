import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { tasks } from '../../src/crm/tasks/tasks.ts';
import { createAutomation, setAutomationStatus, updateAutomation } from '../../src/engine/automations.ts';
import { runSegmentTriggers } from '../../src/engine/segments.ts';
import { variantIndex } from '../../src/engine/steps/contention.ts';
import { playbookDefinition } from '../../src/playbooks/install.ts';
import { days, drain, freshPhone, hours, later, messagesTo, MONDAY_9AM, newLead, nextWeekdayAt, runUntil, tasksFor, withDemo, type DemoWorld } from './demo-world.ts';

const smsOk = [{ channel: 'sms', status: 'granted', method: 'web_form' }];

/** A customer whose last job (of a service type) was completed `daysAgo` days ago, written as history (no events, like an import). */
async function customerWithJob(w: DemoWorld, firstName: string, serviceType: string, daysAgo: number) {
  const c = await newLead(w, { firstName, phone: freshPhone(), lifecycleStage: 'customer', source: 'referral', consent: smsOk });
  const at = later(w, -days(daysAgo)).toISOString();
  await w.db.kysely
    .insertInto('jobs')
    .values({ id: crypto.randomUUID(), business_id: w.businessId, contact_id: c.id, company_id: null, service_type: serviceType, status: 'completed', scheduled_start: at, scheduled_end: null, completed_at: at, amount_cents: 18_900, technician_user_id: null, notes: null, external_id: null, created_at: at, updated_at: at })
    .execute();
  return c;
}

withDemo('playbook: maintenance reminder', (world) => {
  test('a customer whose last service is over 11 months old gets one seasonal reminder with a booking link on a weekday morning', async () => {
    const w = world();
    await nextWeekdayAt(w, '17:00');
    const due = await customerWithJob(w, 'Wes', 'tune_up', 340);
    const recent = await customerWithJob(w, 'Xia', 'tune_up', 200);
    await setAutomationStatus(w.ctx, w.scope, await w.automationId('maintenance-reminder'), 'enabled');
    assert.ok((await runSegmentTriggers(w.ctx)) > 0);
    await drain(w);
    assert.equal((await messagesTo(w, due.id)).length, 0, 'waits for the next weekday 10:00');
    const nextMorning = await nextWeekdayAt(w, '10:00');
    await runUntil(w, later(w, days(3)));
    const sent = await messagesTo(w, due.id);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].created_at, nextMorning.toISOString());
    assert.match(sent[0].body, /about a year since your last Maintenance tune-up with Comfort Pro HVAC\. Time for a seasonal tune-up\? Book in a minute: http:\/\/localhost:3000\/book\//);
    assert.equal((await messagesTo(w, recent.id)).length, 0);
    await runSegmentTriggers(w.ctx);
    await runUntil(w, later(w, days(7)));
    assert.equal((await messagesTo(w, due.id)).length, 1, 'once per last job, not every time the segment is evaluated');
  });

  test('intervals are configurable per service type', async () => {
    const w = world();
    await nextWeekdayAt(w, '09:00');
    const tuneUp = await customerWithJob(w, 'Yan', 'tune_up', 190);
    const repair = await customerWithJob(w, 'Zed', 'repair', 190);
    const id = await w.automationId('maintenance-reminder');
    await updateAutomation(w.ctx, w.scope, id, { definition: playbookDefinition('maintenance-reminder', { perServiceType: { tune_up: 180 } }) });
    await runSegmentTriggers(w.ctx);
    await runUntil(w, later(w, days(2)));
    assert.equal((await messagesTo(w, tuneUp.id)).length, 1, 'tune-ups are due after 180 days');
    assert.equal((await messagesTo(w, repair.id)).length, 0, 'other services keep the 11-month interval');
  });
});

withDemo('playbook: cold lead flag', (world) => {
  test('a lead with no contact for 10 days becomes a task flagged cold_lead, once per quiet spell', async () => {
    const w = world();
    const quiet = await newLead(w, { firstName: 'Abe', email: 'abe.cold@example.com', source: 'google_ads' });
    const talking = await newLead(w, { firstName: 'Bex', email: 'bex.warm@example.com', source: 'google_ads' });
    await runUntil(w, later(w, days(8)));
    await interactions.create(w.ctx, w.scope, { contactId: talking.id, kind: 'call', direction: 'outbound', outcome: 'answered', body: 'Talked through options' });
    await runUntil(w, later(w, days(3)));
    await runSegmentTriggers(w.ctx);
    await drain(w);
    const flagged = (await tasksFor(w, quiet.id)).filter((t) => t.kind === 'cold_lead');
    assert.equal(flagged.length, 1);
    assert.equal(flagged[0].title, 'Cold lead: Abe has had no contact for 10+ days');
    assert.equal(flagged[0].status, 'open');
    const listed = await tasks.list(w.ctx, w.scope, { kind: 'cold_lead', contactId: quiet.id });
    assert.deepEqual(listed.data.map((t) => [t.kind, t.origin]), [['cold_lead', 'automation']], 'findable through the tasks API by kind');
    const tags = await w.db.kysely.selectFrom('contact_tags').select('tag').where('contact_id', '=', quiet.id).execute();
    assert.deepEqual(tags.map((t) => t.tag), ['cold-lead']);
    assert.equal((await tasksFor(w, talking.id)).filter((t) => t.kind === 'cold_lead').length, 0);
    await runUntil(w, later(w, days(1)));
    await runSegmentTriggers(w.ctx);
    await drain(w);
    assert.equal((await tasksFor(w, quiet.id)).filter((t) => t.kind === 'cold_lead').length, 1, 'not flagged again for the same quiet spell');
  });

  test('only leads quiet for 10 to 60 days are flagged: years-old history is not today’s exception', async () => {
    const w = world();
    const rows = await w.db.kysely
      .selectFrom('tasks')
      .innerJoin('contacts', 'contacts.id', 'tasks.contact_id')
      .select(['contacts.last_interaction_at', 'contacts.created_at', 'contacts.lifecycle_stage', 'tasks.created_at as flagged_at'])
      .where('tasks.business_id', '=', w.businessId)
      .where('tasks.kind', '=', 'cold_lead')
      // Flags raised in this suite: the demo's own lived months (ending at the suite's start) raised theirs at the time.
      .where('tasks.created_at', '>=', MONDAY_9AM)
      .execute();
    assert.ok(rows.length >= 1);
    for (const r of rows) {
      const quietDays = (Date.parse(r.flagged_at) - Date.parse(r.last_interaction_at ?? r.created_at)) / days(1);
      assert.ok(quietDays >= 10 && quietDays <= 60, `flagged after ${quietDays.toFixed(1)} quiet days`);
    }
  });
});

withDemo('playbook: dormant reactivation', (world) => {
  // The demo's lived months already ran the installed campaign, which reaches each dormant customer once:
  // the owner starts a new one from the same playbook, and these tests follow that one.
  let campaignId: string | undefined;
  const campaign = async (w: DemoWorld) => {
    campaignId ??= (await createAutomation(w.ctx, w.scope, { definition: { ...playbookDefinition('dormant-reactivation'), name: 'Spring win-back' }, enabled: false })).id;
    return campaignId;
  };

  test('the dormant segment goes out in daily batches of 50, in business hours, with A/B variants assigned per contact and recorded', async () => {
    const w = world();
    const id = await campaign(w);
    const dormant = await w.db.kysely.selectFrom('contacts').select('id').where('business_id', '=', w.businessId).where('lifecycle_stage', '=', 'dormant').execute();
    assert.ok(dormant.length > 100, `the demo has ${dormant.length} dormant customers`);
    await setAutomationStatus(w.ctx, w.scope, id, 'enabled');
    await nextWeekdayAt(w, '07:00');
    await runSegmentTriggers(w.ctx);
    await runSegmentTriggers(w.ctx);
    const enrolled = () => w.db.kysely.selectFrom('enrollments').select(['contact_id', 'created_at']).where('automation_id', '=', id).execute();
    assert.equal((await enrolled()).length, 50, 'one batch per day, however often the segment runs');
    await runUntil(w, later(w, hours(12)));
    const firstDay = await w.db.kysely.selectFrom('outbox').select(['created_at', 'variant', 'contact_id', 'channel', 'body']).where('enrollment_id', 'in', (await w.db.kysely.selectFrom('enrollments').select('id').where('automation_id', '=', id).execute()).map((e) => e.id)).execute();
    assert.ok(firstDay.length > 0);
    for (const m of firstDay) {
      const local = new Date(m.created_at).toLocaleString('en-US', { timeZone: 'America/Chicago', hour: 'numeric', hour12: false });
      assert.ok(Number(local) >= 8 && Number(local) < 18, `sent at ${local}:00 Chicago time, inside business hours`);
      assert.ok(m.variant === 'a' || m.variant === 'b');
      assert.equal(m.variant, ['a', 'b'][variantIndex(id, m.contact_id!, 2)], 'the variant is a function of automation and contact');
      if (m.channel === 'sms') assert.match(m.body, m.variant === 'a' ? /it has been a while!/ : /Returning customers get priority scheduling/);
    }
    assert.equal(new Set(firstDay.map((m) => m.variant)).size, 2, 'both arms are used');
    const skipped = await w.db.kysely.selectFrom('enrollment_log').select('detail').where('outcome', '=', 'skipped').where('enrollment_id', 'in', (await w.db.kysely.selectFrom('enrollments').select('id').where('automation_id', '=', id).execute()).map((e) => e.id)).execute();
    for (const s of skipped) assert.match(JSON.parse(s.detail).reason, /consent|opted out|suppression|no (mobile|email)/, 'every message not sent says why');
    await nextWeekdayAt(w, '07:00');
    await runSegmentTriggers(w.ctx);
    assert.equal((await enrolled()).length, 100, 'the next day brings the next 50');
  });

  test('a reply stops the campaign for that contact and gives a person a task; replies and bookings are attributable by variant', async () => {
    const w = world();
    const id = await campaign(w);
    const sent = await w.db.kysely
      .selectFrom('outbox')
      .innerJoin('enrollments', 'enrollments.id', 'outbox.enrollment_id')
      .select(['outbox.contact_id', 'outbox.variant', 'enrollments.id as enrollment_id'])
      .where('enrollments.automation_id', '=', id)
      .where('outbox.channel', '=', 'sms')
      .where('enrollments.status', '=', 'active')
      .executeTakeFirstOrThrow();
    const before = (await messagesTo(w, sent.contact_id!)).length;
    await interactions.create(w.ctx, w.scope, { contactId: sent.contact_id!, kind: 'sms', direction: 'inbound', body: 'YES please, the furnace is making noise' });
    const en = await w.db.kysely.selectFrom('enrollments').select(['status', 'exit_reason']).where('id', '=', sent.enrollment_id).executeTakeFirstOrThrow();
    assert.deepEqual(en, { status: 'exited', exit_reason: 'replied' });
    assert.equal((await tasksFor(w, sent.contact_id!)).filter((t) => t.kind === 'reactivation_reply').length, 1);
    await runUntil(w, later(w, days(6)));
    assert.equal((await messagesTo(w, sent.contact_id!)).length, before, 'no follow-up after the reply');
  });
});
