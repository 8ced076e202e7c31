import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiKey } from '../../src/access/auth.ts';
import { createDevProvider } from '../../src/channels/dev-outbox.ts';
import type { AppContext } from '../../src/context.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { processInboundMessages } from '../../src/intelligence/intake/inbound.ts';
import { client } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { TUESDAY_2AM, voiceApp, voiceBusiness, voiceContext, type VoiceBusiness } from '../voice/setup.ts';
import { PUBLIC_URL, SimulatedCall } from '../voice/twilio-caller.ts';

interface ExceptionItem { kind: string; contactId: string | null; severity: string }
interface OutboxItem { to: string; channel: string; body: string; subject: string | null; state: string }

/**
 * An emergency by email or by voicemail takes the on-call route an emergency text takes
 * (test/engine/loop-and-emergency.test.ts): the safety message for that kind of emergency to the
 * customer at once, on-call paged, the unacknowledged emergency first on Today.
 */
forEachDialect('emergencies by email and by voicemail are routed like a text', (world) => {
  let ctx: AppContext;
  let app: FastifyInstance;
  const providers = { sms: createDevProvider('sms'), email: createDevProvider('email') };
  const work = async () => {
    await runDueEnrollments(ctx, 'emergency-channels');
    await dispatchQueued(ctx, providers, { workerId: 'emergency-channels' });
  };
  before(async () => {
    ctx = voiceContext(world().ctx);
    app = await voiceApp(ctx);
  });
  after(() => app?.close());

  const apiFor = async (b: VoiceBusiness) => client(app, (await createApiKey(ctx, b.scope, { name: 'test' })).key);
  const pagedOnCall = async (api: ReturnType<typeof client>, b: VoiceBusiness, how: RegExp) => {
    await work();
    const page = ((await api.get('/outbox?limit=100')).json().data as OutboxItem[]).find((m) => m.to === b.tech1.phone);
    assert.ok(page, 'the on-call technician is paged');
    assert.match(page.body, how);
    assert.match(page.body, /Reply 1 or OK to take it\./);
  };
  const firstOnToday = async (api: ReturnType<typeof client>, contactId: string) => {
    const today = (await api.get('/exceptions')).json().data as ExceptionItem[];
    assert.equal(today[0]?.kind, 'emergency_unacked', JSON.stringify(today.slice(0, 3)));
    assert.equal(today[0]?.severity, 'critical');
    assert.equal(today[0]?.contactId, contactId);
  };

  test('an email about a gas smell at 2 a.m.: the gas safety advice by email, on-call paged, first on Today', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx);
    const api = await apiFor(b);
    const raw = ['From: Dana Price <dana@example.com>', 'To: office@northwind.example', 'Subject: Gas smell in the kitchen', 'Message-ID: <gas-1@example.com>', '', 'There is a strong smell of gas in our kitchen, like rotten eggs. What should we do?', ''].join('\r\n');
    const res = await app.inject({ method: 'POST', url: '/inbound/email', headers: { authorization: `Bearer ${(await createApiKey(ctx, b.scope, { name: 'mail' })).key}`, 'content-type': 'message/rfc822' }, payload: raw });
    assert.equal(res.statusCode, 202, res.body);
    const contactId = res.json().contactId as string;

    const [outcome] = await processInboundMessages(ctx, null);
    assert.equal(outcome.outcome, 'emergency_routed', JSON.stringify(outcome));
    assert.equal((await api.get(`/drafts?status=pending&contactId=${contactId}`)).json().data.length, 0, 'no draft waits for approval');
    const safety = ((await api.get(`/outbox?contactId=${contactId}`)).json().data as OutboxItem[]).find((m) => m.to === 'dana@example.com');
    assert.ok(safety, 'the safety message goes back by email');
    assert.equal(safety.channel, 'email');
    assert.equal(safety.subject, 'Re: Gas smell in the kitchen');
    assert.match(safety.body, /we are paging our on-call technician now/);
    assert.match(safety.body, /leave the building now.*call your gas utility/s);

    await pagedOnCall(api, b, /EMERGENCY email from Dana Price.*smell of gas/s);
    await firstOnToday(api, contactId);
  });

  test('a voicemail about a burst pipe: transcribed, read by intake, the caller texted the shut-off advice, on-call paged, first on Today', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx, { afterHours: 'voicemail' });
    const api = await apiFor(b);
    const caller = '+15125550391';
    const call = new SimulatedCall(app, caller, b.number);
    await call.start();
    const record = call.find('Record');
    assert.equal(record.transcribeCallback, `${PUBLIC_URL}/webhooks/twilio/voice/transcription`, 'Twilio is asked to transcribe the voicemail');
    await call.recordVoicemail('https://api.twilio.com/recordings/RE2', 31);
    await call.hangUp(45);
    world().clock.advance(30_000);
    const said = 'Hi this is Sam at 14 Elm Street, a pipe burst upstairs and water is pouring through the ceiling, please call me back';
    await call.transcribed(said, record.transcribeCallback!);

    const db = world().db.kysely;
    const logged = await db.selectFrom('interactions').selectAll().where('business_id', '=', b.scope.businessId).where('external_id', '=', call.callSid).executeTakeFirstOrThrow();
    assert.match(logged.body ?? '', /They said: "Hi this is Sam/, 'the transcript is on the timeline');
    const classified = await db.selectFrom('intake_classifications').selectAll().where('business_id', '=', b.scope.businessId).where('interaction_id', '=', logged.id).execute();
    assert.deepEqual(classified.map((c) => [c.source, c.urgency]), [['voicemail', 'emergency']], 'read by the intake classifier the text channel uses');

    const contactId = logged.contact_id;
    const safety = ((await api.get(`/outbox?contactId=${contactId}`)).json().data as OutboxItem[]).find((m) => m.to === caller && /shut-off valve/.test(m.body));
    assert.ok(safety, 'the caller is texted the water safety advice');
    assert.equal(safety.channel, 'sms');
    assert.match(safety.body, /we are paging our on-call technician now/);

    await pagedOnCall(api, b, /EMERGENCY voicemail from .*pipe burst/s);
    await firstOnToday(api, contactId);
    const tasks = (await api.get(`/tasks?contactId=${contactId}`)).json().data as Array<{ title: string; assigneeUserId: string | null }>;
    assert.ok(tasks.some((x) => /Call .* back now: emergency voicemail/.test(x.title) && x.assigneeUserId === b.tech1.id), JSON.stringify(tasks));

    // Twilio retries the callback: nothing is read or sent twice.
    await call.transcribed(said, record.transcribeCallback!);
    assert.equal((await db.selectFrom('intake_classifications').select('id').where('business_id', '=', b.scope.businessId).where('interaction_id', '=', logged.id).execute()).length, 1);
    assert.equal(((await api.get(`/outbox?contactId=${contactId}`)).json().data as OutboxItem[]).filter((m) => m.to === caller && /shut-off valve/.test(m.body)).length, 1);
  });

  test('a routine voicemail is classified, and nobody is paged', async () => {
    world().clock.set(TUESDAY_2AM);
    const b = await voiceBusiness(ctx, { afterHours: 'voicemail' });
    const api = await apiFor(b);
    const call = new SimulatedCall(app, '+15125550392', b.number);
    await call.start();
    const record = call.find('Record');
    await call.recordVoicemail('https://api.twilio.com/recordings/RE3', 12);
    await call.hangUp(20);
    await call.transcribed('Hi, I would like a quote for a new air conditioner sometime next month', record.transcribeCallback!);
    const db = world().db.kysely;
    const classified = await db.selectFrom('intake_classifications').select(['source', 'urgency']).where('business_id', '=', b.scope.businessId).execute();
    assert.deepEqual(classified.map((c) => [c.source, c.urgency]), [['voicemail', 'routine']]);
    await work();
    assert.ok(!((await api.get('/outbox?limit=100')).json().data as OutboxItem[]).some((m) => m.to === b.tech1.phone), 'nobody paged');
    assert.ok(!((await api.get('/exceptions')).json().data as ExceptionItem[]).some((e) => e.kind === 'emergency_unacked'));
  });
});
