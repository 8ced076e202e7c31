import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { appendEvents, event } from '../events/record.ts';
import { systemActor } from '../context.ts';

/**
 * Customers whose last completed job is older than the dormancy window become
 * "dormant": the list reactivation campaigns work from. Returns how many moved.
 */
export async function markDormantCustomers(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - ctx.config.dormantAfterMonths);
  const cutoffIso = cutoff.toISOString();
  return ctx.db.transaction(async (trx) => {
    const stale = await trx
      .selectFrom('contacts')
      .select(['id', 'business_id'])
      .where('lifecycle_stage', '=', 'customer')
      .where('created_at', '<', cutoffIso)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('jobs')
              .select('jobs.id')
              .whereRef('jobs.contact_id', '=', 'contacts.id')
              .where((eb) => eb.or([eb('jobs.completed_at', '>=', cutoffIso), eb('jobs.status', '=', 'scheduled')])),
          ),
        ),
      )
      .limit(5000)
      .execute();
    if (stale.length === 0) return 0;
    const at = now.toISOString();
    for (const chunk of chunks(stale, 500)) {
      await trx.updateTable('contacts').set({ lifecycle_stage: 'dormant', updated_at: at }).where('id', 'in', chunk.map((c) => c.id)).execute();
      for (const [businessId, rows] of groupBy(chunk, (c) => c.business_id)) {
        await appendEvents(trx, businessId, systemActor, at, rows.map((c) => event('contact.stage_changed', { contactId: c.id, from: 'customer', to: 'dormant' })));
      }
    }
    return stale.length;
  });
}

export async function expireSessions(ctx: AppContext): Promise<number> {
  const res = await ctx.db.kysely.deleteFrom('sessions').where('expires_at', '<', sql<string>`${ctx.clock.now().toISOString()}`).executeTakeFirst();
  return Number(res.numDeletedRows);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}
