import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { OutboxTable } from '../../db/types.ts';
import { ProviderError, type MessageProvider, type OutboundMessage } from '../../channels/types.ts';
import { backoffMs } from '../timing.ts';
import { markOptedOut } from './opt-out.ts';
import { emailAddressOf, formatFrom } from './sender.ts';
import { recordDelivery } from './on-record.ts';
import { twilioAccountFor } from '../../crm/businesses/channels.ts';
import type { TwilioAccount } from '../../channels/twilio-numbers.ts';

type OutboxRow = Selectable<OutboxTable>;

const MAYBE_SENT_GRACE_MS = 30_000;

export interface Providers {
  sms: MessageProvider;
  email: MessageProvider;
  /** Twilio through a business's own account (see crm/businesses/channels.ts). */
  smsFor?(account: TwilioAccount): MessageProvider;
}

export interface DispatchOptions {
  workerId: string;
  limit?: number;
  /** How long a claimed row stays ours; must exceed the provider's own timeout. */
  leaseMs?: number;
  maxAttempts?: number;
  /** Messages in flight at once (provider latency dominates sending). */
  concurrency?: number;
}

const toMessage = (ctx: AppContext, row: OutboxRow, knownProviderIds: string[] = []): OutboundMessage => ({
  outboxId: row.id,
  businessId: row.business_id,
  channel: row.channel as 'sms' | 'email',
  to: row.to_address,
  from: row.from_address,
  body: row.body,
  subject: row.subject,
  html: row.html,
  headers: JSON.parse(row.headers) as Record<string, string>,
  ...(row.attachments ? { attachments: JSON.parse(row.attachments) as OutboundMessage['attachments'] } : {}),
  statusCallbackUrl: row.channel === 'sms' ? `${ctx.config.publicUrl}/webhooks/twilio/status` : null,
  attemptStartedAt: new Date(row.updated_at),
  knownProviderIds,
});

/**
 * Outbox state machine: queued → sending → sent → delivered, or failed, or
 * unknown (a person decides). A row is marked `sending` and committed BEFORE
 * the provider is called; if the process dies mid-send the row stays
 * `sending` until its lease expires, and `reconcile` asks the provider
 * whether it arrived before anything is retried. So nothing is sent twice
 * and nothing is dropped silently.
 */
export async function claimQueued(ctx: AppContext, now: Date, opts: DispatchOptions): Promise<OutboxRow[]> {
  const nowIso = now.toISOString();
  const lease = new Date(now.getTime() + (opts.leaseMs ?? 120_000)).toISOString();
  const due = sql`select id from outbox where state = 'queued' and not_before <= ${nowIso} order by not_before limit ${opts.limit ?? 50}`;
  // MATERIALIZED: PostgreSQL must run the locking subquery once, or it can claim more than the limit.
  const picked = ctx.db.dialect === 'postgres' ? sql`with picked as materialized (${due} for update skip locked)` : sql`with picked as (${due})`;
  const res = await sql<OutboxRow>`${picked} update outbox set state = 'sending', locked_by = ${opts.workerId}, locked_until = ${lease}, attempts = attempts + 1, updated_at = ${nowIso} where id in (select id from picked) and state = 'queued' returning *`.execute(ctx.db.kysely);
  return res.rows;
}

async function markSent(ctx: AppContext, row: OutboxRow, provider: MessageProvider, providerId: string, status: string, workerId: string): Promise<void> {
  const now = ctx.clock.now().toISOString();
  let q = ctx.db.kysely
    .updateTable('outbox')
    .set({ state: status === 'delivered' ? 'delivered' : 'sent', provider: provider.name, provider_message_id: providerId, from_address: row.from_address, sent_at: now, delivered_at: status === 'delivered' ? now : null, locked_by: null, locked_until: null, last_error: null, updated_at: now })
    .where('id', '=', row.id)
    .where('state', '=', 'sending')
    .where('locked_by', '=', workerId);
  const done = await q.executeTakeFirst();
  if (Number(done.numUpdatedRows) === 1) await recordDelivery(ctx.db.kysely, row.business_id, row.id, status === 'delivered' ? 'delivered' : 'sent', now);
}

async function markFailed(ctx: AppContext, row: OutboxRow, error: unknown, maxAttempts: number, workerId: string): Promise<void> {
  const now = ctx.clock.now();
  const info = error instanceof ProviderError ? error.info : { code: null, message: error instanceof Error ? error.message : String(error), permanent: false, maybeSent: false };
  if (info.maybeSent) {
    // A timeout or a dropped connection may have reached the provider: keep the row `sending`, and let
    // reconciliation ask the provider before anything is sent again — after a grace period, so a request
    // the provider is still processing has landed by then.
    await ctx.db.kysely
      .updateTable('outbox')
      .set({ locked_until: new Date(now.getTime() + MAYBE_SENT_GRACE_MS).toISOString(), last_error: `${info.code ?? ''} ${info.message}`.trim().slice(0, 1000), updated_at: now.toISOString() })
      .where('id', '=', row.id)
      .where('state', '=', 'sending')
      .where('locked_by', '=', workerId)
      .execute();
    return;
  }
  const final = info.permanent || row.attempts >= maxAttempts;
  await ctx.db.transaction(async (trx) => {
    await trx
      .updateTable('outbox')
      .set({
        state: final ? 'failed' : 'queued',
        last_error: `${info.code ?? ''} ${info.message}`.trim().slice(0, 1000),
        not_before: final ? row.not_before : new Date(now.getTime() + backoffMs(row.attempts)).toISOString(),
        locked_by: null,
        locked_until: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .where('state', '=', 'sending')
      .where('locked_by', '=', workerId)
      .execute();
    if (final) await recordDelivery(trx, row.business_id, row.id, 'failed');
    if (error instanceof ProviderError && error.info.optedOut && row.contact_id) {
      await markOptedOut(trx, row.business_id, row.contact_id, row.channel as 'sms' | 'email', row.to_address, `provider error ${error.info.code}`, now.toISOString());
    }
  });
}

/**
 * The provider that sends this row, and the From it is sent with. A business
 * with its own Twilio account texts through it; a text through Twilio must
 * come from one of the business's own numbers (or its Messaging Service) —
 * never the install's number by default, which may be another business's.
 * An email without a From of the business's own goes as "Business name
 * <SMTP_FROM address>". Throws ProviderError (retryable: someone can fix the
 * setup) when the business has no usable sender.
 */
export async function routeMessage(ctx: AppContext, providers: Providers, row: OutboxRow): Promise<{ provider: MessageProvider; from: string | null }> {
  if (row.channel === 'email') {
    if (row.from_address) return { provider: providers.email, from: row.from_address };
    const biz = await ctx.db.kysely.selectFrom('businesses').select('name').where('id', '=', row.business_id).executeTakeFirst();
    return { provider: providers.email, from: formatFrom(biz?.name ?? '', emailAddressOf(ctx.config.smtp?.from ?? 'no-reply@localhost')) };
  }
  const account = await twilioAccountFor(ctx.db.kysely, ctx.config, row.business_id).catch((err: unknown) => {
    // The business's own account cannot be used (its token is unreadable): the text waits for the fix, never goes another way.
    throw new ProviderError({ code: 'SENDER_ACCOUNT_UNUSABLE', message: err instanceof Error ? err.message : String(err), permanent: false });
  });
  const provider = account?.own && providers.smsFor ? providers.smsFor(account) : providers.sms;
  if (provider.name !== 'twilio') return { provider, from: row.from_address };
  const from = row.from_address;
  if (!from) {
    throw new ProviderError({ code: 'NO_SENDER', message: 'this business has no texting number of its own: add one in Settings → Channels (or `kinetic number add`)', permanent: false });
  }
  if (!from.startsWith('MG')) {
    const owned = await ctx.db.kysely.selectFrom('business_numbers').select('verified').where('number', '=', from).where('business_id', '=', row.business_id).executeTakeFirst();
    if (!owned) throw new ProviderError({ code: 'NO_SENDER', message: `${from} is no longer one of this business's numbers`, permanent: false });
    if (!owned.verified) throw new ProviderError({ code: 'UNVERIFIED_SENDER', message: `${from} is not verified on this business's Twilio account yet (Settings → Channels)`, permanent: false });
  }
  return { provider, from };
}

/** Sends the claimed rows, a few at a time. Returns how many were handed to a provider. */
export async function dispatchQueued(ctx: AppContext, providers: Providers, opts: DispatchOptions): Promise<number> {
  const rows = await claimQueued(ctx, ctx.clock.now(), opts);
  const sendOne = async (row: OutboxRow) => {
    try {
      const routed = await routeMessage(ctx, providers, row);
      const provider = routed.provider;
      const sending = { ...row, from_address: routed.from };
      const result = await provider.send(toMessage(ctx, sending));
      await markSent(ctx, sending, provider, result.providerMessageId, result.status, opts.workerId);
    } catch (err) {
      ctx.log.warn({ outboxId: row.id, err: err instanceof Error ? err.message : String(err) }, 'send failed');
      await markFailed(ctx, row, err, opts.maxAttempts ?? 5, opts.workerId);
    }
  };
  let next = 0;
  const lanes = Array.from({ length: Math.min(opts.concurrency ?? 8, rows.length) }, async () => {
    while (next < rows.length) await sendOne(rows[next++]);
  });
  await Promise.all(lanes);
  return rows.length;
}

/**
 * Rows left `sending` past their lease belonged to a worker that died. Ask the
 * provider: if the message arrived, record it as sent; if it did not, queue it
 * again; if the provider cannot tell, mark it `unknown` for a person.
 */
export async function reconcileStuck(ctx: AppContext, providers: Providers, opts: { workerId?: string; leaseMs?: number; limit?: number } = {}): Promise<{ sent: number; requeued: number; unknown: number }> {
  const now = ctx.clock.now();
  const me = opts.workerId ?? 'reconciler';
  const stuck = await ctx.db.kysely.selectFrom('outbox').selectAll().where('state', '=', 'sending').where('locked_until', '<', now.toISOString()).orderBy('updated_at').limit(opts.limit ?? 100).execute();
  const tally = { sent: 0, requeued: 0, unknown: 0 };
  for (const row of stuck) {
    // Take the row over first, conditionally on it still being the same stuck attempt: with several
    // workers reconciling at once, exactly one asks the provider and decides.
    const lease = new Date(now.getTime() + (opts.leaseMs ?? 120_000)).toISOString();
    const taken = await ctx.db.kysely
      .updateTable('outbox')
      .set({ locked_by: me, locked_until: lease })
      .where('id', '=', row.id)
      .where('state', '=', 'sending')
      .where('attempts', '=', row.attempts)
      .where('locked_until', '<', now.toISOString())
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) continue;
    const mine = (q: ReturnType<typeof ctx.db.kysely.updateTable<'outbox'>>) => q.where('id', '=', row.id).where('state', '=', 'sending').where('locked_by', '=', me);
    let provider: MessageProvider;
    let sending: OutboxRow;
    try {
      const routed = await routeMessage(ctx, providers, row);
      provider = routed.provider;
      sending = { ...row, from_address: routed.from };
    } catch (err) {
      // The sender it was being sent from is gone (number removed, account changed): the provider cannot be asked, so a person decides.
      const at = ctx.clock.now().toISOString();
      await mine(ctx.db.kysely.updateTable('outbox'))
        .set({ state: 'unknown', last_error: `the worker stopped mid-send and the sender can no longer be checked (${err instanceof Error ? err.message : String(err)}): check and resend by hand if needed`.slice(0, 1000), locked_by: null, locked_until: null, updated_at: at })
        .execute();
      tally.unknown++;
      continue;
    }
    const known = await ctx.db.kysely
      .selectFrom('outbox')
      .select('provider_message_id')
      .where('business_id', '=', row.business_id)
      .where('to_address', '=', row.to_address)
      .where('provider_message_id', 'is not', null)
      .execute();
    let found: Awaited<ReturnType<MessageProvider['lookup']>>;
    try {
      found = await provider.lookup(toMessage(ctx, sending, known.map((k) => k.provider_message_id!)));
    } catch (err) {
      // The provider could not be asked now: leave the row stuck, to be asked again after the lease.
      ctx.log.warn({ outboxId: row.id, err: err instanceof Error ? err.message : String(err) }, 'reconciliation lookup failed');
      continue;
    }
    const at = ctx.clock.now().toISOString();
    if (found.found === true) {
      await mine(ctx.db.kysely.updateTable('outbox'))
        .set({ state: found.status === 'delivered' ? 'delivered' : 'sent', provider: provider.name, provider_message_id: found.providerMessageId, from_address: sending.from_address, sent_at: at, delivered_at: found.status === 'delivered' ? at : null, locked_by: null, locked_until: null, last_error: 'confirmed with the provider after the sending worker stopped', updated_at: at })
        .execute();
      await recordDelivery(ctx.db.kysely, row.business_id, row.id, found.status === 'delivered' ? 'delivered' : 'sent', at);
      tally.sent++;
    } else if (found.found === false) {
      await mine(ctx.db.kysely.updateTable('outbox')).set({ state: 'queued', locked_by: null, locked_until: null, updated_at: at }).execute();
      tally.requeued++;
    } else {
      await mine(ctx.db.kysely.updateTable('outbox'))
        .set({ state: 'unknown', last_error: 'the worker stopped mid-send and the provider cannot confirm delivery: check and resend by hand if needed', locked_by: null, locked_until: null, updated_at: at })
        .execute();
      tally.unknown++;
    }
  }
  return tally;
}
