import '../db/types-widget.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../lib/errors.ts';

/**
 * Per-address limits on the widget's public endpoints, counted in the
 * database (fixed windows), so every API process behind a load balancer
 * shares them. Over the limit: 429 with Retry-After.
 */
export const widgetLimits = {
  /** Opening the widget (a config and a form token). */
  config: { hits: 120, windowSeconds: 600 },
  form: { hits: 5, windowSeconds: 600 },
  chatStart: { hits: 5, windowSeconds: 600 },
  chatMessage: { hits: 30, windowSeconds: 600 },
  /** Polling for replies every few seconds. */
  chatPoll: { hits: 600, windowSeconds: 600 },
} as const;
export type WidgetLimit = keyof typeof widgetLimits;

export async function takeWidgetHit(ctx: AppContext, limit: WidgetLimit, ip: string): Promise<void> {
  const { hits, windowSeconds } = widgetLimits[limit];
  const nowMs = ctx.clock.now().getTime();
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(nowMs / windowMs) * windowMs;
  const key = `${limit}:${ip}`;
  const row = await ctx.db.kysely
    .insertInto('widget_rate_limits')
    .values({ key, window_start: windowStart, hits: 1 })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ hits: eb('widget_rate_limits.hits', '+', 1) })))
    .returning('hits')
    .executeTakeFirstOrThrow();
  const count = Number(row.hits);
  // The first hit of a window clears this address's older windows: the table holds about one row per active address.
  if (count === 1) await ctx.db.kysely.deleteFrom('widget_rate_limits').where('key', '=', key).where('window_start', '<', windowStart).execute();
  if (count > hits) {
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000));
    throw new AppError('RATE_LIMITED', `too many requests from this address; try again in ${retryAfterSeconds} seconds`, { retryAfterSeconds });
  }
}
