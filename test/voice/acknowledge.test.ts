import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/access/auth.ts';
import { createTwilioSmsProvider } from '../../src/channels/twilio-sms.ts';
import { createDevProvider } from '../../src/channels/dev-outbox.ts';
import type { AppContext } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { controlEnrollment } from '../../src/engine/manage.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { isAcknowledgement } from '../../src/voice/acknowledge.ts';
import { forEachDialect } from '../helpers/db.ts';
import { startTwilioStandin, type TwilioStandin } from '../helpers/twilio-standin.ts';
import { TUESDAY_2AM, voiceApp, voiceBusiness, voiceContext, type VoiceBusiness } from './setup.ts';
import { AUTH_TOKEN, PUBLIC_URL, SimulatedCall, postSigned } from './twilio-caller.ts';

test('which replies take a page', () => {
  const cases: Array<[text: string, takes: boolean]> = [
    ['1', true],
    ['OK', true],
    ['ok', true],
    ['Ok.', true],
    ['OK!', true],
    ['okay', true],
    ['On it', true],
    ["I'm on it", true],
    ['im on it!!', true],
    ['Got it', true],
    ['got it 👍', true],
    ['YES', true],
    ['yes, on it', true],
    ['Taking it', true],
    ["I'll take it", true],
    ['  ok  ', true],
    ['👍', true],
    ['ok?', false],
    ['2', false],
    ['10', false],
    ['no', false],
    ['not ok', false],
    ["can't, I'm out of town", false],
    ['on it in an hour', false],
    ["what's the address", false],
    ['yesterday', false],
    ['okay so who is it', false],
    ['STOP', false],
    ['', false],
    ['   ', false],
  ];
  for (const [text, takes] of cases) assert.equal(isAcknowledgement(text), takes, JSON.stringify(text));
});

/**
 * On-call acknowledgement end to end: the emergency pages go out through the
 * outbox to a Twilio stand-in; the technician's reply arrives as a signed
 * inbound SMS webhook; what was still waiting never leaves.
 */
forEachDialect('on-call acknowledgement', (world) => {
  const ACCOUNT = `AC${'ab'.repeat(16)}`;
  let ctx: AppContext;
  let app: FastifyInstance;
  let standin: TwilioStandin;
  before(async () => {
    standin = await startTwilioStandin({ accountSid: ACCOUNT, authToken: AUTH_TOKEN });
    const base = voiceContext(world().ctx);
    ctx = { ...base, config: { ...base.config, twilio: { ...base.config.twilio!, apiBaseUrl: standin.baseUrl } } };
    app = await voiceApp(ctx);
  });
  after(async () => {
    await app?.close();
    await standin?.close();
  });

  const db = () => world().db.kysely;
  const clock = () => world().clock;
  /** The worker's send pass at the current (virtual) time, to the Twilio stand-in. */
  const dispatch = () => dispatchQueued(ctx, { sms: createTwilioSmsProvider(ctx.config.twilio!), email: createDevProvider('email') }, { workerId: 'ack-test', limit: 500 });
  const receivedBy = (phone: string) => standin.messages.filter((m) => m.to === phone).map((m) => m.body);
  const outboxTo = (businessId: string, to: string) => db().selectFrom('outbox').selectAll().where('business_id', '=', businessId).where('to_address', '=', to).orderBy('created_at').orderBy('not_before').execute();
  const callDecision = async (businessId: string, callSid: string) =>
    JSON.parse((await db().selectFrom('voice_calls').select('decision').where('business_id', '=', businessId).where('call_sid', '=', callSid).executeTakeFirstOrThrow()).decision!);
  const text = async (from: string, to: string, body: string) => {
    const res = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/sms`, { AccountSid: ACCOUNT, MessageSid: `SM${randomBytes(16).toString('hex')}`, From: from, To: to, Body: body, NumMedia: '0' });
    assert.equal(res.statusCode, 200, res.body);
    const reply = /<Message>([\s\S]*?)<\/Message>/.exec(res.body)?.[1] ?? null;
    return reply?.replace(/&apos;/g, "'").replace(/&amp;/g, '&') ?? null;
  };
  const contactsWithPhone = (businessId: string, phone: string) => db().selectFrom('contacts').select('id').where('business_id', '=', businessId).where('phone', '=', phone).execute();

  /** 2 a.m.: a caller says there is a gas smell and hangs up; the on-call chain is paged by text, one window (5 min) apart. */
  async function hungUpEmergency(b: VoiceBusiness, from: string) {
    clock().set(TUESDAY_2AM);
    const call = new SimulatedCall(app, from, b.number);
    await call.start();
    await call.say('Dana Whitfield');
    await call.say('I smell gas in the basement');
    await call.hangUp(30);
    const [task] = await db().selectFrom('tasks').selectAll().where('business_id', '=', b.scope.businessId).where('origin_ref', '=', `call:${call.callSid}`).execute();
    return { call, task };
  }

  test('the primary replies OK: later escalations are cancelled, never sent; the call records who has it; no lead is made', async () => {
    const b = await voiceBusiness(ctx);
    const { call } = await hungUpEmergency(b, '+15125550301');
    await dispatch();
    assert.equal(receivedBy(b.tech1.phone).length, 1);
    assert.match(receivedBy(b.tech1.phone)[0], /EMERGENCY.*Dana Whitfield.*Reply 1 or OK to take it\.$/s);

    clock().advance(90_000);
    assert.equal(await text(b.tech1.phone, b.number, 'OK'), null, 'the confirmation goes through the outbox, not the webhook reply');

    for (const person of [b.tech2, b.owner]) {
      const [page] = await outboxTo(b.scope.businessId, person.phone);
      assert.equal(page.state, 'cancelled');
      assert.match(page.last_error!, /^escalation stopped: Tomas Reyes replied to the page/);
    }
    const decision = await callDecision(b.scope.businessId, call.callSid);
    assert.equal(decision.acknowledged.userId, b.tech1.id);
    assert.equal(decision.acknowledged.via, 'sms');
    assert.equal(decision.acknowledged.at, new Date(new Date(TUESDAY_2AM).getTime() + 90_000).toISOString());
    assert.equal(decision.acknowledged.cancelledOutboxIds.length, 2);
    const [logged] = await db().selectFrom('interactions').select('metadata').where('business_id', '=', b.scope.businessId).where('external_id', '=', call.callSid).execute();
    assert.equal(JSON.parse(logged.metadata).acknowledgedBy, 'Tomas Reyes');
    assert.equal(JSON.parse(logged.metadata).acknowledgedVia, 'sms');
    // A team member's text is not a customer: no contact, no inbound interaction.
    assert.equal((await contactsWithPhone(b.scope.businessId, b.tech1.phone)).length, 0);

    // The escalation windows pass: only the confirmation leaves.
    clock().advance(20 * 60_000);
    await dispatch();
    assert.deepEqual(receivedBy(b.tech2.phone), []);
    assert.deepEqual(receivedBy(b.owner.phone), []);
    assert.equal(receivedBy(b.tech1.phone).length, 2);
    assert.match(receivedBy(b.tech1.phone)[1], /it's yours, the emergency for Dana Whitfield \(\+15125550301\)\. Escalation stopped\.$/);
    // Twilio retrying the same reply, or a second OK, changes nothing.
    assert.match((await text(b.tech1.phone, b.number, 'ok'))!, /you already have the emergency for Dana Whitfield/);
    assert.equal((await outboxTo(b.scope.businessId, b.tech1.phone)).length, 2);
  });

  test('after an escalation, the second person takes it: the first is told who has it, the owner is never paged, a late OK is told it is taken', async () => {
    const b = await voiceBusiness(ctx);
    const { call, task } = await hungUpEmergency(b, '+15125550302');
    await dispatch();
    clock().advance(5 * 60_000);
    await dispatch();
    assert.equal(receivedBy(b.tech2.phone).length, 1, 'the escalation window passed: the next person was paged');
    assert.match(receivedBy(b.tech2.phone)[0], /Escalated: Tomas Reyes was texted 5 min ago\. Reply 1 or OK to take it\.$/);

    clock().advance(60_000);
    assert.equal(await text(b.tech2.phone, b.number, 'on it!'), null);
    clock().advance(60_000);
    await dispatch();
    assert.match(receivedBy(b.tech1.phone).at(-1)!, /Tina Brooks has the emergency for Dana Whitfield \(\+15125550302\)\. No need to act\.$/);
    assert.match(receivedBy(b.tech2.phone).at(-1)!, /it's yours.*the others paged know you have it\.$/);
    const [ownerPage] = await outboxTo(b.scope.businessId, b.owner.phone);
    assert.equal(ownerPage.state, 'cancelled');
    const [reassigned] = await db().selectFrom('tasks').select('assignee_user_id').where('id', '=', task.id).execute();
    assert.equal(reassigned.assignee_user_id, b.tech2.id, 'the urgent task goes to whoever took it');

    assert.match((await text(b.tech1.phone, b.number, 'OK'))!, /Tina Brooks already has the emergency for Dana Whitfield/);
    assert.equal((await callDecision(b.scope.businessId, call.callSid)).acknowledged.userId, b.tech2.id);
    clock().advance(30 * 60_000);
    await dispatch();
    assert.deepEqual(receivedBy(b.owner.phone), []);
    assert.equal((await contactsWithPhone(b.scope.businessId, b.tech1.phone)).length, 0);
    assert.equal((await contactsWithPhone(b.scope.businessId, b.tech2.phone)).length, 0);
  });

  test('anything else from a paged technician is answered with how to take it; a customer saying OK is still a customer', async () => {
    const b = await voiceBusiness(ctx);
    const { call } = await hungUpEmergency(b, '+15125550303');
    await dispatch();
    assert.equal(await text(b.tech1.phone, b.number, "what's the address?"), `${(await db().selectFrom('businesses').select('name').where('id', '=', b.scope.businessId).executeTakeFirstOrThrow()).name}: to take the emergency for Dana Whitfield, reply 1 or OK to take it.`);
    assert.equal((await outboxTo(b.scope.businessId, b.tech2.phone))[0].state, 'queued', 'a question does not stop the escalation');
    assert.equal((await contactsWithPhone(b.scope.businessId, b.tech1.phone)).length, 0);
    // The caller (a customer) texting OK is a customer's reply, logged on their timeline; it takes nothing.
    assert.equal(await text('+15125550303', b.number, 'OK'), null);
    assert.equal((await contactsWithPhone(b.scope.businessId, '+15125550303')).length, 1);
    assert.equal((await callDecision(b.scope.businessId, call.callSid)).acknowledged, undefined);
    // A technician of another business is nobody's team member here: their OK cannot take this business's page.
    const other = await voiceBusiness(ctx);
    assert.equal(await text(other.tech1.phone, b.number, 'OK'), null);
    assert.equal((await callDecision(b.scope.businessId, call.callSid)).acknowledged, undefined);
    assert.equal((await outboxTo(b.scope.businessId, b.tech2.phone))[0].state, 'queued');
    // An OK from a team member with nothing paged is told so.
    assert.match((await text(b.office.phone, b.number, 'ok'))!, /there is no page waiting for you/);
  });

  test('the urgent task marked done through the tasks API acknowledges it; assigning it to yourself does too', async () => {
    const b = await voiceBusiness(ctx);
    const { call, task } = await hungUpEmergency(b, '+15125550304');
    await dispatch();
    const login = async (email: string) => {
      const res = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password: 'correct horse battery' }) });
      assert.equal(res.statusCode, 200, res.body);
      return res.cookies.find((c) => c.name === 'kinetic_session')!.value;
    };
    const owner = await login(`owner1-${b.scope.businessId.slice(-10)}@northwind.example`);
    clock().advance(2 * 60_000);
    const done = await app.inject({ method: 'PATCH', url: `/tasks/${task.id}`, cookies: { kinetic_session: owner }, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ status: 'done' }) });
    assert.equal(done.statusCode, 200, done.body);
    const decision = await callDecision(b.scope.businessId, call.callSid);
    assert.equal(decision.acknowledged.userId, b.owner.id);
    assert.equal(decision.acknowledged.via, 'task');
    assert.equal((await outboxTo(b.scope.businessId, b.tech2.phone))[0].state, 'cancelled');
    clock().advance(30 * 60_000);
    await dispatch();
    assert.match(receivedBy(b.tech1.phone).at(-1)!, /Olivia Owner has the emergency for Dana Whitfield/);
    assert.deepEqual(receivedBy(b.tech2.phone), []);
    assert.equal(receivedBy(b.owner.phone).length, 1, 'only the confirmation: the escalation to the owner was cancelled');
    assert.match(receivedBy(b.owner.phone)[0], /it's yours/);

    // Another call: the second technician assigns the task to themselves (taking it) with their own login.
    const second = await hungUpEmergency(b, '+15125550305');
    const tech2 = await login(`technician4-${b.scope.businessId.slice(-10)}@northwind.example`);
    const taken = await app.inject({ method: 'PATCH', url: `/tasks/${second.task.id}`, cookies: { kinetic_session: tech2 }, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ assigneeUserId: b.tech2.id }) });
    assert.equal(taken.statusCode, 200, taken.body);
    assert.equal((await callDecision(b.scope.businessId, second.call.callSid)).acknowledged.userId, b.tech2.id);
    // An API key marking a task done is nobody in particular: still acknowledged, by the office.
    const third = await hungUpEmergency(b, '+15125550306');
    const { key } = await createApiKey(ctx, b.scope, { name: 'zapier' });
    const viaKey = await app.inject({ method: 'PATCH', url: `/tasks/${third.task.id}`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ status: 'done' }) });
    assert.equal(viaKey.statusCode, 200, viaKey.body);
    const ack = (await callDecision(b.scope.businessId, third.call.callSid)).acknowledged;
    assert.deepEqual([ack.userId, ack.name, ack.via], [null, 'The office', 'task']);
    // Another business's task route cannot reach this task.
    const other = await voiceBusiness(ctx);
    const { key: otherKey } = await createApiKey(ctx, other.scope, { name: 'other' });
    const fourth = await hungUpEmergency(b, '+15125550307');
    const cross = await app.inject({ method: 'PATCH', url: `/tasks/${fourth.task.id}`, headers: { authorization: `Bearer ${otherKey}`, 'content-type': 'application/json' }, payload: JSON.stringify({ status: 'done' }) });
    assert.equal(cross.statusCode, 404);
    assert.equal((await callDecision(b.scope.businessId, fourth.call.callSid)).acknowledged, undefined);
  });

  test('on the live dial: answering takes it and the others paged are told; a text reply meanwhile stops the dialling', async () => {
    const b = await voiceBusiness(ctx);
    clock().set(TUESDAY_2AM);
    const call = new SimulatedCall(app, '+15125550308', b.number);
    await call.start();
    await call.say('Marta Quinn');
    await call.say('yes');
    await call.say('3 Bay Street');
    await call.say('the breaker panel is sparking');
    await dispatch();
    await call.dialEnds('no-answer');
    await dispatch();
    await call.dialEnds('completed');
    await call.hangUp(120);
    await dispatch();
    const decision = await callDecision(b.scope.businessId, call.callSid);
    assert.equal(decision.acknowledged.userId, b.tech2.id);
    assert.equal(decision.acknowledged.via, 'dial');
    assert.match(receivedBy(b.tech1.phone).at(-1)!, /Tina Brooks has the emergency for Marta Quinn/);

    // Second call: the primary misses the dial but replies OK while the line is still up; the next dial result ends the escalation.
    const again = new SimulatedCall(app, '+15125550309', b.number);
    await again.start();
    await again.say('Sam Hill');
    await again.say('yes');
    await again.say('9 Pine Road');
    await again.say('the breaker panel is sparking');
    await dispatch();
    assert.equal(await text(b.tech1.phone, b.number, '1'), null);
    const verbs = await again.dialEnds('no-answer');
    assert.deepEqual(verbs.map((v) => v.kind), ['Say', 'Hangup']);
    assert.match(again.find('Say').text, /^Tomas has your details and will call you back at 5 1 2, 5 5 5, 0 3 0 9/);
    assert.equal((await outboxTo(b.scope.businessId, b.tech2.phone)).filter((m) => m.body.includes('Sam Hill')).length, 0, 'the next technician is not paged');
  });

  test("an automation's on-call route page is taken by a reply too: the step goes on instead of escalating", async () => {
    const b = await voiceBusiness(ctx);
    clock().set(TUESDAY_2AM);
    await createAutomation(ctx, b.scope, { enabled: true, definition: { name: 'Page on-call for new leads', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'route', mode: 'on_call' }] } });
    const lead = await createContact(ctx, b.scope, { name: 'Ravi Patel', phone: '+15125550310', lifecycleStage: 'lead', source: 'web_form' });
    await runDueEnrollments(ctx, 'ack-test');
    await dispatch();
    assert.equal(receivedBy(b.tech1.phone).length, 1);
    const [enrollment] = await db().selectFrom('enrollments').selectAll().where('business_id', '=', b.scope.businessId).where('contact_id', '=', lead.id).execute();
    clock().advance(60_000);
    assert.equal(await text(b.tech1.phone, b.number, 'Got it'), null);
    const after1 = await db().selectFrom('enrollments').selectAll().where('id', '=', enrollment.id).executeTakeFirstOrThrow();
    const page = JSON.parse(after1.vars).page;
    assert.equal(page.acked, true);
    assert.equal(page.ackedBy, b.tech1.id);
    assert.equal(after1.next_run_at, clock().now().toISOString());
    clock().advance(10 * 60_000);
    await runDueEnrollments(ctx, 'ack-test');
    await dispatch();
    const log = await db().selectFrom('enrollment_log').select(['outcome', 'detail']).where('enrollment_id', '=', enrollment.id).orderBy('seq').execute();
    assert.deepEqual(log.map((l) => l.outcome).filter((o) => ['paged', 'acknowledged'].includes(o)), ['paged', 'acknowledged', 'acknowledged']);
    assert.equal(JSON.parse(log.find((l) => l.outcome === 'acknowledged')!.detail).via, 'sms');
    assert.deepEqual(receivedBy(b.tech2.phone), [], 'the escalation never happens');
    assert.match(receivedBy(b.tech1.phone).at(-1)!, /it's yours, the page for Ravi Patel\. Escalation stopped\.$/);
    assert.equal((await contactsWithPhone(b.scope.businessId, b.tech1.phone)).length, 0);
  });

  const login = async (email: string) => {
    const res = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password: 'correct horse battery' }) });
    assert.equal(res.statusCode, 200, res.body);
    return res.cookies.find((c) => c.name === 'kinetic_session')!.value;
  };
  /** A new lead at 2 a.m. enrols in an on-call route automation; the primary (Tomas) is paged and the page leaves. */
  async function pagedLead(b: VoiceBusiness, name: string, phone: string) {
    clock().set(TUESDAY_2AM);
    const automations = await db().selectFrom('automations').select('id').where('business_id', '=', b.scope.businessId).execute();
    if (!automations.length) await createAutomation(ctx, b.scope, { enabled: true, definition: { name: 'Page on-call for new leads', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'route', mode: 'on_call' }] } });
    const lead = await createContact(ctx, b.scope, { name, phone, lifecycleStage: 'lead', source: 'web_form' });
    await runDueEnrollments(ctx, 'ack-test');
    await dispatch();
    const [enrollment] = await db().selectFrom('enrollments').selectAll().where('business_id', '=', b.scope.businessId).where('contact_id', '=', lead.id).execute();
    return enrollment.id;
  }
  const ackKeys = (enrollmentId: string) =>
    db().selectFrom('outbox').select(['idempotency_key', 'to_address', 'body']).where('idempotency_key', 'like', `enr:${enrollmentId}:%`).where('idempotency_key', 'not like', '%:page:%').orderBy('idempotency_key').execute();
  const pageVars = async (enrollmentId: string) => JSON.parse((await db().selectFrom('enrollments').select('vars').where('id', '=', enrollmentId).executeTakeFirstOrThrow()).vars).page;

  test('POST /enrollments/:id/ack does what a reply does: the caller is confirmed, those paged are told who has it, once; the step goes on instead of escalating', async () => {
    const b = await voiceBusiness(ctx);
    const id = await pagedLead(b, 'Nadia Cole', '+15125550311');
    assert.equal(receivedBy(b.tech1.phone).length, 1, 'the primary was paged');
    const tina = await login(`technician4-${b.scope.businessId.slice(-10)}@northwind.example`);
    clock().advance(2 * 60_000);
    const res = await app.inject({ method: 'POST', url: `/enrollments/${id}/ack`, cookies: { kinetic_session: tina } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      [res.json().vars.page.acked, res.json().vars.page.ackedBy, res.json().vars.page.ackedByName, res.json().vars.page.via],
      [true, b.tech2.id, 'Tina Brooks', 'api'],
    );
    const notices = await ackKeys(id);
    assert.deepEqual(
      notices.map((n) => [n.idempotency_key, n.to_address]),
      [[`enr:${id}:ack:${b.tech2.id}`, b.tech2.phone], [`enr:${id}:taken:${b.tech1.id}`, b.tech1.phone]],
    );

    // Acking again, by the same person or another, is refused and queues nothing more.
    const again = await app.inject({ method: 'POST', url: `/enrollments/${id}/ack`, cookies: { kinetic_session: tina } });
    assert.equal(again.statusCode, 409, again.body);
    assert.match(again.json().message ?? again.body, /you already have this page/);
    const tomas = await login(`technician3-${b.scope.businessId.slice(-10)}@northwind.example`);
    const late = await app.inject({ method: 'POST', url: `/enrollments/${id}/ack`, cookies: { kinetic_session: tomas } });
    assert.equal(late.statusCode, 409, late.body);
    assert.match(late.body, /Tina Brooks already has this page/);
    // A reply from the primary is told who has it, and takes nothing.
    assert.equal(await text(b.tech1.phone, b.number, 'OK'), `${(await db().selectFrom('businesses').select('name').where('id', '=', b.scope.businessId).executeTakeFirstOrThrow()).name}: Tina Brooks already has the page for Nadia Cole.`);
    assert.equal((await ackKeys(id)).length, 2);
    assert.equal((await pageVars(id)).ackedBy, b.tech2.id);

    // The escalation window passes: the step continues; Tina gets her confirmation, never a page.
    clock().advance(10 * 60_000);
    await runDueEnrollments(ctx, 'ack-test');
    await dispatch();
    await dispatch();
    assert.deepEqual(receivedBy(b.tech2.phone).length, 1, 'only the confirmation');
    assert.match(receivedBy(b.tech2.phone)[0], /it's yours, the page for Nadia Cole\. Escalation stopped; the others paged know you have it\.$/);
    assert.equal(receivedBy(b.tech1.phone).length, 2);
    assert.match(receivedBy(b.tech1.phone)[1], /Tina Brooks has the page for Nadia Cole\. No need to act\.$/);
    const enrollment = await db().selectFrom('enrollments').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(enrollment.status, 'completed');
    const log = await db().selectFrom('enrollment_log').select(['outcome', 'detail']).where('enrollment_id', '=', id).orderBy('seq').execute();
    assert.deepEqual(log.map((l) => l.outcome).filter((o) => ['paged', 'acknowledged', 'unacknowledged'].includes(o)), ['paged', 'acknowledged', 'acknowledged']);
    assert.deepEqual(JSON.parse(log.find((l) => l.outcome === 'acknowledged')!.detail), { by: { type: 'user', id: b.tech2.id }, name: 'Tina Brooks', via: 'api' });
    const audit = await db().selectFrom('audit_log').select('changes').where('business_id', '=', b.scope.businessId).where('entity_type', '=', 'enrollment').where('entity_id', '=', id).execute();
    assert.equal(audit.length, 1, 'one audited acknowledgement; the refused ones left nothing');
  });

  test('an API key or the CLI acks as "The office": everyone paged is told, nobody is confirmed; another business cannot ack it', async () => {
    const b = await voiceBusiness(ctx);
    const id = await pagedLead(b, 'Owen Pratt', '+15125550312');
    clock().advance(5 * 60_000);
    await runDueEnrollments(ctx, 'ack-test');
    await dispatch();
    assert.equal(receivedBy(b.tech2.phone).length, 1, 'nobody took it: the page escalated to the second technician');

    const other = await voiceBusiness(ctx);
    const { key: otherKey } = await createApiKey(ctx, other.scope, { name: 'other' });
    const cross = await app.inject({ method: 'POST', url: `/enrollments/${id}/ack`, headers: { authorization: `Bearer ${otherKey}` } });
    assert.equal(cross.statusCode, 404);
    assert.equal((await pageVars(id)).acked, undefined);

    const { key } = await createApiKey(ctx, b.scope, { name: 'zapier' });
    const res = await app.inject({ method: 'POST', url: `/enrollments/${id}/ack`, headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.statusCode, 200, res.body);
    const page = await pageVars(id);
    assert.deepEqual([page.ackedBy, page.ackedByName, page.via], [null, 'The office', 'api']);
    assert.deepEqual(
      (await ackKeys(id)).map((n) => [n.idempotency_key, n.body.replace(/^.*?: /, '')]),
      [
        [`enr:${id}:taken:${b.tech1.id}`, 'The office has the page for Owen Pratt. No need to act.'],
        [`enr:${id}:taken:${b.tech2.id}`, 'The office has the page for Owen Pratt. No need to act.'],
      ],
    );
    assert.equal((await app.inject({ method: 'POST', url: `/enrollments/${id}/ack`, headers: { authorization: `Bearer ${key}` } })).statusCode, 409);
    assert.equal((await ackKeys(id)).length, 2);
    clock().advance(10 * 60_000);
    await runDueEnrollments(ctx, 'ack-test');
    await dispatch();
    assert.equal(receivedBy(b.tech1.phone).length, 2);
    assert.equal(receivedBy(b.tech2.phone).length, 2);
    assert.match(receivedBy(b.tech2.phone)[1], /The office has the page for Owen Pratt/);

    // `kinetic enrollment ack <id>` (the CLI's scope): the same, recorded as taken from the CLI.
    const second = await pagedLead(b, 'Priya Shah', '+15125550313');
    const cli = { businessId: b.scope.businessId, actor: { type: 'cli' as const, id: null } };
    const acked = await controlEnrollment(ctx, cli, second, 'ack');
    assert.deepEqual([(acked.vars.page as { ackedByName: string }).ackedByName, (acked.vars.page as { via: string }).via], ['The office', 'cli']);
    assert.deepEqual((await ackKeys(second)).map((n) => n.idempotency_key), [`enr:${second}:taken:${b.tech1.id}`]);
    await assert.rejects(controlEnrollment(ctx, cli, second, 'ack'), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /The office already has this page/.test(e.message));
    assert.equal((await ackKeys(second)).length, 1);
  });
});
