import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { appendEvents, event, registerEventHook } from '../../src/events/record.ts';
import { deliverWebhooks } from '../../src/engine/webhooks/deliver.ts';
import { verifySignature } from '../../src/engine/webhooks/sign.ts';
import { createSubscription, deleteSubscription, enqueueEventDeliveries, getSubscription, listSubscriptions, setSubscriptionStatus } from '../../src/engine/webhooks/subscriptions.ts';
import { AppError } from '../../src/lib/errors.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { startReceiver, type Receiver } from './receiver.ts';

// What the lead's wiring will do: every appended event fans out to matching subscriptions.
const unregister = registerEventHook(enqueueEventDeliveries);
after(() => unregister());

const local = { allowPrivate: true } as const;

forEachDialect('webhooks: subscriptions', (world) => {
  let a: Scope;
  let b: Scope;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());
  beforeEach(async () => {
    await world().db.kysely.deleteFrom('webhook_deliveries').execute();
  });

  const deliveries = (businessId: string) =>
    world().db.kysely.selectFrom('webhook_deliveries').selectAll().where('business_id', '=', businessId).orderBy('event_type').orderBy('subscription_id').execute();

  test('setup', async () => {
    a = await makeBusiness(world().ctx, { name: 'Alpha HVAC' });
    b = await makeBusiness(world().ctx, { name: 'Beta Roofing' });
  });

  test('create returns the secret once; list and get never show it', async () => {
    const { ctx, db } = world();
    const sub = await createSubscription(ctx, a, { url: 'https://93.184.216.34/kinetic', eventTypes: ['lead.created', 'deal.won', 'lead.created'] });
    assert.match(sub.secret, /^whsec_[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual(sub.eventTypes, ['lead.created', 'deal.won'], 'duplicates dropped');
    assert.equal(sub.status, 'active');
    const listed = await listSubscriptions(ctx, a);
    assert.ok(listed.some((s) => s.id === sub.id));
    for (const s of listed) assert.equal('secret' in s, false);
    assert.equal('secret' in (await getSubscription(ctx, a, sub.id)), false);
    const audit = await db.kysely.selectFrom('audit_log').select('changes').where('entity_id', '=', sub.id).execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].changes.includes(sub.secret), false, 'the audit log never holds the secret');
    await deleteSubscription(ctx, a, sub.id);
  });

  test('creation refuses private URLs, bad schemes and unknown event types, naming the field', async () => {
    const { ctx } = world();
    const cases: Array<[input: unknown, field: string, message: RegExp]> = [
      [{ url: 'http://127.0.0.1:8080/hook', eventTypes: ['*'] }, 'url', /loopback/],
      [{ url: 'http://169.254.169.254/latest/meta-data', eventTypes: ['*'] }, 'url', /cloud metadata/],
      [{ url: 'http://10.0.0.5/', eventTypes: ['*'] }, 'url', /private/],
      [{ url: 'ftp://93.184.216.34/', eventTypes: ['*'] }, 'url', /http or https/],
      [{ url: 'https://93.184.216.34/', eventTypes: ['lead.exploded'] }, 'eventTypes.0', /unknown event type/],
      [{ url: 'https://93.184.216.34/', eventTypes: [] }, 'eventTypes', /./],
      [{ url: 'https://93.184.216.34/', eventTypes: ['*'], secret: 'mine' }, 'secret', /unknown field/],
    ];
    for (const [input, field, message] of cases) {
      await assert.rejects(createSubscription(ctx, a, input), (err: unknown) => {
        assert.ok(err instanceof AppError, String(err));
        assert.equal(err.code, 'VALIDATION_FAILED');
        const issues = (err.details as { issues: Array<{ field: string; message: string }> }).issues;
        assert.ok(issues.some((i) => i.field === field && message.test(i.message)), `${JSON.stringify(input)} → ${JSON.stringify(issues)}`);
        return true;
      });
    }
    assert.equal((await listSubscriptions(ctx, a)).length, 0);
    const ok = await createSubscription(ctx, a, { url: 'http://127.0.0.1:8080/hook', eventTypes: ['*'] }, { allowPrivate: true });
    await deleteSubscription(ctx, a, ok.id);
  });

  test('an event fans out to the matching active subscriptions of its own business only', async () => {
    const { ctx } = world();
    const leads = await createSubscription(ctx, a, { url: rx.url('/ok/a-leads'), eventTypes: ['lead.created'] }, local);
    const all = await createSubscription(ctx, a, { url: rx.url('/ok/a-all'), eventTypes: ['*'] }, local);
    const deals = await createSubscription(ctx, a, { url: rx.url('/ok/a-deals'), eventTypes: ['deal.won'] }, local);
    const paused = await createSubscription(ctx, a, { url: rx.url('/ok/a-paused'), eventTypes: ['*'] }, local);
    await setSubscriptionStatus(ctx, a, paused.id, 'disabled');
    const other = await createSubscription(ctx, b, { url: rx.url('/ok/b-all'), eventTypes: ['*'] }, local);

    const contact = await createContact(ctx, a, { firstName: 'Fay', phone: '+15125550177' });
    const rows = await deliveries(a.businessId);
    const got = rows.map((r) => `${r.event_type}→${r.subscription_id === leads.id ? 'leads' : r.subscription_id === all.id ? 'all' : r.subscription_id}`).sort();
    assert.deepEqual(got, ['contact.created→all', 'lead.created→all', 'lead.created→leads']);
    assert.equal(rows.some((r) => r.subscription_id === deals.id || r.subscription_id === paused.id), false);
    assert.equal((await deliveries(b.businessId)).length, 0, "business A's events never reach B's subscriptions");
    for (const r of rows) {
      assert.equal(r.state, 'pending');
      assert.match(r.idempotency_key, new RegExp(`^evt:[0-9a-f-]+:${r.subscription_id}$`));
      const payload = JSON.parse(r.payload) as { type: string; businessId: string; contactId: string; data: Record<string, unknown> };
      assert.equal(payload.type, r.event_type);
      assert.equal(payload.businessId, a.businessId);
      assert.equal(payload.contactId, contact.id);
    }

    // Delivered, each signed with its own subscription's secret.
    assert.equal(await deliverWebhooks(ctx, { workerId: 'w', allowPrivate: true }), 3);
    const [leadHit] = rx.hitsTo('/ok/a-leads');
    assert.equal(leadHit.headers['kinetic-event'], 'lead.created');
    assert.equal(verifySignature(leads.secret, String(leadHit.headers['kinetic-signature']), leadHit.body, ctx.clock.now()), true);
    assert.equal(verifySignature(all.secret, String(leadHit.headers['kinetic-signature']), leadHit.body, ctx.clock.now()), false);
    assert.equal(rx.hitsTo('/ok/a-all').length, 2);
    assert.equal(rx.hitsTo('/ok/b-all').length, 0);
    for (const s of [leads, all, deals, paused]) await deleteSubscription(ctx, a, s.id);
    await deleteSubscription(ctx, b, other.id);
  });

  test('enqueueing the same events twice queues nothing new', async () => {
    const { ctx, db } = world();
    const sub = await createSubscription(ctx, b, { url: 'https://93.184.216.34/b', eventTypes: ['deal.won'] });
    const stored = await db.transaction((trx) => appendEvents(trx, b.businessId, { type: 'system', id: null }, ctx.clock.now().toISOString(), [event('deal.won', { dealId: 'd1', contactId: null, amountCents: 5000, reason: null })]));
    await db.transaction((trx) => enqueueEventDeliveries(trx, stored));
    const rows = await deliveries(b.businessId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].idempotency_key, `evt:${stored[0].id}:${sub.id}`);
    await deleteSubscription(ctx, b, sub.id);
  });

  test('a rolled-back change queues no webhook', async () => {
    const { ctx, db } = world();
    const sub = await createSubscription(ctx, b, { url: 'https://93.184.216.34/b', eventTypes: ['*'] });
    await assert.rejects(
      db.transaction(async (trx) => {
        await appendEvents(trx, b.businessId, { type: 'system', id: null }, ctx.clock.now().toISOString(), [event('deal.lost', { dealId: 'd2', contactId: null, reason: 'price' })]);
        throw new Error('change failed');
      }),
      /change failed/,
    );
    assert.equal((await deliveries(b.businessId)).length, 0);
    await deleteSubscription(ctx, b, sub.id);
  });

  test('deliveries queued for a disabled or deleted subscription fail instead of sending', async () => {
    const { ctx } = world();
    const paused = await createSubscription(ctx, a, { url: rx.url('/ok/paused-later'), eventTypes: ['contact.created'] }, local);
    const gone = await createSubscription(ctx, a, { url: rx.url('/ok/deleted-later'), eventTypes: ['contact.created'] }, local);
    await createContact(ctx, a, { firstName: 'Gus' });
    await setSubscriptionStatus(ctx, a, paused.id, 'disabled');
    await deleteSubscription(ctx, a, gone.id);
    await deliverWebhooks(ctx, { workerId: 'w', allowPrivate: true });
    const rows = await deliveries(a.businessId);
    const byId = new Map(rows.map((r) => [r.subscription_id, r]));
    assert.equal(byId.get(paused.id)?.state, 'failed');
    assert.match(byId.get(paused.id)?.last_error ?? '', /is disabled/);
    assert.equal(byId.get(gone.id)?.state, 'failed');
    assert.match(byId.get(gone.id)?.last_error ?? '', /no longer exists/);
    assert.equal(rx.hitsTo('/ok/paused-later').length + rx.hitsTo('/ok/deleted-later').length, 0);
    await deleteSubscription(ctx, a, paused.id);
  });

  test("one business cannot read, pause or delete another's subscription", async () => {
    const { ctx } = world();
    const sub = await createSubscription(ctx, a, { url: 'https://93.184.216.34/a', eventTypes: ['*'] });
    await assert.rejects(getSubscription(ctx, b, sub.id), (e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND');
    await assert.rejects(setSubscriptionStatus(ctx, b, sub.id, 'disabled'), (e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND');
    await assert.rejects(deleteSubscription(ctx, b, sub.id), (e: unknown) => e instanceof AppError && e.code === 'NOT_FOUND');
    assert.equal((await listSubscriptions(ctx, b)).some((s) => s.id === sub.id), false);
    assert.equal((await getSubscription(ctx, a, sub.id)).status, 'active');
    await deleteSubscription(ctx, a, sub.id);
  });
});
