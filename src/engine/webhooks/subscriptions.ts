import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { WebhookDeliveryTable, WebhookSubscriptionTable } from '../../db/types.ts';
import { recordChange } from '../../crm/shared/audit.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { eventTypes as catalogEventTypes } from '../../events/catalog.ts';
import type { StoredEvent } from '../../events/record.ts';
import { isoNow } from '../../lib/clock.ts';
import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { newId, randomToken } from '../../lib/ids.ts';
import { assertPublicUrl } from './ssrf.ts';

/**
 * Webhook subscriptions: a business asks for some event types to be POSTed
 * to its URL. Each subscription has its own signing secret, shown once at
 * creation (receivers verify with it; see sign.ts).
 */
export interface WebhookSubscription {
  id: string;
  url: string;
  /** Event types from the catalog, or ['*'] for all of them. */
  eventTypes: string[];
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

const toSubscription = (r: Selectable<WebhookSubscriptionTable>): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  eventTypes: parseTypes(r.event_types),
  status: r.status === 'active' ? 'active' : 'disabled',
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

function parseTypes(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === 'string') : [];
  } catch {
    return [];
  }
}

const known = new Set<string>(catalogEventTypes);

export const createSubscriptionSchema = z
  .object({
    url: z.string().trim().min(1).max(2048),
    eventTypes: z
      .array(z.string().refine((t) => t === '*' || known.has(t), { message: 'unknown event type: use a type from the event catalog, or "*" for every event' }))
      .min(1)
      .max(catalogEventTypes.length + 1),
  })
  .strict();

export type CreateSubscriptionInput = z.input<typeof createSubscriptionSchema>;

export interface SubscriptionOptions {
  /** Accept private/loopback URLs (local development and tests only). */
  allowPrivate?: boolean;
}

/** Checks the URL against the SSRF guard and reports a refusal as a field error on `url`. */
async function vetUrl(url: string, opts: SubscriptionOptions): Promise<void> {
  try {
    await assertPublicUrl(url, { allowPrivate: opts.allowPrivate });
  } catch (err) {
    if (err instanceof AppError) throw validationError([{ field: 'url', message: err.message }], err.message);
    throw err;
  }
}

/** Creates a subscription. The returned `secret` is shown this once; later reads never include it. */
export async function createSubscription(ctx: AppContext, scope: Scope, input: unknown, opts: SubscriptionOptions = {}): Promise<WebhookSubscription & { secret: string }> {
  const data = parseInput(createSubscriptionSchema, input);
  await vetUrl(data.url, opts);
  const types = data.eventTypes.includes('*') ? ['*'] : [...new Set(data.eventTypes)];
  const id = newId();
  const secret = `whsec_${randomToken(32)}`;
  const now = isoNow(ctx.clock);
  return ctx.db.transaction(async (trx) => {
    await trx
      .insertInto('webhook_subscriptions')
      .values({ id, business_id: scope.businessId, url: data.url, secret, event_types: JSON.stringify(types), status: 'active', created_at: now, updated_at: now })
      .execute();
    const sub = await getSubscription(ctx, scope, id, trx);
    // The audit entry records the subscription without its secret.
    await recordChange(trx, scope, now, { entityType: 'webhook_subscription', entityId: id, action: 'create', after: { ...sub } });
    return { ...sub, secret };
  });
}

export async function getSubscription(ctx: AppContext, scope: Scope, id: string, trx: Executor = ctx.db.kysely): Promise<WebhookSubscription> {
  const row = await trx.selectFrom('webhook_subscriptions').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('webhook subscription', id);
  return toSubscription(row);
}

export async function listSubscriptions(ctx: AppContext, scope: Scope): Promise<WebhookSubscription[]> {
  const rows = await ctx.db.kysely.selectFrom('webhook_subscriptions').selectAll().where('business_id', '=', scope.businessId).orderBy('id').execute();
  return rows.map(toSubscription);
}

/**
 * Deletes a subscription. Deliveries already queued for it are not sent:
 * the deliverer finds the subscription gone and marks them failed.
 */
export async function deleteSubscription(ctx: AppContext, scope: Scope, id: string): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await getSubscription(ctx, scope, id, trx);
    await trx.deleteFrom('webhook_subscriptions').where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    await recordChange(trx, scope, isoNow(ctx.clock), { entityType: 'webhook_subscription', entityId: id, action: 'delete' });
  });
}

/** Pauses or resumes a subscription. While disabled, no new deliveries are queued and queued ones fail instead of sending. */
export async function setSubscriptionStatus(ctx: AppContext, scope: Scope, id: string, status: 'active' | 'disabled'): Promise<WebhookSubscription> {
  if (status !== 'active' && status !== 'disabled') throw validationError([{ field: 'status', message: 'must be "active" or "disabled"' }]);
  return ctx.db.transaction(async (trx) => {
    const before = await getSubscription(ctx, scope, id, trx);
    const now = isoNow(ctx.clock);
    await trx.updateTable('webhook_subscriptions').set({ status, updated_at: now }).where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    await recordChange(trx, scope, now, { entityType: 'webhook_subscription', entityId: id, action: 'update', before: { status: before.status }, after: { status } });
    return { ...before, status, updatedAt: now };
  });
}

/** The JSON body a subscriber receives for one event. */
export function eventPayload(e: StoredEvent): Record<string, unknown> {
  return {
    id: e.id,
    type: e.type,
    businessId: e.businessId,
    occurredAt: e.occurredAt,
    subject: { type: e.subjectType, id: e.subjectId },
    contactId: e.contactId,
    data: e.payload,
  };
}

const INSERT_CHUNK = 200;

/**
 * Event hook: queues one pending delivery per (event, active subscription of
 * the event's business that wants its type), inside the transaction that
 * wrote the events, so a change and its webhooks commit together. The
 * idempotency key `evt:<eventId>:<subscriptionId>` makes a second call with
 * the same events a no-op.
 */
export async function enqueueEventDeliveries(trx: Executor, events: StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  const byBusiness = new Map<string, StoredEvent[]>();
  for (const e of events) byBusiness.set(e.businessId, [...(byBusiness.get(e.businessId) ?? []), e]);
  for (const [businessId, list] of byBusiness) {
    const subs = await trx
      .selectFrom('webhook_subscriptions')
      .select(['id', 'url', 'event_types'])
      .where('business_id', '=', businessId)
      .where('status', '=', 'active')
      .execute();
    if (subs.length === 0) continue;
    const wanted = subs.map((s) => ({ ...s, types: new Set(parseTypes(s.event_types)) }));
    const rows: Insertable<WebhookDeliveryTable>[] = [];
    for (const e of list) {
      const body = JSON.stringify(eventPayload(e));
      for (const s of wanted) {
        if (!s.types.has('*') && !s.types.has(e.type)) continue;
        rows.push({
          id: newId(),
          business_id: businessId,
          subscription_id: s.id,
          enrollment_id: null,
          idempotency_key: `evt:${e.id}:${s.id}`,
          url: s.url,
          event_type: e.type,
          payload: body,
          state: 'pending',
          attempts: 0,
          next_attempt_at: e.occurredAt,
          last_status: null,
          last_error: null,
          created_at: e.occurredAt,
          updated_at: e.occurredAt,
        });
      }
    }
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await trx
        .insertInto('webhook_deliveries')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
    }
  }
}
