import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createProviders } from '../../src/channels/registry.ts';
import type { AppContext } from '../../src/context.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { startEngineWorker, type EngineWorker } from '../../src/engine/worker.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { middayTimeZone } from '../helpers/daytime.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect, PG_URL, testConfig } from '../helpers/db.ts';
import { startTwilioStandin, type TwilioStandin } from '../helpers/twilio-standin.ts';

const ACCOUNT = `AC${'d4'.repeat(16)}`;
const TOKEN = 'standin-auth-token-wake-0123456789';
const BUSINESS_NUMBER = '+15125550100';
const HOUR = 3_600_000;
/** Far below the poll interval (an hour): a text that arrives within it was not waiting for a poll. */
const PROMPT_MS = 5_000;

const waitFor = async <T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = PROMPT_MS): Promise<T> => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what} (the worker polls once an hour: nothing woke it)`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/**
 * Wake on commit: with the worker's poll interval set to an hour, a new lead's
 * first text still reaches the provider (the Twilio stand-in) at once, because
 * the commit that enrolled the lead wakes the worker of the same process; a
 * message queued by hand (an inbox reply) likewise. On PostgreSQL a worker in
 * another process (its own database handle) is woken through NOTIFY.
 */
forEachDialect('wake on commit', (world, dialect) => {
  let standin: TwilioStandin;
  let app: FastifyInstance;
  let worker: EngineWorker;
  let tenant: ApiTenant;
  let ctx: AppContext;

  before(async () => {
    standin = await startTwilioStandin({ accountSid: ACCOUNT, authToken: TOKEN });
    const base = world().ctx;
    ctx = { ...base, clock: systemClock, config: testConfig({ twilio: { accountSid: ACCOUNT, authToken: TOKEN, fromNumber: BUSINESS_NUMBER, messagingServiceSid: null, apiBaseUrl: standin.baseUrl }, enginePollMs: HOUR }) };
    app = await buildServer(ctx);
    await app.ready();
    // The first business created claims TWILIO_FROM_NUMBER as its verified sender.
    tenant = await makeTenant(ctx, 'Wake HVAC');
    await createAutomation(ctx, tenant.scope, {
      enabled: true,
      definition: { name: 'Speed to lead', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'send_sms', body: 'Hi {{ contact.firstName }}, thanks for reaching out!' }] },
    });
    worker = await startEngineWorker(ctx, createProviders(ctx.config), { pollMs: HOUR });
    // Let the start-up pass finish: from here on only a wake can start one.
    await worker.tick();
  });
  after(async () => {
    await worker?.stop();
    await app?.close();
    await standin?.close();
  });

  test("a new lead's first text is handed to the provider without waiting for a poll", async () => {
    const started = Date.now();
    const res = await client(app, tenant.key).post('/contacts', { firstName: 'Ana', phone: '+15125550181', source: 'website', timeZone: middayTimeZone() });
    assert.equal(res.statusCode, 201, res.body);
    const msg = await waitFor('the first text at the Twilio stand-in', () => standin.messages.find((m) => m.to === '+15125550181'));
    assert.equal(msg.body, 'Hi Ana, thanks for reaching out!');
    assert.equal(msg.from, BUSINESS_NUMBER);
    assert.ok(Date.now() - started < PROMPT_MS);
    const row = await waitFor('the outbox row marked sent', async () => {
      const r = await world().db.kysely.selectFrom('outbox').select(['state', 'provider_message_id']).where('to_address', '=', '+15125550181').executeTakeFirst();
      return r?.state === 'sent' || r?.state === 'delivered' ? r : undefined;
    });
    assert.equal(row.provider_message_id, msg.sid);
  });

  test('ten leads at once: each gets exactly one first text, promptly', async () => {
    const phones = Array.from({ length: 10 }, (_, i) => `+1512555020${i}`);
    await Promise.all(phones.map((phone, i) => client(app, tenant.key).post('/contacts', { firstName: `Lead${i}`, phone, source: 'website', timeZone: middayTimeZone() })));
    await waitFor('ten first texts', () => (phones.every((p) => standin.messages.some((m) => m.to === p)) ? true : undefined));
    for (const p of phones) assert.equal(standin.messages.filter((m) => m.to === p).length, 1, p);
  });

  test('a reply typed in the inbox is sent when its transaction commits', async () => {
    const contact = await world().db.kysely.selectFrom('contacts').select('id').where('phone', '=', '+15125550181').executeTakeFirstOrThrow();
    const res = await client(app, tenant.key).post(`/contacts/${contact.id}/replies`, { channel: 'sms', body: 'We can come by at 3pm.' });
    assert.ok(res.statusCode < 300, res.body);
    await waitFor('the reply at the Twilio stand-in', () => standin.messages.find((m) => m.body === 'We can come by at 3pm.'));
  });

  // Only PostgreSQL has several processes on one database (SQLite is one process): declared for it alone.
  if (dialect === 'postgres') test('PostgreSQL: a worker in another process (its own handle, LISTEN) is woken by NOTIFY', async () => {
    // This process's worker stops: the other one must be woken from outside.
    await worker.stop();
    const other: Db = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema: world().db.schema, poolSize: 3 });
    const otherCtx: AppContext = { ...ctx, db: other, config: { ...ctx.config, database: { kind: 'postgres', url: PG_URL } } };
    const otherWorker = await startEngineWorker(otherCtx, createProviders(otherCtx.config), { pollMs: HOUR });
    try {
      await otherWorker.tick();
      const res = await client(app, tenant.key).post('/contacts', { firstName: 'Remote', phone: '+15125550299', source: 'website', timeZone: middayTimeZone() });
      assert.equal(res.statusCode, 201, res.body);
      await waitFor('the text sent by the other process', () => standin.messages.find((m) => m.to === '+15125550299'));
      // And a queued message from a process that runs no worker of its own wakes it too.
      const contact = await world().db.kysely.selectFrom('contacts').select('id').where('phone', '=', '+15125550299').executeTakeFirstOrThrow();
      const reply = await client(app, tenant.key).post(`/contacts/${contact.id}/replies`, { channel: 'sms', body: 'Sent from the other worker.' });
      assert.ok(reply.statusCode < 300, reply.body);
      await waitFor('the reply sent by the other process', () => standin.messages.find((m) => m.body === 'Sent from the other worker.'));
    } finally {
      await otherWorker.stop();
      await other.close();
    }
  });
});
