import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { deliverWebhooks, deriveBusinessSecret } from '../../src/engine/webhooks/deliver.ts';
import { verifySignature } from '../../src/engine/webhooks/sign.ts';
import { newId } from '../../src/lib/ids.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const local = { workerId: 'w-test', allowPrivate: true } as const;

forEachDialect('webhooks: delivery', (world) => {
  let scope: Scope;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());
  beforeEach(async () => {
    // deliverWebhooks claims across all businesses: start every test with an empty queue.
    await world().db.kysely.deleteFrom('webhook_deliveries').execute();
  });

  /** Queues a delivery the way the automation `webhook` step does (no subscription: the business's default secret). */
  const queue = async (url: string, payload: Record<string, unknown> = { hello: 'world' }): Promise<string> => {
    const { db, clock } = world();
    const id = newId();
    const now = clock.now().toISOString();
    await db.kysely
      .insertInto('webhook_deliveries')
      .values({ id, business_id: scope.businessId, subscription_id: null, enrollment_id: null, idempotency_key: `test:${id}`, url, event_type: 'automation.step', payload: JSON.stringify(payload), state: 'pending', attempts: 0, next_attempt_at: now, last_status: null, last_error: null, created_at: now, updated_at: now })
      .execute();
    return id;
  };
  const row = (id: string) => world().db.kysely.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const secondsUntilNext = async (id: string) => (Date.parse((await row(id)).next_attempt_at) - world().clock.now().getTime()) / 1000;

  test('setup', async () => {
    scope = await makeBusiness(world().ctx, { name: 'Hook Plumbing' });
  });

  test('a 2xx delivers once, signed so the receiver can verify it with the business secret', async () => {
    const { ctx, clock } = world();
    const id = await queue(rx.url('/ok/signed'), { type: 'automation.step', n: 1 });
    assert.equal(await deliverWebhooks(ctx, local), 1);
    const [hit] = rx.hitsTo('/ok/signed');
    assert.ok(hit, 'the receiver got the POST');
    assert.equal(hit.body, JSON.stringify({ type: 'automation.step', n: 1 }));
    assert.equal(hit.headers['content-type'], 'application/json');
    assert.equal(hit.headers['user-agent'], 'Kinetic-Webhooks/1');
    assert.equal(hit.headers['kinetic-event'], 'automation.step');
    assert.equal(hit.headers['kinetic-delivery'], id);
    const signature = String(hit.headers['kinetic-signature']);
    assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    const secret = deriveBusinessSecret(ctx.config.secret!, scope.businessId);
    assert.equal(verifySignature(secret, signature, hit.body, clock.now()), true);
    assert.equal(verifySignature(deriveBusinessSecret(ctx.config.secret!, 'another-business'), signature, hit.body, clock.now()), false);
    assert.equal(verifySignature(secret, signature, hit.body, new Date(clock.now().getTime() + 3_600_000)), false, 'a replay an hour later is refused');
    const r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status, last_error: r.last_error }, { state: 'delivered', attempts: 1, last_status: 200, last_error: null });
    assert.equal(await deliverWebhooks(ctx, local), 0, 'nothing left to deliver');
    assert.equal(rx.hitsTo('/ok/signed').length, 1);
  });

  test('an automation webhook step is delivered end to end', async () => {
    const { ctx, clock } = world();
    // The receiver is on loopback: allowed here as KINETIC_WEBHOOKS_ALLOW_PRIVATE=1 allows it in development.
    await createAutomation({ ...ctx, config: { ...ctx.config, webhooksAllowPrivate: true } }, scope, { enabled: true, definition: { name: 'Tell the CRM', trigger: { type: 'event', event: 'lead.created' }, steps: [{ type: 'webhook', url: rx.url('/ok/automation'), payload: { source: 'test' } }] } });
    await createContact(ctx, scope, { firstName: 'Wes', phone: '+15125550190' });
    await runDueEnrollments(ctx, 'w1');
    assert.equal(await deliverWebhooks(ctx, local), 1);
    const [hit] = rx.hitsTo('/ok/automation');
    const body = JSON.parse(hit.body) as { type: string; data: unknown; contact: { firstName: string } };
    assert.equal(body.type, 'automation.step');
    assert.deepEqual(body.data, { source: 'test' });
    assert.equal(body.contact.firstName, 'Wes');
    assert.equal(verifySignature(deriveBusinessSecret(ctx.config.secret!, scope.businessId), String(hit.headers['kinetic-signature']), hit.body, clock.now()), true);
  });

  test('a 500 is retried after a backoff, then delivered', async () => {
    const { ctx, clock } = world();
    const id = await queue(rx.url('/flaky/one'));
    await deliverWebhooks(ctx, local);
    let r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status }, { state: 'pending', attempts: 1, last_status: 500 });
    assert.match(r.last_error ?? '', /HTTP 500/);
    assert.equal(await secondsUntilNext(id), 30);
    assert.equal(await deliverWebhooks(ctx, local), 0, 'not due yet');
    clock.advance(29_000);
    assert.equal(await deliverWebhooks(ctx, local), 0, 'still not due');
    clock.advance(1_000);
    assert.equal(await deliverWebhooks(ctx, local), 1);
    r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status, last_error: r.last_error }, { state: 'delivered', attempts: 2, last_status: 200, last_error: null });
    const hits = rx.hitsTo('/flaky/one');
    assert.equal(hits.length, 2);
    assert.equal(hits[0].headers['kinetic-delivery'], hits[1].headers['kinetic-delivery'], 'the same delivery id on every attempt, for receiver dedupe');
  });

  test('backoff doubles from 30 s, and after maxAttempts the delivery fails for good', async () => {
    const { ctx, clock } = world();
    const id = await queue(rx.url('/fail/always'));
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      await deliverWebhooks(ctx, { ...local, maxAttempts: 4 });
      waits.push(await secondsUntilNext(id));
      clock.advance(waits[i] * 1000);
    }
    assert.deepEqual(waits, [30, 60, 120]);
    await deliverWebhooks(ctx, { ...local, maxAttempts: 4 });
    const r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status }, { state: 'failed', attempts: 4, last_status: 500 });
    clock.advance(86_400_000);
    assert.equal(await deliverWebhooks(ctx, { ...local, maxAttempts: 4 }), 0, 'a failed delivery is not tried again');
    assert.equal(rx.hitsTo('/fail/always').length, 4);
  });

  test('the default is 8 attempts, with the wait capped at an hour', async () => {
    const { ctx, clock } = world();
    const id = await queue(rx.url('/fail/default'));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await deliverWebhooks(ctx, local);
      if ((await row(id)).state !== 'pending') break;
      waits.push(await secondsUntilNext(id));
      clock.advance(waits[waits.length - 1] * 1000);
    }
    assert.deepEqual(waits, [30, 60, 120, 240, 480, 960, 1920]);
    assert.equal((await row(id)).state, 'failed');
    assert.equal(rx.hitsTo('/fail/default').length, 8);
  });

  test('a 302 is not followed and counts as a failure', async () => {
    const { ctx } = world();
    const id = await queue(rx.url('/redirect/me'));
    await deliverWebhooks(ctx, local);
    const r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status }, { state: 'pending', attempts: 1, last_status: 302 });
    assert.match(r.last_error ?? '', /redirects are not followed/);
    assert.equal(rx.hitsTo('/redirect/me').length, 1);
    assert.equal(rx.hitsTo('/ok/redirected').length, 0, 'the Location was never requested');
  });

  test('a receiver that never answers times out and is retried later', async () => {
    const { ctx } = world();
    const id = await queue(rx.url('/hang/forever'));
    const started = Date.now();
    await deliverWebhooks(ctx, { ...local, timeoutMs: 300 });
    assert.ok(Date.now() - started < 5_000, 'the pass did not wait for the receiver');
    const r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status }, { state: 'pending', attempts: 1, last_status: null });
    assert.match(r.last_error ?? '', /timed out after 300 ms/);
    assert.equal(await secondsUntilNext(id), 30);
  });

  test('a refused connection is recorded and retried', async () => {
    const { ctx } = world();
    const closed = await startReceiver();
    const url = closed.url('/ok/closed');
    await closed.close();
    const id = await queue(url);
    await deliverWebhooks(ctx, local);
    const r = await row(id);
    assert.equal(r.state, 'pending');
    assert.match(r.last_error ?? '', /ECONNREFUSED/);
  });

  test('without allowPrivate, a 127.0.0.1 URL is refused, never sent, and fails with a clear reason', async () => {
    const { ctx } = world();
    const id = await queue(rx.url('/ok/private'));
    await deliverWebhooks(ctx, { workerId: 'w-test' });
    const r = await row(id);
    assert.deepEqual({ state: r.state, attempts: r.attempts, last_status: r.last_status }, { state: 'failed', attempts: 1, last_status: null });
    assert.match(r.last_error ?? '', /not sent: .*127\.0\.0\.1 is a loopback address/);
    assert.equal(rx.hitsTo('/ok/private').length, 0, 'the receiver was never hit');
  });

  test('the SSRF check runs at every attempt: a metadata URL queued directly is refused', async () => {
    const { ctx } = world();
    const id = await queue('http://169.254.169.254/latest/meta-data/');
    await deliverWebhooks(ctx, { workerId: 'w-test', timeoutMs: 500 });
    const r = await row(id);
    assert.equal(r.state, 'failed');
    assert.match(r.last_error ?? '', /cloud metadata/);
  });

  test('two workers at once deliver each webhook exactly once', async () => {
    const { ctx } = world();
    const ids = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => queue(rx.url(`/ok/race-${n}`))));
    const [a, b] = await Promise.all([deliverWebhooks(ctx, { ...local, workerId: 'w-a' }), deliverWebhooks(ctx, { ...local, workerId: 'w-b' })]);
    assert.equal(a + b, 6);
    for (let n = 1; n <= 6; n++) assert.equal(rx.hitsTo(`/ok/race-${n}`).length, 1, `race-${n}`);
    for (const id of ids) assert.equal((await row(id)).state, 'delivered');
  });

  test('the limit caps one pass', async () => {
    const { ctx } = world();
    await Promise.all([1, 2, 3].map((n) => queue(rx.url(`/ok/limit-${n}`))));
    assert.equal(await deliverWebhooks(ctx, { ...local, limit: 2 }), 2);
    assert.equal(await deliverWebhooks(ctx, { ...local, limit: 2 }), 1);
  });
});
