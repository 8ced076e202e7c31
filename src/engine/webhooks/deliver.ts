import http from 'node:http';
import https from 'node:https';
import { sql, type Selectable } from 'kysely';
import type { AppContext } from '../../context.ts';
import type { WebhookDeliveryTable } from '../../db/types.ts';
import { AppError } from '../../lib/errors.ts';
import { backoffMs } from '../timing.ts';
import { DELIVERY_HEADER, deriveBusinessSecret, EVENT_HEADER, SIGNATURE_HEADER, signPayload, USER_AGENT } from './sign.ts';
import { assertPublicUrl, pinnedLookup, type UrlRefusal, type VettedUrl } from './ssrf.ts';

export { deriveBusinessSecret } from './sign.ts';

type DeliveryRow = Selectable<WebhookDeliveryTable>;

export interface DeliverWebhooksOptions {
  /** Who is delivering (logs only: the claim itself is the lease on next_attempt_at). */
  workerId: string;
  /** Most deliveries claimed in one pass (default 20). */
  limit?: number;
  /** Whole-attempt budget: DNS, connect, request and response (default 10 s). */
  timeoutMs?: number;
  /** Allow private/loopback targets. Local development and tests only; never in production. */
  allowPrivate?: boolean;
  /** Attempts before a delivery is given up as failed (default 8). */
  maxAttempts?: number;
}

const DEFAULTS = { limit: 20, timeoutMs: 10_000, maxAttempts: 8 };
/** Deliveries in flight at once within one pass. */
const CONCURRENCY = 5;
/** We only need the status; at most this much of a response body is read, then dropped. */
const RESPONSE_BODY_LIMIT = 16 * 1024;

/**
 * Claims due deliveries in one statement by pushing their next_attempt_at out
 * by a lease, so a second worker does not pick them up while this one is
 * sending; if this worker dies, the lease runs out and the row is retried.
 * On PostgreSQL, FOR UPDATE SKIP LOCKED hands each row to one worker. The
 * attempt is counted at claim time, so a delivery that keeps crashing its
 * worker still runs out of attempts.
 */
export async function claimDueDeliveries(ctx: AppContext, now: Date, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
  const nowIso = now.toISOString();
  const lease = new Date(now.getTime() + leaseMs).toISOString();
  const due = sql`select id from webhook_deliveries where state = 'pending' and next_attempt_at <= ${nowIso} order by next_attempt_at limit ${limit}`;
  // The pick runs once, as a materialised CTE: written as `id in (subquery)`,
  // PostgreSQL may re-run the subquery for every outer row (a semi-join
  // rescan), and each rescan locks a fresh batch, so LIMIT is not honoured.
  const picked = ctx.db.dialect === 'postgres' ? sql`with picked as materialized (${due} for update skip locked)` : sql`with picked as (${due})`;
  const res = await sql<DeliveryRow>`${picked} update webhook_deliveries set next_attempt_at = ${lease}, attempts = attempts + 1, updated_at = ${nowIso} where id in (select id from picked) and state = 'pending' and next_attempt_at <= ${nowIso} returning *`.execute(ctx.db.kysely);
  return res.rows.map((r) => ({ ...r, next_attempt_at: lease }));
}

type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string; permanent: boolean };

class PermanentFailure extends Error {}

/** The signing secret: the subscription's own, or the business's derived default for automation steps. */
async function secretFor(ctx: AppContext, row: DeliveryRow): Promise<string> {
  if (row.subscription_id) {
    const sub = await ctx.db.kysely
      .selectFrom('webhook_subscriptions')
      .select(['secret', 'status'])
      .where('id', '=', row.subscription_id)
      .where('business_id', '=', row.business_id)
      .executeTakeFirst();
    if (!sub) throw new PermanentFailure(`webhook subscription ${row.subscription_id} no longer exists`);
    if (sub.status !== 'active') throw new PermanentFailure(`webhook subscription ${row.subscription_id} is ${sub.status}`);
    return sub.secret;
  }
  if (!ctx.config.secret) throw new Error('cannot sign: no KINETIC_SECRET is configured');
  return deriveBusinessSecret(ctx.config.secret, row.business_id);
}

/**
 * One POST to the vetted address. node:http never follows redirects, and the
 * socket is fresh (agent: false) so it cannot be one pooled earlier to a
 * different address.
 */
function post(vetted: VettedUrl, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<{ status: number; statusText: string; location: string | null }> {
  const transport = vetted.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      vetted.url,
      { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, agent: false, lookup: pinnedLookup(vetted), signal },
      (res) => {
        let seen = 0;
        let settled = false;
        const done = () => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', location: typeof res.headers.location === 'string' ? res.headers.location : null });
        };
        res.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > RESPONSE_BODY_LIMIT) res.destroy();
        });
        // Once the status line is in, the answer is known; a body cut short changes nothing.
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function attempt(ctx: AppContext, row: DeliveryRow, timeoutMs: number, allowPrivate: boolean): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const secret = await secretFor(ctx, row);
    // Checked before every attempt, not only when the URL was saved: DNS answers change.
    const vetted = await assertPublicUrl(row.url, { allowPrivate, signal });
    const timestamp = Math.floor(ctx.clock.now().getTime() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': USER_AGENT,
      [SIGNATURE_HEADER]: signPayload(secret, timestamp, row.payload),
      [EVENT_HEADER]: row.event_type,
      // Delivery is at-least-once (a lost response or an expired lease means a
      // resend); the delivery id is the same on every attempt so receivers can dedupe.
      [DELIVERY_HEADER]: row.id,
    };
    const res = await post(vetted, headers, row.payload, signal);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    if (res.status >= 300 && res.status < 400) {
      return { ok: false, status: res.status, permanent: false, error: `HTTP ${res.status}: redirects are not followed${res.location ? ` (Location: ${res.location.slice(0, 300)})` : ''}; point the webhook at the final URL` };
    }
    return { ok: false, status: res.status, permanent: false, error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: the receiver did not answer with 2xx` };
  } catch (err) {
    if (signal.aborted) return { ok: false, status: null, permanent: false, error: `timed out after ${timeoutMs} ms without a response` };
    if (err instanceof PermanentFailure) return { ok: false, status: null, permanent: true, error: err.message };
    if (err instanceof AppError && err.code === 'VALIDATION_FAILED') {
      // A refused or malformed URL will not fix itself; a DNS failure might.
      const reason = (err.details as { reason?: UrlRefusal } | null)?.reason;
      return { ok: false, status: null, permanent: reason !== 'unresolvable', error: `not sent: ${err.message}` };
    }
    const e = err as NodeJS.ErrnoException;
    return { ok: false, status: null, permanent: false, error: e.code ? `${e.code}: ${e.message}` : String(e.message ?? err) };
  }
}

async function record(ctx: AppContext, row: DeliveryRow, result: AttemptResult, maxAttempts: number): Promise<void> {
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  const final = result.ok || result.permanent || row.attempts >= maxAttempts;
  const state = result.ok ? 'delivered' : final ? 'failed' : 'pending';
  await ctx.db.kysely
    .updateTable('webhook_deliveries')
    .set({
      state,
      next_attempt_at: final ? nowIso : new Date(now.getTime() + backoffMs(row.attempts)).toISOString(),
      last_status: result.status,
      last_error: result.ok ? null : result.error.slice(0, 1000),
      updated_at: nowIso,
    })
    .where('id', '=', row.id)
    .where('business_id', '=', row.business_id)
    .where('state', '=', 'pending')
    // Still our lease: if it ran out and another worker took the row, its result wins.
    .where('next_attempt_at', '=', row.next_attempt_at)
    .execute();
  const log = { deliveryId: row.id, businessId: row.business_id, attempt: row.attempts, status: result.status };
  if (result.ok) ctx.log.info(log, 'webhook delivered');
  else ctx.log.warn({ ...log, error: result.error, final }, final ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry');
}

/**
 * One pass of outbound webhook delivery: claims due pending deliveries, signs
 * and POSTs each (SSRF check, timeout, no redirects), and records the
 * outcome: 2xx → delivered; anything else → retried with backoff (30 s,
 * 1 min, 2 min … at most 1 h) until maxAttempts, then failed. Returns how
 * many deliveries were attempted.
 */
export async function deliverWebhooks(ctx: AppContext, opts: { workerId: string; limit?: number; timeoutMs?: number; allowPrivate?: boolean; maxAttempts?: number }): Promise<number> {
  const limit = opts.limit ?? DEFAULTS.limit;
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxAttempts = opts.maxAttempts ?? DEFAULTS.maxAttempts;
  const allowPrivate = opts.allowPrivate ?? false;
  // Long enough for every claimed row to be tried, CONCURRENCY at a time, plus a margin.
  const leaseMs = Math.ceil(limit / CONCURRENCY) * (timeoutMs + 5_000) + 30_000;
  const claimed = await claimDueDeliveries(ctx, ctx.clock.now(), limit, leaseMs);
  if (claimed.length === 0) return 0;
  ctx.log.debug({ workerId: opts.workerId, count: claimed.length }, 'delivering webhooks');
  let next = 0;
  const lane = async () => {
    while (next < claimed.length) {
      const row = claimed[next++];
      try {
        await record(ctx, row, await attempt(ctx, row, timeoutMs, allowPrivate), maxAttempts);
      } catch (err) {
        // A database error while recording: the lease returns the row later.
        ctx.log.error({ err, deliveryId: row.id }, 'could not record a webhook delivery attempt');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claimed.length) }, lane));
  return claimed.length;
}
