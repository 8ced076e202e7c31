import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createUser } from '../../src/access/users.ts';
import { createDevProvider } from '../../src/channels/dev-outbox.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { processInboundMessages } from '../../src/intelligence/intake/inbound.ts';
import { installPlaybook } from '../../src/playbooks/install.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

interface TimelineItem { type: string; summary: string; data: { direction?: string; kind?: string; outcome?: string | null; metadata?: Record<string, unknown>; userId?: string | null } }
interface ExceptionItem { kind: string; contactId: string | null; severity: string }

/**
 * The execution layer closing its loops, in the dev outbox (no Twilio): texts
 * arrive through POST /dev/inbound/sms — the same path a signed Twilio webhook
 * takes — and everything Kinetic sends is on the contact's record.
 */
forEachDialect('the loop closes and emergencies by text are routed', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let api: ReturnType<typeof client>;
  let techId: string;
  const TECH = '+15125550441';
  const providers = { sms: createDevProvider('sms'), email: createDevProvider('email') };
  const work = async () => {
    await runDueEnrollments(world().ctx, 'loop-test');
    await dispatchQueued(world().ctx, providers, { workerId: 'loop-test' });
  };

  before(async () => {
    const { ctx } = world();
    app = await buildServer(ctx);
    await app.ready();
    t = await makeTenant(ctx, 'Loop Heating & Air');
    api = client(app, t.key);
    techId = (await createUser(ctx, t.scope, { email: 'tomas@loop.example', name: 'Tomas Reyes', role: 'technician', phone: TECH })).id;
    const biz = await api.patch('/business', { phone: '+15125550400', onCall: { rotation: [techId], anchor: '2026-01-05T00:00:00Z', shiftHours: 24 * 28, escalationMinutes: 5, overrides: [] } });
    assert.equal(biz.statusCode, 200, biz.body);
    await installPlaybook(ctx, t.scope, 'speed-to-lead', { enable: true });
  });
  after(() => app?.close());

  test('lead → text → their reply → the team reply: all on the timeline with who and why, and "reply waiting" clears', async () => {
    const lead = await api.post('/contacts', { name: 'Maya Lopez', phone: '(512) 555-0450', source: 'website', consent: [{ channel: 'sms', status: 'granted', method: 'web_form', evidence: 'web form checkbox' }] });
    assert.equal(lead.statusCode, 201, lead.body);
    const id = lead.json().id as string;
    await work();
    world().clock.advance(4 * 60_000);
    const asked = await api.post('/dev/inbound/sms', { from: '512-555-0450', body: 'Yes please, can someone come Tuesday morning?' });
    assert.equal(asked.statusCode, 201, asked.body);
    assert.equal(asked.json().to, '+15125550400', "it arrived at the business's number");
    // The worker reads their reply (a routine request): a draft for a person, nothing routed as an emergency.
    const read = await processInboundMessages(world().ctx, null);
    assert.deepEqual(read.map((r) => r.outcome), ['drafted']);
    const waiting = async () => ((await api.get('/exceptions')).json().data as ExceptionItem[]).filter((e) => e.kind === 'reply_waiting' && e.contactId === id);
    assert.equal((await waiting()).length, 1, 'their reply waits for the team');
    world().clock.advance(3 * 60_000);
    // The owner answers from the dashboard (their session), as a person.
    const login = await client(app, null).post('/auth/login', { email: t.ownerEmail, password: t.password });
    const session = login.cookies.find((c) => c.name === 'kinetic_session')!.value;
    const reply = await app.inject({ method: 'POST', url: `/contacts/${id}/replies`, cookies: { kinetic_session: session }, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ channel: 'sms', body: 'Tuesday 9-11 works. See you then!' }) });
    assert.equal(reply.statusCode, 201, reply.body);
    assert.equal((await waiting()).length, 0, 'the team replied: nothing waits');
    await work();

    const timeline = (await api.get(`/contacts/${id}/timeline`)).json().data as TimelineItem[];
    const messages = timeline.filter((i) => i.type === 'interaction').reverse();
    assert.deepEqual(messages.map((m) => `${m.data.direction} ${m.data.kind}`), ['outbound sms', 'inbound sms', 'outbound sms']);
    const [auto, , team] = messages;
    assert.equal(auto.data.metadata?.by, 'automation');
    assert.equal(auto.data.metadata?.automationName, 'Speed to lead');
    assert.equal(typeof auto.data.metadata?.step, 'number', 'and which step of it');
    assert.match(auto.summary, /automation "Speed to lead"; delivered/);
    assert.equal(team.data.metadata?.by, 'person');
    assert.ok(team.data.userId, 'the person who replied is on it');
    assert.match(team.summary, /reply from the inbox; delivered/);
    // The record and the outbox agree: each message once, no duplicates in the interactions list.
    const interactions = (await api.get(`/interactions?contactId=${id}`)).json().data as Array<{ externalId: string | null }>;
    const outbox = (await api.get(`/outbox?contactId=${id}`)).json().data as Array<{ id: string }>;
    assert.deepEqual(interactions.filter((i) => i.externalId?.startsWith('outbox:')).map((i) => i.externalId).sort(), outbox.map((o) => `outbox:${o.id}`).sort());
  });

  test('an emergency text at 2 a.m.: the safety message goes at once, on-call is paged, Today puts it first, a reply of 1 takes it', async () => {
    world().clock.set('2026-03-03T08:00:00Z'); // 02:00 in Austin
    const res = await api.post('/dev/inbound/sms', { from: '+15125550460', body: 'Loud banging from the furnace and a burning smell, please help' });
    assert.equal(res.statusCode, 201, res.body);
    const contactId = res.json().contactId as string;
    const [outcome] = await processInboundMessages(world().ctx, null);
    assert.equal(outcome.outcome, 'emergency_routed', JSON.stringify(outcome));
    assert.equal((await api.get(`/drafts?status=pending&contactId=${contactId}`)).json().data.length, 0, 'no draft promising a call waits for approval');
    const toCustomer = (await api.get(`/outbox?contactId=${contactId}`)).json().data as Array<{ to: string; body: string; notBefore: string; state: string }>;
    const safety = toCustomer.find((m) => m.to === '+15125550460');
    assert.ok(safety, JSON.stringify(toCustomer));
    assert.match(safety.body, /^Loop Heating & Air: we got your message — we are paging our on-call technician now/);
    assert.match(safety.body, /switch off the power at the breaker/);
    assert.equal(new Date(safety.notBefore).getTime(), world().clock.now().getTime(), 'not held for quiet hours: they wrote to us');

    await work();
    const pages = (await api.get('/outbox?limit=100')).json().data as Array<{ to: string; body: string; state: string }>;
    const page = pages.find((m) => m.to === TECH);
    assert.ok(page, 'the on-call technician is paged');
    assert.match(page.body, /EMERGENCY sms from .*burning smell.*Reply 1 or OK to take it\./s);
    const today = (await api.get('/exceptions')).json().data as ExceptionItem[];
    assert.equal(today[0]?.kind, 'emergency_unacked', JSON.stringify(today.slice(0, 3)));
    assert.equal(today[0]?.severity, 'critical');
    assert.equal(today[0]?.contactId, contactId);
    const tasks = (await api.get(`/tasks?contactId=${contactId}`)).json().data as Array<{ title: string; assigneeUserId: string | null }>;
    assert.ok(tasks.some((x) => /Call .* back now: emergency sms/.test(x.title) && x.assigneeUserId === techId), JSON.stringify(tasks));

    const taken = await api.post('/dev/inbound/sms', { from: TECH, body: '1' });
    assert.equal(taken.statusCode, 201, taken.body);
    assert.equal(taken.json().handledAs, 'staff');
    assert.ok(!((await api.get('/exceptions')).json().data as ExceptionItem[]).some((e) => e.kind === 'emergency_unacked' && e.contactId === contactId), 'taken: no longer unacknowledged');
    const timeline = (await api.get(`/contacts/${contactId}/timeline`)).json().data as TimelineItem[];
    assert.ok(timeline.some((i) => /emergency \(fire electrical\): safety advice/.test(i.summary)), 'the safety message is on the record with why');
    assert.ok(timeline.some((i) => /Texted Tomas Reyes about this contact/.test(i.summary)), 'so is the page');
    // On-call has it: speed to lead's sales follow-ups ("still looking for help?") stop for this contact.
    const enrolments = await world().db.kysely
      .selectFrom('enrollments')
      .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
      .select(['enrollments.status', 'enrollments.exit_reason'])
      .where('enrollments.contact_id', '=', contactId)
      .where('automations.playbook', '=', 'speed-to-lead')
      .execute();
    assert.deepEqual(enrolments.map((e) => `${e.status} ${e.exit_reason}`), ['exited emergency']);
    world().clock.set('2026-03-05T18:00:00Z');
    await work();
    const later = (await api.get(`/outbox?contactId=${contactId}&limit=100`)).json().data as Array<{ to: string; body: string }>;
    assert.ok(!later.some((m) => m.to === '+15125550460' && /thanks for reaching out|just checking|Still looking for help/.test(m.body)), JSON.stringify(later.map((m) => m.body)));
  });

  test('the simulator is for the dev outbox: it refuses numbers that are not the business\'s, and bad input', async () => {
    const notOurs = await api.post('/dev/inbound/sms', { from: '+15125550470', to: '+15125559999', body: 'hi' });
    assert.equal(notOurs.statusCode, 400, notOurs.body);
    const bad = await api.post('/dev/inbound/sms', { from: '12', body: 'hi' });
    assert.equal(bad.statusCode, 400, bad.body);
  });

  test('a message the classifier is not sure is an emergency is held as a possible emergency, above routine drafts on Today', async () => {
    const { db, clock } = world();
    const contact = (await api.post('/contacts', { name: 'Ivy Unsure', phone: '+15125550480' })).json() as { id: string };
    const now = clock.now().toISOString();
    const draft = (held: string | null, n: number) => ({
      id: `draft-possible-${n}-${world().dialect}`, business_id: t.scope.businessId, contact_id: contact.id, interaction_id: null, classification_id: null, kind: 'new_service', channel: 'sms', subject: null,
      body: 'Hi Ivy, thanks for reaching out.', source: 'template', detail: JSON.stringify({ holdReason: held }), status: 'pending', outbox_id: null, decided_by: null, decided_at: null, created_at: now, updated_at: now,
    });
    await db.kysely.insertInto('drafts').values([draft(null, 1), draft('possibly an emergency (62% sure, no emergency rule matched): check it now and call if needed', 2)]).execute();
    const items = ((await api.get('/exceptions')).json().data as Array<ExceptionItem & { id: string; title: string }>).filter((e) => e.kind === 'draft_review' && e.contactId === contact.id);
    assert.deepEqual(items.map((e) => [e.severity, /^Possible emergency from Ivy Unsure: check now/.test(e.title)]), [['high', true], ['medium', false]]);
  });
});
