import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/**
 * POST /dev/inbound/sms is for the dev outbox: once Twilio is configured (for the install, or a
 * business's own account) texts come only from Twilio, signed, and the simulator answers 409
 * without touching the record.
 */
forEachDialect('the inbound-text simulator is refused with Twilio', (world) => {
  let devApp: FastifyInstance;
  let twilioApp: FastifyInstance;
  let t: ApiTenant;

  before(async () => {
    const { ctx } = world();
    devApp = await buildServer(ctx);
    await devApp.ready();
    twilioApp = await buildServer({ ...ctx, config: { ...ctx.config, twilio: { accountSid: `AC${'f6'.repeat(16)}`, authToken: 'dev-inbound-refused-token-0001', fromNumber: '+15125550299', messagingServiceSid: null, apiBaseUrl: null } } });
    await twilioApp.ready();
    t = await makeTenant(ctx, 'Refusing Electric');
  });
  after(async () => {
    await devApp?.close();
    await twilioApp?.close();
  });

  const contactsFrom = async (phone: string) => (await client(devApp, t.key).get(`/contacts?q=${encodeURIComponent(phone)}`)).json().data as unknown[];

  test('Twilio configured for the install: 409, and no contact is made', async () => {
    const res = await client(twilioApp, t.key).post('/dev/inbound/sms', { from: '+15125550290', body: 'hello' });
    assert.equal(res.statusCode, 409, res.body);
    assert.match(res.json().message ?? res.body, /Twilio is configured/);
    assert.equal((await contactsFrom('+15125550290')).length, 0);
  });

  test("the business's own Twilio account: 409; without either, the same request is received", async () => {
    const { ctx } = world();
    const now = ctx.clock.now().toISOString();
    await ctx.db.kysely
      .insertInto('business_channels')
      .values({ business_id: t.scope.businessId, messaging_service_sid: null, twilio_account_sid: `AC${'a7'.repeat(16)}`, twilio_auth_token: 'own-account-token', email_from_name: null, email_from_address: null, email_reply_to: null, updated_at: now })
      .execute();
    const own = await client(devApp, t.key).post('/dev/inbound/sms', { from: '+15125550291', body: 'hello' });
    assert.equal(own.statusCode, 409, own.body);
    assert.match(own.body, /its own Twilio account/);
    await ctx.db.kysely.deleteFrom('business_channels').where('business_id', '=', t.scope.businessId).execute();
    const received = await client(devApp, t.key).post('/dev/inbound/sms', { from: '+15125550291', body: 'hello' });
    assert.equal(received.statusCode, 201, received.body);
  });
});
