import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { createAutomation, updateAutomation } from '../../src/engine/automations.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { parseInboundEmail } from '../../src/channels/inbound-email.ts';
import { handleInboundEmail } from '../../src/engine/inbound.ts';

const speedToLead = {
  name: 'Speed to lead',
  trigger: { type: 'event', event: 'lead.created' },
  purpose: 'marketing',
  exitOn: ['replied', 'booked', 'opted_out'],
  steps: [
    { type: 'send_sms', body: 'Hi {{ contact.firstName | default: "there" }}, thanks for reaching out to {{ business.name }}!' },
    { type: 'wait', duration: 'PT1H' },
    { type: 'send_sms', body: 'Still need help? Reply here.' },
    { type: 'wait', duration: 'P1D' },
    { type: 'create_task', title: 'Call {{ contact.name }}', assignee: { rule: 'role', role: 'owner' }, due: { next: 'business_day', at: '09:00' } },
  ],
};

forEachDialect('engine: a sequence on the virtual clock', (world) => {
  let scope: Scope;
  test('setup', async () => {
    scope = await makeBusiness(world().ctx, { name: 'Cool Air', settings: { compliance: { marketingPerDay: 3, marketingPerWeek: 10 } } });
    await createAutomation(world().ctx, scope, { definition: speedToLead, enabled: true });
  });

  const outbox = async (contactId: string) =>
    world().db.kysely.selectFrom('outbox').select(['body', 'state', 'created_at']).where('contact_id', '=', contactId).orderBy('created_at').execute();

  test('a new lead is enrolled in the same transaction and texted on the first run', async () => {
    const { ctx, db } = world();
    const c = await createContact(ctx, scope, { firstName: 'Ana', phone: '+15125550150', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    const enrolments = await db.kysely.selectFrom('enrollments').selectAll().where('contact_id', '=', c.id).execute();
    assert.equal(enrolments.length, 1);
    await runDueEnrollments(ctx, 'w1');
    const sent = await outbox(c.id);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].body, 'Hi Ana, thanks for reaching out to Cool Air!');
    await runDueEnrollments(ctx, 'w1');
    assert.equal((await outbox(c.id)).length, 1, 'running again sends nothing new');
  });

  test('the next step waits an hour, and a reply ends the sequence', async () => {
    const { ctx, clock, db } = world();
    const c = await createContact(ctx, scope, { firstName: 'Bo', phone: '+15125550151', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    await runDueEnrollments(ctx, 'w1');
    clock.advance(30 * 60_000);
    await runDueEnrollments(ctx, 'w1');
    assert.equal((await outbox(c.id)).length, 1);
    clock.advance(31 * 60_000);
    await runDueEnrollments(ctx, 'w1');
    assert.equal((await outbox(c.id)).length, 2);
    await interactions.create(ctx, scope, { contactId: c.id, kind: 'sms', direction: 'inbound', body: 'yes please call me' });
    const en = await db.kysely.selectFrom('enrollments').selectAll().where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    assert.equal(en.status, 'exited');
    assert.equal(en.exit_reason, 'replied');
    clock.advance(2 * 86_400_000);
    await runDueEnrollments(ctx, 'w1');
    assert.equal((await outbox(c.id)).length, 2, 'nothing after the reply');
  });

  test('without SMS consent, a marketing text is skipped and the reason is logged', async () => {
    const { ctx, db } = world();
    const c = await createContact(ctx, scope, { firstName: 'Cy', phone: '+15125550152' });
    await runDueEnrollments(ctx, 'w1');
    assert.equal((await outbox(c.id)).length, 0);
    const log = await db.kysely.selectFrom('enrollment_log').select(['outcome', 'detail']).where('contact_id', '=', c.id).orderBy('seq').execute();
    assert.ok(log.some((l) => l.outcome === 'skipped' && JSON.parse(l.detail).reason === 'no SMS marketing consent on record'));
  });

  test('editing the automation does not change enrolments in flight', async () => {
    const { ctx, clock, db } = world();
    const c = await createContact(ctx, scope, { firstName: 'Di', phone: '+15125550153', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    await runDueEnrollments(ctx, 'w1');
    const a = await db.kysely.selectFrom('automations').select('id').where('business_id', '=', scope.businessId).executeTakeFirstOrThrow();
    await updateAutomation(ctx, scope, a.id, { definition: { ...speedToLead, steps: [{ type: 'send_sms', body: 'v2 only' }] } });
    clock.advance(2 * 3_600_000);
    await runDueEnrollments(ctx, 'w1');
    const bodies = (await outbox(c.id)).map((r) => r.body);
    assert.deepEqual(bodies, ['Hi Di, thanks for reaching out to Cool Air!', 'Still need help? Reply here.']);
  });
});

forEachDialect('engine: inbound email ends an email sequence', (world) => {
  test('a reply by email is logged on the timeline and stops the follow-ups', async () => {
    const { ctx, db, clock } = world();
    const scope = await makeBusiness(ctx, { name: 'Mail HVAC', email: 'office@mailhvac.example' });
    await createAutomation(ctx, scope, {
      enabled: true,
      definition: {
        name: 'Quote follow-up',
        trigger: { type: 'event', event: 'lead.created' },
        purpose: 'marketing',
        steps: [
          { type: 'send_email', subject: 'Your quote from {{ business.name }}', body: 'Hi {{ contact.firstName }}, here is your quote.' },
          { type: 'wait', duration: 'P2D' },
          { type: 'send_email', subject: 'Any questions?', body: 'Just checking in.' },
        ],
      },
    });
    const c = await createContact(ctx, scope, { firstName: 'Eve', email: 'eve@example.com' });
    await runDueEnrollments(ctx, 'w1');
    const first = await db.kysely.selectFrom('outbox').selectAll().where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    assert.match(JSON.parse(first.headers)['List-Unsubscribe'], /^<http.*\/unsubscribe\/.+>$/);
    assert.equal(JSON.parse(first.headers)['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.match(first.body, /Test Business|Mail HVAC/);
    const raw = ['From: Eve <eve@example.com>', 'To: office@mailhvac.example', 'Subject: Re: Your quote', `In-Reply-To: <${first.id}@localhost>`, 'Message-ID: <reply-1@example.com>', '', 'Looks good, when can you start?', ''].join('\r\n');
    const result = await handleInboundEmail(ctx, await parseInboundEmail(raw), 'localhost');
    assert.equal(result?.contactId, c.id);
    const en = await db.kysely.selectFrom('enrollments').select(['status', 'exit_reason']).where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    assert.deepEqual(en, { status: 'exited', exit_reason: 'replied' });
    clock.advance(3 * 86_400_000);
    await runDueEnrollments(ctx, 'w1');
    assert.equal((await db.kysely.selectFrom('outbox').select('id').where('contact_id', '=', c.id).execute()).length, 1);
  });
});
