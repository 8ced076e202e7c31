import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/context.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { installPlaybook } from '../../src/playbooks/install.ts';
import { forEachDialect } from '../helpers/db.ts';
import { OPEN_MONDAY_9AM, TUESDAY_2AM, TUESDAY_9PM, voiceApp, voiceBusiness, voiceContext } from './setup.ts';
import { PUBLIC_URL, SimulatedCall, postSigned, sign } from './twilio-caller.ts';

/**
 * Whole calls driven over HTTP by a stand-in for Twilio: signed webhooks,
 * TwiML back, action URLs followed — the receptionist's decisions checked in
 * the database afterwards.
 */
forEachDialect('voice calls', (world) => {
  let ctx: AppContext;
  let app: FastifyInstance;
  before(async () => {
    ctx = voiceContext(world().ctx);
    app = await voiceApp(ctx);
  });
  after(async () => app?.close());

  const db = () => world().db.kysely;
  const callRow = async (businessId: string, callSid: string) =>
    db().selectFrom('voice_calls').selectAll().where('business_id', '=', businessId).where('call_sid', '=', callSid).executeTakeFirstOrThrow();
  const interactionsOf = (businessId: string, callSid: string) =>
    db().selectFrom('interactions').selectAll().where('business_id', '=', businessId).where('external_id', '=', callSid).execute();
  const eventsOf = (businessId: string, type: string) => db().selectFrom('events').selectAll().where('business_id', '=', businessId).where('type', '=', type).execute();
  const outboxTo = (businessId: string, to: string) => db().selectFrom('outbox').selectAll().where('business_id', '=', businessId).where('to_address', '=', to).execute();
  const tasksOf = (businessId: string, callSid: string) => db().selectFrom('tasks').selectAll().where('business_id', '=', businessId).where('origin_ref', '=', `call:${callSid}`).execute();
  const contactByPhone = (businessId: string, phone: string) => db().selectFrom('contacts').selectAll().where('business_id', '=', businessId).where('phone', '=', phone).executeTakeFirst();

  test('forged, unsigned, tampered and mis-addressed voice webhooks are refused', async () => {
    const b = await voiceBusiness(ctx);
    const url = `${PUBLIC_URL}/webhooks/twilio/voice`;
    const params = { CallSid: `CA${'1f'.repeat(16)}`, From: '+15125550177', To: b.number, CallStatus: 'ringing' };
    assert.equal((await postSigned(app, url, params, null)).statusCode, 403);
    assert.equal((await postSigned(app, url, params, sign(url, params, 'someone-elses-auth-token'))).statusCode, 403);
    assert.equal((await postSigned(app, url, { ...params, From: '+15125550999' }, sign(url, params))).statusCode, 403);
    const gather = `${PUBLIC_URL}/webhooks/twilio/voice/gather`;
    assert.equal((await postSigned(app, gather, { ...params, SpeechResult: 'hi' }, sign(`${PUBLIC_URL}/webhooks/twilio/voice/status`, { ...params, SpeechResult: 'hi' }))).statusCode, 403);
    const status = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/status`, { ...params, CallStatus: 'completed' }, 'bm90IGEgc2lnbmF0dXJl');
    assert.equal(status.statusCode, 403);
    assert.match(status.body, /X-Twilio-Signature/);
    // Correctly signed, but not a call Twilio would send us.
    const unknown = await postSigned(app, url, { ...params, To: '+15125559876' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /no business uses the number/);
    const bad = await postSigned(app, url, { ...params, CallSid: 'nope' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /CallSid/);
    assert.equal((await db().selectFrom('voice_calls').select('call_sid').where('business_id', '=', b.scope.businessId).execute()).length, 0);
  });

  test('business hours: the team rings together; answered by staff → logged as answered with duration', async () => {
    world().clock.set(OPEN_MONDAY_9AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550140', b.number);
    await call.start();
    const dial = call.find('Dial');
    assert.deepEqual(dial.numbers, [b.owner.phone, b.office.phone], 'owner and office ring at once; technicians are not rung');
    await call.start(); // Twilio retries the webhook: the same ring, not a second call
    assert.deepEqual(call.find('Dial').numbers, [b.owner.phone, b.office.phone]);
    assert.equal((await db().selectFrom('voice_calls').select('call_sid').where('business_id', '=', b.scope.businessId).execute()).length, 1);
    assert.equal(dial.attrs.timeout, '20');
    assert.equal(dial.action, `${PUBLIC_URL}/webhooks/twilio/voice/ring-result`);
    await call.dialEnds('completed');
    assert.equal(call.verbs.at(-1)?.kind, 'Hangup');
    await call.hangUp(95);
    const [logged] = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(logged.outcome, 'answered');
    assert.equal(logged.duration_seconds, 95);
    assert.equal(JSON.parse(logged.metadata).handledBy, 'staff');
    assert.equal((await eventsOf(b.scope.businessId, 'call.answered')).length, 1);
    assert.equal((await eventsOf(b.scope.businessId, 'call.missed')).length, 0);
  });

  test('business hours, nobody answers: call.missed at once (text-back), then the receptionist takes over', async () => {
    world().clock.set(OPEN_MONDAY_9AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550141', b.number);
    await call.start();
    await call.dialEnds('no-answer');
    const gather = call.find('Gather');
    assert.match(gather.prompt, /Everyone at Northwind Heating \d+ is with a customer/);
    assert.equal(gather.attrs.input, 'speech');
    assert.equal(gather.attrs.actionOnEmptyResult, 'true');
    // The missed call is on record before the caller has finished talking to the receptionist.
    const [missed] = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(missed.outcome, 'missed');
    const events = await eventsOf(b.scope.businessId, 'call.missed');
    assert.equal(events.length, 1);
    assert.equal(JSON.parse(events[0].payload).interactionId, missed.id);
    assert.equal(events[0].occurred_at, new Date(OPEN_MONDAY_9AM).toISOString());
  });

  test('with the missed-call playbook installed, a missed call in business hours is texted back within the minute', async () => {
    world().clock.set(OPEN_MONDAY_9AM);
    const b = await voiceBusiness(ctx);
    await installPlaybook(ctx, b.scope, 'missed-call-text-back', { enable: true });
    const call = new SimulatedCall(app, '+15125550152', b.number);
    await call.start();
    world().clock.advance(20_000); // the team's phones ring for 20 s
    await call.dialEnds('no-answer');
    call.find('Gather'); // the receptionist is on the line meanwhile
    world().clock.advance(5_000);
    await runDueEnrollments(ctx, 'voice-test-worker');
    const [text] = await outboxTo(b.scope.businessId, '+15125550152');
    assert.ok(text, 'the missed caller gets a text');
    assert.match(text.body, /Sorry we missed your call/);
    const missedAt = new Date(OPEN_MONDAY_9AM).getTime() + 20_000;
    assert.ok(new Date(text.not_before).getTime() - missedAt <= 60_000, `queued to go at ${text.not_before}, within 60 s of the missed ring`);
  });

  test('sequential ring tries each person in turn, then voicemail when the business prefers it', async () => {
    world().clock.set(OPEN_MONDAY_9AM);
    const b = await voiceBusiness(ctx, { ringStrategy: 'sequential', ringTimeoutSeconds: 15, whenUnanswered: 'voicemail' });
    const call = new SimulatedCall(app, '+15125550142', b.number);
    await call.start();
    assert.deepEqual(call.find('Dial').numbers, [b.owner.phone]);
    assert.equal(call.find('Dial').attrs.timeout, '15');
    await call.dialEnds('no-answer');
    assert.deepEqual(call.find('Dial').numbers, [b.office.phone]);
    await call.dialEnds('busy');
    call.find('Record');
    assert.match(call.heard.join(' '), /leave your name, number and what you need/);
    await call.recordVoicemail('https://api.twilio.com/recordings/RE1', 22);
    assert.equal(call.verbs.at(-1)?.kind, 'Hangup');
    await call.hangUp(70);
    const logged = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].outcome, 'voicemail');
    assert.equal(logged[0].duration_seconds, 70);
    assert.equal(JSON.parse(logged[0].metadata).voicemailUrl, 'https://api.twilio.com/recordings/RE1');
    assert.equal((await eventsOf(b.scope.businessId, 'call.missed')).length, 1);
  });

  test('2 a.m. gas smell: help is on the way, on-call tech dialled and texted, escalation to the next on no answer', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx, { recordCalls: true });
    const call = new SimulatedCall(app, '+15125550143', b.number);
    await call.start();
    assert.match(call.find('Gather').prompt, /^Thanks for calling Northwind Heating \d+\. .*This call may be recorded\. May I have your name/);
    await call.say('My name is Dana Whitfield');
    assert.match(call.find('Gather').prompt, /Thanks, Dana\. Is 5 1 2, 5 5 5, 0 1 4 3 the best number/);
    await call.say('Yes it is');
    assert.match(call.find('Gather').prompt, /address/);
    await call.say('1200 Elm Street, Austin');
    assert.match(call.find('Gather').prompt, /what is wrong/);
    await call.say('I smell gas in the kitchen and the kids are asleep');
    assert.match(call.find('Say').text, /^Help is on the way\. If you smell gas: leave the building now.*call your gas utility's emergency line \(or 9 1 1\) once you are outside\. I'm connecting you with our on-call technician, Tomas/);
    const dial = call.find('Dial');
    assert.deepEqual(dial.numbers, [b.tech1.phone]);
    assert.equal(dial.action, `${PUBLIC_URL}/webhooks/twilio/voice/on-call?attempt=0`);
    assert.equal(dial.attrs.record, 'record-from-answer-dual');
    const [toTech1] = await outboxTo(b.scope.businessId, b.tech1.phone);
    assert.ok(toTech1, 'the on-call technician gets the summary by text');
    for (const part of ['Dana Whitfield', '1200 Elm Street, Austin', 'I smell gas in the kitchen', '+15125550143', 'EMERGENCY']) assert.ok(toTech1.body.includes(part), `${part} in: ${toTech1.body}`);
    assert.equal(toTech1.user_id, b.tech1.id);

    await call.dialEnds('no-answer');
    assert.match(call.find('Say').text, /next technician/);
    assert.deepEqual(call.find('Dial').numbers, [b.tech2.phone]);
    assert.equal(call.find('Dial').action, `${PUBLIC_URL}/webhooks/twilio/voice/on-call?attempt=1`);
    assert.equal((await outboxTo(b.scope.businessId, b.tech2.phone)).length, 1);
    // Twilio retrying the first attempt's callback changes nothing.
    const stale = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/on-call?attempt=0`, { CallSid: call.callSid, From: call.from, To: b.number, DialCallStatus: 'no-answer' });
    assert.equal(stale.statusCode, 200);
    assert.match(stale.body, /<Hangup\/>/);
    assert.equal((await outboxTo(b.scope.businessId, b.tech2.phone)).length, 1);

    await call.dialEnds('completed');
    assert.equal(call.verbs.at(-1)?.kind, 'Hangup');
    const recording = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/recording`, { CallSid: call.callSid, From: call.from, To: b.number, RecordingUrl: 'https://api.twilio.com/rec/RE9', RecordingDuration: '80' });
    assert.equal(recording.statusCode, 204);
    await call.hangUp(240);

    const row = await callRow(b.scope.businessId, call.callSid);
    const decision = JSON.parse(row.decision!);
    assert.equal(decision.route, 'emergency');
    const [completed] = await eventsOf(b.scope.businessId, 'call.intake_completed');
    assert.equal(JSON.parse(completed.payload).route, 'emergency');
    assert.equal(JSON.parse(completed.payload).urgency, 'emergency');
    assert.equal(decision.onCall.answeredBy, b.tech2.id);
    const [logged] = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(logged.outcome, 'completed');
    assert.equal(logged.duration_seconds, 240);
    assert.match(logged.body!, /Caller: I smell gas in the kitchen/);
    assert.match(logged.body!, /Receptionist: Thanks for calling/);
    assert.equal(JSON.parse(logged.metadata).urgency, 'emergency');
    assert.equal(JSON.parse(logged.metadata).recordingUrl, 'https://api.twilio.com/rec/RE9');
    const contact = await contactByPhone(b.scope.businessId, '+15125550143');
    assert.equal(contact?.display_name, 'Dana Whitfield');
    assert.equal(contact?.address_line1, '1200 Elm Street, Austin');
  });

  test('the same emergency call against the started server over real HTTP', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const server = await voiceApp(ctx);
    const address = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const call = new SimulatedCall({ listeningAt: address }, '+15125550154', b.number);
      await call.start();
      await call.say('Marta Quinn');
      await call.say('yes');
      await call.say('3 Bay Street');
      await call.say('the breaker panel is sparking');
      assert.deepEqual(call.find('Dial').numbers, [b.tech1.phone]);
      await call.dialEnds('completed');
      await call.hangUp(130);
      const forged = await postSigned({ listeningAt: address }, `${PUBLIC_URL}/webhooks/twilio/voice/status`, { CallSid: call.callSid, From: call.from, To: b.number, CallStatus: 'completed' }, 'Zm9yZ2Vk');
      assert.equal(forged.statusCode, 403);
      const [logged] = await interactionsOf(b.scope.businessId, call.callSid);
      assert.equal(logged.outcome, 'completed');
      assert.equal(logged.duration_seconds, 130);
      // The page, then (answering the dial took it) the confirmation with the caller's details.
      const toTech1 = await outboxTo(b.scope.businessId, b.tech1.phone);
      assert.equal(toTech1.length, 2);
      assert.equal(toTech1.filter((m) => /Reply 1 or OK to take it\.$/.test(m.body)).length, 1);
      assert.equal(toTech1.filter((m) => /it's yours, the emergency for Marta Quinn/.test(m.body)).length, 1);
    } finally {
      await server.close();
    }
  });

  test('emergency with nobody on call answering: the owner is texted and an urgent task is due now', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550144', b.number);
    await call.start();
    await call.say("It's Sam Ortiz");
    await call.say('yes');
    await call.say('44 Lake Road');
    await call.say('Water is pouring through the ceiling from a burst pipe');
    await call.dialEnds('no-answer');
    await call.dialEnds('failed');
    assert.match(call.find('Say').text, /alerted the whole team/);
    assert.equal(call.verbs.at(-1)?.kind, 'Hangup');
    const [toOwner] = await outboxTo(b.scope.businessId, b.owner.phone);
    assert.match(toOwner.body, /No on-call technician answered/);
    const [task] = await tasksOf(b.scope.businessId, call.callSid);
    assert.match(task.title, /^EMERGENCY: call back Sam Ortiz/);
    assert.equal(task.due_at, new Date(TUESDAY_2AM).toISOString());
  });

  test('9 p.m. routine request: lead with name, address and callback number, booking text held for quiet hours', async () => {
    world().clock.set(TUESDAY_9PM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550145', b.number);
    await call.start();
    await call.say('Hi, this is Priya Natarajan');
    await call.say('No, use my cell');
    assert.match(call.find('Gather').prompt, /best number to call you back/);
    await call.say('512 555 0199');
    await call.say('77 Congress Avenue');
    await call.say("I'd like to schedule a furnace tune-up sometime next week");
    const said = call.find('Say').text;
    assert.match(said, /^Thank you, Priya\. I'm texting you at 8 AM tomorrow with /);
    assert.equal(call.verbs.at(-1)?.kind, 'Hangup');
    const contact = await contactByPhone(b.scope.businessId, '+15125550145');
    assert.ok(contact);
    assert.equal(contact.display_name, 'Priya Natarajan');
    assert.equal(contact.lifecycle_stage, 'lead');
    assert.equal(contact.source, 'inbound_call');
    assert.ok(JSON.parse(contact.phones).some((p: { number: string }) => p.number === '+15125550199'));
    assert.equal((await eventsOf(b.scope.businessId, 'lead.created')).length, 1);
    const [text] = await outboxTo(b.scope.businessId, '+15125550199');
    assert.ok(text, 'the booking text goes to the callback number');
    assert.equal(text.contact_id, contact.id);
    assert.match(text.body, /Priya/);
    assert.match(text.body, /https?:\/\/\S+|openings/);
    assert.equal(text.not_before, '2026-03-04T14:00:00.000Z', 'quiet hours: held until 8:00 in Chicago');
    assert.equal(JSON.parse((await callRow(b.scope.businessId, call.callSid)).decision!).route, 'routine');
  });

  test('unclear request and "a real person, please" become callback tasks for the morning', async () => {
    world().clock.set(TUESDAY_9PM);
    const b = await voiceBusiness(ctx);
    const vague = new SimulatedCall(app, '+15125550146', b.number);
    await vague.start();
    await vague.say('Lee Chang');
    await vague.say('yes');
    await vague.say('9 Pine Street');
    await vague.say('um I was wondering about something');
    assert.match(vague.find('Say').text, /Someone will call you back tomorrow at 8 AM at 5 1 2, 5 5 5, 0 1 4 6/);
    const [task] = await tasksOf(b.scope.businessId, vague.callSid);
    assert.match(task.title, /^Call back Lee Chang: unclear request/);
    assert.equal(task.due_at, '2026-03-04T14:00:00.000Z');
    assert.match(task.description!, /Address: 9 Pine Street/);

    const person = new SimulatedCall(app, '+15125550147', b.number);
    await person.start();
    await person.say('Can I talk to a real person please');
    assert.match(person.find('Say').text, /call you back tomorrow at 8 AM/);
    const [t2] = await tasksOf(b.scope.businessId, person.callSid);
    assert.match(t2.title, /asked for a person/);
  });

  test('silence is re-asked, then skipped; the intake always ends within the turn limit', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx, { maxReprompts: 2, maxTurns: 8 });
    const call = new SimulatedCall(app, '+15125550148', b.number);
    await call.start();
    await call.say(null);
    assert.match(call.find('Gather').prompt, /^Sorry, I didn't catch that\. May I have your name/);
    await call.say(null);
    assert.match(call.find('Gather').prompt, /^Sorry, I didn't catch that/);
    await call.say(null);
    assert.match(call.find('Gather').prompt, /^Let's move on\. Is 5 1 2/);
    let turns = 3;
    while (call.verbs.some((v) => v.kind === 'Gather')) {
      await call.say(null);
      turns++;
      assert.ok(turns <= 8, 'never more turns than the limit');
    }
    assert.equal(call.verbs.at(-1)?.kind, 'Hangup');
    const decision = JSON.parse((await callRow(b.scope.businessId, call.callSid)).decision!);
    assert.equal(decision.route, 'callback');
    assert.equal((await tasksOf(b.scope.businessId, call.callSid)).length, 1);
  });

  test('hanging up after giving a name: partial lead, abandoned call with text-back event, follow-up task; callbacks are idempotent', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550149', b.number);
    await call.start();
    await call.say('Jordan Blake');
    await call.hangUp(25);
    await call.hangUp(25); // Twilio retries
    const contact = await contactByPhone(b.scope.businessId, '+15125550149');
    assert.equal(contact?.display_name, 'Jordan Blake');
    assert.equal(contact?.lifecycle_stage, 'lead');
    const logged = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].outcome, 'abandoned');
    assert.equal(logged[0].duration_seconds, 25);
    assert.match(logged[0].body!, /Caller: Jordan Blake/);
    assert.equal((await eventsOf(b.scope.businessId, 'call.missed')).length, 1);
    const tasks = await tasksOf(b.scope.businessId, call.callSid);
    assert.equal(tasks.length, 1);
    assert.match(tasks[0].title, /Jordan Blake: hung up during intake/);
    // A webhook arriving after the call ended does not restart it.
    const late = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/gather`, { CallSid: call.callSid, From: call.from, To: b.number, SpeechResult: 'hello?' });
    assert.equal(late.statusCode, 200);
    assert.match(late.body, /<Hangup\/>/);
  });

  test('an emergency said before hanging up mid-intake: on-call texted with the summary, escalation texts, urgent task — once, whatever Twilio retries', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550160', b.number);
    await call.start();
    await call.say('Dana Whitfield');
    await call.say('I smell gas in the basement'); // asked to confirm the number; the emergency is kept as the problem
    assert.match(call.find('Gather').prompt, /^I understand, that sounds urgent/);
    // The caller hangs up; Twilio delivers the status callback twice at once, then retries it again.
    await Promise.all([call.hangUp(30), call.hangUp(30)]);
    await call.hangUp(30);

    const now = new Date(TUESDAY_2AM).getTime();
    const toTech1 = await outboxTo(b.scope.businessId, b.tech1.phone);
    assert.equal(toTech1.length, 1, 'the on-call technician is texted once');
    for (const part of ['EMERGENCY', 'Dana Whitfield', '+15125550160', 'Address: not given', 'I smell gas in the basement', 'hung up']) assert.ok(toTech1[0].body.includes(part), `${part} in: ${toTech1[0].body}`);
    assert.equal(toTech1[0].user_id, b.tech1.id);
    assert.equal(toTech1[0].not_before, new Date(now).toISOString(), 'the primary is texted now');
    // Nobody can be dialled for a caller who is gone: the escalation order is followed by text, one window apart.
    const toTech2 = await outboxTo(b.scope.businessId, b.tech2.phone);
    assert.equal(toTech2.length, 1);
    assert.equal(toTech2[0].not_before, new Date(now + 5 * 60_000).toISOString());
    assert.match(toTech2[0].body, /Escalated: Tomas Reyes was texted 5 min ago/);
    const toOwner = await outboxTo(b.scope.businessId, b.owner.phone);
    assert.equal(toOwner.length, 1);
    assert.equal(toOwner[0].not_before, new Date(now + 10 * 60_000).toISOString());
    assert.match(toOwner[0].body, /No on-call technician answered/);
    assert.equal((await outboxTo(b.scope.businessId, b.office.phone)).length, 0, 'an agent is not paged');

    const tasks = await tasksOf(b.scope.businessId, call.callSid);
    assert.equal(tasks.length, 1, 'one urgent task, and no ordinary callback task');
    assert.match(tasks[0].title, /^EMERGENCY: call back Dana Whitfield now/);
    assert.equal(tasks[0].due_at, new Date(now).toISOString());
    assert.equal(tasks[0].assignee_user_id, b.tech1.id);
    assert.match(tasks[0].description!, /Problem: I smell gas in the basement/);

    const logged = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].outcome, 'abandoned');
    assert.equal(logged[0].duration_seconds, 30);
    assert.match(logged[0].subject!, /^Phone call: emergency \(the caller hung up at the confirm number question after describing an emergency/);
    assert.match(logged[0].body!, /Problem: I smell gas in the basement/);
    const meta = JSON.parse(logged[0].metadata);
    assert.equal(meta.decision, 'emergency');
    assert.equal(meta.urgency, 'emergency');
    const decision = JSON.parse((await callRow(b.scope.businessId, call.callSid)).decision!);
    assert.equal(decision.route, 'emergency');
    assert.deepEqual(decision.paged.map((p: { userId: string }) => p.userId), [b.tech1.id, b.tech2.id, b.owner.id]);
    const completed = await eventsOf(b.scope.businessId, 'call.intake_completed');
    assert.equal(completed.length, 1);
    assert.equal(JSON.parse(completed[0].payload).route, 'emergency');
    assert.equal((await eventsOf(b.scope.businessId, 'call.missed')).length, 1);
  });

  test('a CO alarm or water through the ceiling said as the first answer, then a hang-up, is an emergency too', async () => {
    world().clock.set(TUESDAY_9PM);
    const b = await voiceBusiness(ctx);
    for (const [from, said] of [['+15125550161', 'The CO alarm is going off'], ['+15125550162', 'Water is pouring through the ceiling']] as const) {
      const call = new SimulatedCall(app, from, b.number);
      await call.start();
      await call.say(said);
      await call.hangUp(12);
      const [task] = await tasksOf(b.scope.businessId, call.callSid);
      assert.match(task.title, new RegExp(`^EMERGENCY: call back \\${from} now`));
      assert.equal(task.due_at, new Date(TUESDAY_9PM).toISOString(), 'due now, not at the next opening');
      const texts = (await outboxTo(b.scope.businessId, b.tech1.phone)).filter((m) => m.body.includes(said));
      assert.equal(texts.length, 1);
      assert.equal(texts[0].not_before, new Date(TUESDAY_9PM).toISOString(), 'operational: no quiet hours');
    }
  });

  test('a non-emergency hang-up mid-intake is still a callback task for the next opening, with no pages', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550163', b.number);
    await call.start();
    await call.say('Jordan Blake');
    await call.say('yes');
    await call.say("55 Maple Street, I'd like a quote for a furnace tune-up"); // routine: taken as the address
    assert.match(call.find('Gather').prompt, /what is wrong/);
    await call.hangUp(40);
    await call.hangUp(40);
    const tasks = await tasksOf(b.scope.businessId, call.callSid);
    assert.equal(tasks.length, 1);
    assert.match(tasks[0].title, /^Call back Jordan Blake: hung up during intake/);
    assert.equal(tasks[0].due_at, '2026-03-03T14:00:00.000Z', 'the next opening, 8:00 in Chicago');
    assert.equal(tasks[0].assignee_user_id, null);
    for (const phone of [b.tech1.phone, b.tech2.phone, b.owner.phone, b.office.phone]) assert.equal((await outboxTo(b.scope.businessId, phone)).length, 0);
    const [logged] = await interactionsOf(b.scope.businessId, call.callSid);
    assert.equal(logged.outcome, 'abandoned');
    assert.equal(JSON.parse(logged.metadata).decision, 'incomplete');
    assert.equal(JSON.parse((await callRow(b.scope.businessId, call.callSid)).decision!).route, 'incomplete');
    assert.equal((await eventsOf(b.scope.businessId, 'call.intake_completed')).length, 0);
    assert.equal((await eventsOf(b.scope.businessId, 'call.missed')).length, 1);
  });

  test('status callback for a call we never answered is still logged once, feeding the answer rate', async () => {
    const b = await voiceBusiness(ctx);
    const callSid = `CA${'7e'.repeat(16)}`;
    const params = { CallSid: callSid, From: '+15125550150', To: b.number, CallStatus: 'no-answer', CallDuration: '0' };
    for (let i = 0; i < 2; i++) assert.equal((await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/status`, params)).statusCode, 204);
    const logged = await interactionsOf(b.scope.businessId, callSid);
    assert.equal(logged.length, 1);
    assert.equal(logged[0].outcome, 'missed');
    assert.equal(logged[0].duration_seconds, 0);
    // Progress statuses are not final: nothing logged for them.
    const ringing = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/status`, { ...params, CallSid: `CA${'7f'.repeat(16)}`, CallStatus: 'ringing' });
    assert.equal(ringing.statusCode, 204);
    assert.equal((await interactionsOf(b.scope.businessId, `CA${'7f'.repeat(16)}`)).length, 0);
    const bad = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/status`, { ...params, CallDuration: 'ten' });
    assert.equal(bad.statusCode, 400);
  });

  test('a caller with a withheld number is asked for one, and texted there', async () => {
    world().clock.set('2026-03-03T01:00:00Z'); // Monday 19:00 in Chicago: closed, but not quiet hours
    const b = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, 'anonymous', b.number);
    await call.start();
    await call.say('Chris Park');
    assert.match(call.find('Gather').prompt, /^What is the best number to call you back on\?/);
    await call.say('my number is 512 555 0170');
    await call.say('8 River Road');
    await call.say('I need a quote for a new AC system');
    assert.match(call.find('Say').text, /I'm texting you now/);
    const [text] = await outboxTo(b.scope.businessId, '+15125550170');
    assert.ok(text);
    assert.equal(text.not_before, '2026-03-03T01:00:00.000Z');
    const contact = await contactByPhone(b.scope.businessId, '+15125550170');
    assert.equal(contact?.display_name, 'Chris Park');
  });

  test('a business with a broken voice setting still has its calls answered (with the defaults)', async () => {
    world().clock.set(TUESDAY_2AM);
    // Settings are validated when written, so a broken one can only come from an older install's stored row.
    const b = await voiceBusiness(ctx);
    const row = await world().db.kysely.selectFrom('businesses').select('settings').where('id', '=', b.scope.businessId).executeTakeFirstOrThrow();
    const settings = JSON.parse(row.settings) as Record<string, unknown>;
    await world().db.kysely.updateTable('businesses').set({ settings: JSON.stringify({ ...settings, voice: { ringStrategy: 'everyone-at-random' } }) }).where('id', '=', b.scope.businessId).execute();
    const call = new SimulatedCall(app, '+15125550153', b.number);
    await call.start();
    assert.match(call.find('Gather').prompt, /May I have your name/);
  });

  test("one business's call cannot be continued through another business's number", async () => {
    world().clock.set(TUESDAY_2AM);
    const a = await voiceBusiness(ctx);
    const other = await voiceBusiness(ctx);
    const call = new SimulatedCall(app, '+15125550151', a.number);
    await call.start();
    const res = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice/gather`, { CallSid: call.callSid, From: call.from, To: other.number, SpeechResult: 'Mallory' });
    assert.equal(res.statusCode, 404);
    const row = await callRow(a.scope.businessId, call.callSid);
    assert.equal(JSON.parse(row.state).intake.name, null);
  });
});
