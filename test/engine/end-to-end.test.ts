import assert from 'node:assert/strict';
import { middayTimeZone } from '../helpers/daytime.ts';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { buildServer } from '../../src/api/server.ts';
import { createProviders } from '../../src/channels/registry.ts';
import type { AppContext } from '../../src/context.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { updateBusiness } from '../../src/crm/businesses/businesses.ts';
import { startWorker, type Worker } from '../../src/worker/worker.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect, testConfig } from '../helpers/db.ts';
import { startTwilioStandin, type TwilioStandin } from '../helpers/twilio-standin.ts';

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const TOKEN = 'standin-auth-token-0123456789';
const BUSINESS_NUMBER = '+15125550100';

const waitFor = async <T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 8000): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/**
 * The whole path with the real clock: a lead posted to the API is texted
 * through Twilio's HTTP API (a local stand-in checking auth and shapes) within
 * seconds; the lead's reply, signed like Twilio signs it, stops the sequence;
 * STOP opts them out with one confirmation; forged webhooks get 403.
 */
forEachDialect('end to end with the real clock', (world) => {
  let standin: TwilioStandin;
  let app: FastifyInstance;
  let worker: Worker;
  let tenant: ApiTenant;
  let ctx: AppContext;
  let publicUrl: string;

  before(async () => {
    standin = await startTwilioStandin({ accountSid: ACCOUNT, authToken: TOKEN });
    // The server must know its public URL before it starts, for Twilio signatures.
    const base = world().ctx;
    ctx = { ...base, clock: systemClock, config: testConfig({ twilio: { accountSid: ACCOUNT, authToken: TOKEN, fromNumber: BUSINESS_NUMBER, messagingServiceSid: null, apiBaseUrl: standin.baseUrl }, enginePollMs: 100 }) };
    app = await buildServer(ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    publicUrl = `http://127.0.0.1:${port}`;
    ctx.config.publicUrl = publicUrl;
    tenant = await makeTenant(ctx, 'Realtime HVAC');
    await updateBusiness(ctx, tenant.scope, { phone: BUSINESS_NUMBER, settings: { compliance: { marketingPerDay: 5, marketingPerWeek: 10 } } });
    await createAutomation(ctx, tenant.scope, {
      enabled: true,
      definition: {
        name: 'Speed to lead',
        trigger: { type: 'event', event: 'lead.created' },
        purpose: 'transactional',
        steps: [
          { type: 'send_sms', body: 'Hi {{ contact.firstName }}, this is {{ business.name }}. How can we help?' },
          { type: 'wait', duration: 'PT1H' },
          { type: 'send_sms', body: 'Following up on your request.' },
        ],
      },
    });
    worker = await startWorker(ctx, { providers: createProviders(ctx.config) });
  });
  after(async () => {
    await worker?.stop();
    await app?.close();
    await standin?.close();
  });

  const signedPost = (path: string, params: Record<string, string>, token = TOKEN) =>
    fetch(`${publicUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, `${publicUrl}${path}`, params) },
      body: new URLSearchParams(params).toString(),
    });

  test('a lead created through the API gets its first text within seconds', async () => {
    const started = Date.now();
    const res = await client(app, tenant.key).post('/contacts', { firstName: 'Rosa', phone: '+15125550177', source: 'website', timeZone: middayTimeZone() });
    assert.equal(res.statusCode, 201, res.body);
    const msg = await waitFor('the first SMS at the Twilio stand-in', () => standin.messages.find((m) => m.to === '+15125550177'));
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `first text after ${elapsed} ms`);
    assert.equal(msg.body, 'Hi Rosa, this is Realtime HVAC. How can we help?');
    assert.equal(msg.from, BUSINESS_NUMBER);
    const row = await waitFor('the outbox row marked sent', async () => {
      const r = await world().db.kysely.selectFrom('outbox').selectAll().where('to_address', '=', '+15125550177').executeTakeFirst();
      return r?.state === 'sent' || r?.state === 'delivered' ? r : undefined;
    });
    assert.equal(row.provider_message_id, msg.sid);
  });

  test('a signed reply is logged and ends the sequence', async () => {
    const res = await signedPost('/webhooks/twilio/sms', { MessageSid: `SM${'b2'.repeat(16)}`, AccountSid: ACCOUNT, From: '+15125550177', To: BUSINESS_NUMBER, Body: 'Yes, my AC is blowing warm air', NumMedia: '0' });
    assert.equal(res.status, 200, await res.text());
    const en = await world().db.kysely.selectFrom('enrollments').innerJoin('contacts', 'contacts.id', 'enrollments.contact_id').select(['enrollments.status', 'enrollments.exit_reason']).where('contacts.phone', '=', '+15125550177').executeTakeFirstOrThrow();
    assert.deepEqual(en, { status: 'exited', exit_reason: 'replied' });
  });

  test('STOP opts out with one confirmation, and nothing more is sent', async () => {
    const res = await signedPost('/webhooks/twilio/sms', { MessageSid: `SM${'c3'.repeat(16)}`, AccountSid: ACCOUNT, From: '+15125550177', To: BUSINESS_NUMBER, Body: 'STOP', NumMedia: '0' });
    const twiml = await res.text();
    assert.equal(res.status, 200);
    assert.match(twiml, /<Message>Realtime HVAC: you are unsubscribed/);
    const contact = (await client(app, tenant.key).get('/contacts?phone=%2B15125550177')).json().data[0];
    assert.equal(contact.consent.sms.status, 'revoked');
    // Twilio retries webhooks: the same MessageSid again confirms nothing twice.
    const again = await signedPost('/webhooks/twilio/sms', { MessageSid: `SM${'c3'.repeat(16)}`, AccountSid: ACCOUNT, From: '+15125550177', To: BUSINESS_NUMBER, Body: 'STOP', NumMedia: '0' });
    assert.doesNotMatch(await again.text(), /<Message>/);
  });

  test('forged, tampered and unsigned webhooks get 403', async () => {
    const params = { MessageSid: `SM${'d4'.repeat(16)}`, AccountSid: ACCOUNT, From: '+15125550199', To: BUSINESS_NUMBER, Body: 'hi', NumMedia: '0' };
    assert.equal((await signedPost('/webhooks/twilio/sms', params, 'not-the-auth-token-at-all')).status, 403);
    const tampered = await fetch(`${publicUrl}/webhooks/twilio/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, `${publicUrl}/webhooks/twilio/sms`, params) },
      body: new URLSearchParams({ ...params, Body: 'changed' }).toString(),
    });
    assert.equal(tampered.status, 403);
    const unsigned = await fetch(`${publicUrl}/webhooks/twilio/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'MessageSid=SM1&MessageStatus=delivered' });
    assert.equal(unsigned.status, 403);
    const none = await world().db.kysely.selectFrom('contacts').select('id').where('phone', '=', '+15125550199').execute();
    assert.equal(none.length, 0, 'a forged webhook created nothing');
  });
});
