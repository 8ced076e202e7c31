import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createProviders, type Providers } from '../../src/channels/registry.ts';
import type { AppContext } from '../../src/context.ts';
import { createContact, getContact } from '../../src/crm/contacts/contacts.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { sendStaffReply } from '../../src/engine/outbox/staff-reply.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect, testConfig } from '../helpers/db.ts';
import { startTwilioStandin, type TwilioStandin } from '../helpers/twilio-standin.ts';
import { postSigned, PUBLIC_URL, sign } from '../voice/twilio-caller.ts';

/**
 * An agency install: two businesses on one Kinetic, Twilio configured. A has
 * a number on the agency's (install's) account; B has its own subaccount and
 * numbers on it. Each texts, is answered and unsubscribed as itself.
 */
const MAIN = `AC${'a1'.repeat(16)}`;
const MAIN_TOKEN = 'main-account-auth-token-0123456789';
const SUB = `AC${'b2'.repeat(16)}`;
const SUB_TOKEN = 'sub-account-auth-token-9876543210';

forEachDialect('messaging identity: two businesses, two numbers, one install', (world) => {
  let standin: TwilioStandin;
  let ctx: AppContext;
  let app: FastifyInstance;
  let providers: Providers;
  let a: ApiTenant;
  let b: ApiTenant;
  let apiA: ReturnType<typeof client>;
  let apiB: ReturnType<typeof client>;
  let n = 0;
  const number = () => `+1737556${String(1000 + ++n * 13 + Math.floor(Math.random() * 9)).padStart(4, '0')}`;
  const [NA, NB, NB2, NA2, CUSTOMER] = [number(), number(), number(), number(), '+15125557788'];

  before(async () => {
    standin = await startTwilioStandin({ accountSid: MAIN, authToken: MAIN_TOKEN, subaccounts: { [SUB]: SUB_TOKEN } });
    ctx = {
      ...world().ctx,
      config: testConfig({ publicUrl: PUBLIC_URL, twilio: { accountSid: MAIN, authToken: MAIN_TOKEN, fromNumber: null, messagingServiceSid: null, apiBaseUrl: standin.baseUrl }, twilioApiBaseUrl: standin.baseUrl }),
    };
    app = await buildServer(ctx);
    await app.ready();
    providers = createProviders(ctx.config);
    a = await makeTenant(ctx, 'Alpha Air');
    b = await makeTenant(ctx, 'Bravo Plumbing');
    apiA = client(app, a.key);
    apiB = client(app, b.key);
    standin.addNumber(NA, MAIN);
    standin.addNumber(NB, SUB);
    standin.addNumber(NB2, SUB);
    standin.addNumber(NA2, MAIN);
  });
  after(async () => {
    await app?.close();
    await providers?.close();
    await standin?.close();
  });

  const db = () => world().db.kysely;
  const dispatch = () => dispatchQueued(ctx, providers, { workerId: 'identity-test', limit: 100 });
  const inbound = (to: string, body: string, token: string, accountSid: string, from = CUSTOMER) => {
    const params = { AccountSid: accountSid, MessageSid: `SM${randomBytes(16).toString('hex')}`, From: from, To: to, Body: body, NumMedia: '0' };
    const url = `${PUBLIC_URL}/webhooks/twilio/sms`;
    return postSigned(app, url, params, sign(url, params, token));
  };
  const smsFrom = (businessId: string) =>
    db().selectFrom('interactions').innerJoin('contacts', 'contacts.id', 'interactions.contact_id').select(['interactions.body']).where('interactions.business_id', '=', businessId).where('contacts.phone', '=', CUSTOMER).where('interactions.direction', '=', 'inbound').execute();

  test('each business registers its own numbers: on its own Twilio account only, one owner per number', async () => {
    const addA = await apiA.post('/numbers', { number: NA });
    assert.equal(addA.statusCode, 201, addA.body);
    assert.equal(addA.json().verified, true);
    assert.match(addA.json().providerSid, /^PN/);
    // B is not on the install's account yet: NB is on its own subaccount, so the install account does not hold it.
    const early = await apiB.post('/numbers', { number: NB });
    assert.equal(early.statusCode, 400, early.body);
    assert.match(early.json().error.message, /not a phone number on Twilio account/);
    const wrongToken = await apiB.patch('/business/channels', { twilioAccountSid: SUB, twilioAuthToken: 'definitely-not-the-token-123' });
    assert.equal(wrongToken.statusCode, 400, wrongToken.body);
    const own = await apiB.patch('/business/channels', { twilioAccountSid: SUB, twilioAuthToken: SUB_TOKEN, emailFromName: 'Bravo Plumbing Office', emailFromAddress: 'office@bravo.example', emailReplyTo: 'help@bravo.example' });
    assert.equal(own.statusCode, 200, own.body);
    assert.deepEqual(own.json().twilio, { accountSid: SUB, own: true });
    assert.equal(own.json().twilioAuthTokenSet, true);
    assert.ok(!own.body.includes(SUB_TOKEN), 'the token is never returned');
    const stored = await db().selectFrom('business_channels').select('twilio_auth_token').where('business_id', '=', b.scope.businessId).executeTakeFirstOrThrow();
    assert.ok(stored.twilio_auth_token && !stored.twilio_auth_token.includes(SUB_TOKEN), 'stored sealed, not in the clear');
    for (const num of [NB, NB2]) {
      const added = await apiB.post('/numbers', { number: num });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json().verified, true);
    }
    // B claims A's number: refused without saying whose it is. Through the profile too.
    const squat = await apiB.post('/numbers', { number: NA.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3') });
    assert.equal(squat.statusCode, 409, squat.body);
    assert.ok(!squat.body.includes('Alpha') && !squat.body.includes(a.scope.businessId), squat.body);
    const viaProfile = await apiB.patch('/business', { phone: NA });
    assert.equal(viaProfile.statusCode, 409, viaProfile.body);
    const viaSettings = await apiB.patch('/business', { settings: { phoneNumbers: [NA] } });
    assert.equal(viaSettings.statusCode, 409, viaSettings.body);
    // Another business's account cannot be registered twice either.
    const c = await makeTenant(ctx, 'Charlie Electric');
    const reuse = await client(app, c.key).patch('/business/channels', { twilioAccountSid: SUB, twilioAuthToken: SUB_TOKEN });
    assert.equal(reuse.statusCode, 409, reuse.body);
    const listed = (await apiB.get('/numbers')).json() as Array<{ number: string; verified: boolean }>;
    assert.deepEqual(listed.map((x) => `${x.number} ${x.verified}`), [`${NB} true`, `${NB2} true`]);
  });

  test("B's texts leave from B's number on B's account; A's from A's; every outbox row names its sender", async () => {
    for (const t of [a, b]) await createContact(ctx, t.scope, { firstName: 'Dana', phone: CUSTOMER, consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    const contactIn = async (businessId: string) => (await db().selectFrom('contacts').select('id').where('business_id', '=', businessId).where('phone', '=', CUSTOMER).executeTakeFirstOrThrow()).id;
    await sendStaffReply(ctx, b.scope, await contactIn(b.scope.businessId), { channel: 'sms', body: 'Bravo here: what is the gate code?' });
    await sendStaffReply(ctx, a.scope, await contactIn(a.scope.businessId), { channel: 'sms', body: 'Alpha here: your filter is due.' });
    const rows = await db().selectFrom('outbox').select(['business_id', 'from_address', 'body']).where('to_address', '=', CUSTOMER).execute();
    assert.deepEqual(rows.map((r) => `${r.business_id === b.scope.businessId ? 'B' : 'A'} ${r.from_address}`).sort(), [`A ${NA}`, `B ${NB}`]);
    await dispatch();
    const got = standin.messages.filter((m) => m.to === CUSTOMER);
    assert.equal(got.length, 2);
    const fromB = got.find((m) => m.body.startsWith('Bravo'))!;
    const fromA = got.find((m) => m.body.startsWith('Alpha'))!;
    assert.deepEqual([fromB.from, fromB.account_sid], [NB, SUB], 'B texts through its own subaccount from its own number');
    assert.deepEqual([fromA.from, fromA.account_sid], [NA, MAIN]);
    const outbox = (await apiB.get('/outbox?channel=sms')).json().data as Array<{ from: string; state: string }>;
    assert.ok(outbox.every((m) => m.from === NB && m.state === 'delivered' || m.state === 'sent'), JSON.stringify(outbox));
  });

  test("a reply to B's number lands in B only; a webhook for A's number signed with B's token, or for B's with A's, is refused", async () => {
    const before = (await smsFrom(a.scope.businessId)).length;
    const res = await inbound(NB, 'Gate code is 4411', SUB_TOKEN, SUB);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual((await smsFrom(b.scope.businessId)).map((r) => r.body), ['Gate code is 4411']);
    assert.equal((await smsFrom(a.scope.businessId)).length, before, 'nothing reaches A');
    for (const [to, token, account] of [[NA, SUB_TOKEN, SUB], [NB, MAIN_TOKEN, MAIN], [NB, SUB_TOKEN, MAIN]] as const) {
      const forged = await inbound(to, 'forged', token, account);
      assert.equal(forged.statusCode, 403, `${to} signed by ${account}: ${forged.body}`);
    }
    assert.equal((await db().selectFrom('interactions').select('id').where('body', '=', 'forged').execute()).length, 0);
    // Calls take the same route: B's number, B's account.
    const callUrl = `${PUBLIC_URL}/webhooks/twilio/voice`;
    const call = (token: string, accountSid: string) => {
      const params = { AccountSid: accountSid, CallSid: `CA${randomBytes(16).toString('hex')}`, From: CUSTOMER, To: NB, CallStatus: 'ringing', Direction: 'inbound' };
      return postSigned(app, callUrl, params, sign(callUrl, params, token));
    };
    assert.equal((await call(MAIN_TOKEN, MAIN)).statusCode, 403, 'a call to B signed by the install account is refused');
    const answered = await call(SUB_TOKEN, SUB);
    assert.equal(answered.statusCode, 200, answered.body);
    assert.match(answered.body, /<Response>/);
    // An unowned number: 403 unless the install's account signed it, then 404.
    assert.equal((await inbound('+17375559999', 'hi', SUB_TOKEN, SUB)).statusCode, 403);
    assert.equal((await inbound('+17375559999', 'hi', MAIN_TOKEN, MAIN)).statusCode, 404);
  });

  test('the customer hears back from the number they texted (sticky sender)', async () => {
    const res = await inbound(NB2, 'Texting your other line: can you come Friday?', SUB_TOKEN, SUB);
    assert.equal(res.statusCode, 200, res.body);
    const contactId = (await db().selectFrom('contacts').select('id').where('business_id', '=', b.scope.businessId).where('phone', '=', CUSTOMER).executeTakeFirstOrThrow()).id;
    await sendStaffReply(ctx, b.scope, contactId, { channel: 'sms', body: 'Bravo: Friday 9am works.' });
    await sendStaffReply(ctx, b.scope, contactId, { channel: 'sms', body: 'Bravo: see you then.' });
    const rows = await db().selectFrom('outbox').select(['from_address', 'body']).where('business_id', '=', b.scope.businessId).where('to_address', '=', CUSTOMER).where('body', 'like', 'Bravo: %').execute();
    assert.deepEqual(rows.map((r) => r.from_address), [NB2, NB2]);
    const numbers = (await apiB.get('/numbers')).json() as Array<{ number: string; lastInboundAt: string | null; lastOutbound: { at: string } | null }>;
    assert.ok(numbers.find((x) => x.number === NB2)?.lastInboundAt, 'the number shows its last inbound message');
    assert.ok(numbers.find((x) => x.number === NB)?.lastOutbound, 'and its last outbound one');
  });

  test('STOP to B stops B and not A; HELP answers as B; START opts back in to B', async () => {
    const stop = await inbound(NB, 'STOP', SUB_TOKEN, SUB);
    assert.match(stop.body, /Bravo Plumbing: you are unsubscribed/);
    const contactIn = async (businessId: string) => (await db().selectFrom('contacts').select('id').where('business_id', '=', businessId).where('phone', '=', CUSTOMER).executeTakeFirstOrThrow()).id;
    const consent = async (t: ApiTenant) => (await getContact(ctx, t.scope, await contactIn(t.scope.businessId))).consent.sms?.status;
    assert.equal(await consent(b), 'revoked');
    assert.equal(await consent(a), 'granted', 'A is unaffected');
    await assert.rejects(sendStaffReply(ctx, b.scope, await contactIn(b.scope.businessId), { channel: 'sms', body: 'Bravo: one more thing' }), (e: { code?: string }) => e.code === 'CONFLICT');
    await sendStaffReply(ctx, a.scope, await contactIn(a.scope.businessId), { channel: 'sms', body: 'Alpha: still here for you.' });
    const help = await inbound(NB, 'HELP', SUB_TOKEN, SUB);
    assert.match(help.body, /Bravo Plumbing/);
    assert.ok(!help.body.includes('Alpha'));
    const start = await inbound(NB, 'START', SUB_TOKEN, SUB);
    assert.match(start.body, /subscribed to texts again/);
    assert.equal(await consent(b), 'granted');
  });

  test("status callbacks are checked with the sending business's account", async () => {
    const row = await db().selectFrom('outbox').select(['provider_message_id', 'id']).where('business_id', '=', b.scope.businessId).where('provider_message_id', 'is not', null).executeTakeFirstOrThrow();
    const url = `${PUBLIC_URL}/webhooks/twilio/status`;
    const params = { AccountSid: SUB, MessageSid: row.provider_message_id!, MessageStatus: 'delivered', To: CUSTOMER, From: NB };
    assert.equal((await postSigned(app, url, params, sign(url, params, MAIN_TOKEN))).statusCode, 403, 'the install account cannot speak for B');
    assert.equal((await postSigned(app, url, params, sign(url, params, SUB_TOKEN))).statusCode, 204);
  });

  test('a business with no number of its own never borrows one: its texts wait with an error that says why', async () => {
    const d = await makeTenant(ctx, 'Delta Dental');
    const contact = await createContact(ctx, d.scope, { firstName: 'Eli', phone: '+15125557799', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    await sendStaffReply(ctx, d.scope, contact.id, { channel: 'sms', body: 'Delta: your cleaning is due.' });
    await dispatch();
    assert.equal(standin.messages.filter((m) => m.to === '+15125557799').length, 0);
    const row = await db().selectFrom('outbox').select(['state', 'last_error', 'from_address']).where('business_id', '=', d.scope.businessId).executeTakeFirstOrThrow();
    assert.equal(row.from_address, null);
    assert.equal(row.state, 'queued', 'kept for retry, not dropped');
    assert.match(row.last_error ?? '', /no texting number of its own/);
  });

  test("test sends go only to the business's own team, never to another business's people", async () => {
    const res = await apiB.post('/integrations/test-send', { channel: 'email', to: a.ownerEmail });
    assert.equal(res.statusCode, 400, res.body);
    const own = await apiB.post('/integrations/test-send', { channel: 'email', to: b.ownerEmail });
    assert.equal(own.statusCode, 201, own.body);
    const row = await db().selectFrom('outbox').select(['from_address', 'headers', 'is_test']).where('id', '=', own.json().id).executeTakeFirstOrThrow();
    assert.equal(row.from_address, '"Bravo Plumbing Office" <office@bravo.example>');
    assert.equal(JSON.parse(row.headers)['Reply-To'], 'help@bravo.example');
    assert.equal(row.is_test, 1);
  });

  test("a number typed on another business's profile before its owner registers it is not theirs: the verified claim takes it", async () => {
    // B lists A's second line on its profile first: accepted as text, unverified (it is not on B's account).
    const squat = await apiB.patch('/business', { settings: { phoneNumbers: [NA2] } });
    assert.equal(squat.statusCode, 200, squat.body);
    assert.deepEqual(((await apiB.get('/numbers')).json() as Array<{ number: string; verified: boolean }>).filter((x) => x.number === NA2).map((x) => x.verified), [false]);
    // A text to that line, signed by the account the number is really on, never reaches B.
    const early = await inbound(NA2, 'Is anyone there? (sent to A)', MAIN_TOKEN, MAIN);
    assert.equal(early.statusCode, 403, early.body);
    assert.equal((await db().selectFrom('interactions').select('id').where('business_id', '=', b.scope.businessId).where('body', 'like', 'Is anyone there%').execute()).length, 0);
    // A registers it: Twilio finds it on A's account, so A's claim wins over B's unproven one.
    const claim = await apiA.post('/numbers', { number: NA2 });
    assert.equal(claim.statusCode, 201, claim.body);
    assert.equal(claim.json().verified, true);
    assert.ok(!((await apiB.get('/numbers')).json() as Array<{ number: string }>).some((x) => x.number === NA2), 'B no longer holds it');
    // B's other profile edits still save; adding it again (or another verified number) is a 409.
    const rename = await apiB.patch('/business', { settings: { phoneNumbers: [NA2], defaultCountry: 'US' } });
    assert.equal(rename.statusCode, 200, rename.body);
    assert.equal((await apiB.patch('/business', { phone: NA })).statusCode, 409);
    assert.equal((await apiB.post('/numbers', { number: NA2 })).statusCode, 409, 'a verified owner is never displaced');
    // Texts to the line now land in A.
    const later = await inbound(NA2, 'Second try, for A', MAIN_TOKEN, MAIN);
    assert.equal(later.statusCode, 200, later.body);
    assert.ok((await smsFrom(a.scope.businessId)).some((r) => r.body === 'Second try, for A'));
    assert.ok(!(await smsFrom(b.scope.businessId)).some((r) => r.body === 'Second try, for A'));
  });

  test("a business whose own account token cannot be read never texts through the install's account", async () => {
    // As if KINETIC_SECRET changed since B saved its token.
    const saved = await db().selectFrom('business_channels').select('twilio_auth_token').where('business_id', '=', b.scope.businessId).executeTakeFirstOrThrow();
    await db().updateTable('business_channels').set({ twilio_auth_token: 'v1.not-a-sealed-token' }).where('business_id', '=', b.scope.businessId).execute();
    try {
      const contactId = (await db().selectFrom('contacts').select('id').where('business_id', '=', b.scope.businessId).where('phone', '=', CUSTOMER).executeTakeFirstOrThrow()).id;
      const sentBefore = standin.messages.length;
      const queued = await sendStaffReply(ctx, b.scope, contactId, { channel: 'sms', body: 'Bravo: token check' });
      await dispatch();
      assert.equal(standin.messages.length, sentBefore, 'nothing leaves through any account');
      const row = await db().selectFrom('outbox').select(['state', 'last_error']).where('id', '=', queued.id).executeTakeFirstOrThrow();
      assert.equal(row.state, 'queued', 'kept for retry once the token is entered again');
      assert.match(row.last_error ?? '', /cannot be read/);
      // A webhook for B's number signed by the install's account is not accepted as B's either.
      const forged = await inbound(NB, 'token check inbound', MAIN_TOKEN, MAIN);
      assert.notEqual(forged.statusCode, 200, forged.body);
      assert.equal((await db().selectFrom('interactions').select('id').where('body', '=', 'token check inbound').execute()).length, 0);
    } finally {
      await db().updateTable('business_channels').set({ twilio_auth_token: saved.twilio_auth_token }).where('business_id', '=', b.scope.businessId).execute();
    }
  });
});
