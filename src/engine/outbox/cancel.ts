import type { Executor } from '../../db/database.ts';
import { recordDelivery } from './on-record.ts';

/**
 * Cancels outbox rows that have not left yet (state queued), with the reason
 * in last_error, and returns their ids. A row a worker has already claimed
 * (sending) is past stopping and is left alone.
 */
export async function cancelQueuedMessages(
  trx: Executor,
  businessId: string,
  which: { ids: string[] } | { toAddress: string; customersOnly: boolean },
  reason: string,
  at: string,
): Promise<string[]> {
  if ('ids' in which && which.ids.length === 0) return [];
  let q = trx.selectFrom('outbox').select('id').where('business_id', '=', businessId).where('state', '=', 'queued');
  if ('ids' in which) q = q.where('id', 'in', which.ids);
  else {
    q = q.where('to_address', '=', which.toAddress);
    if (which.customersOnly) q = q.where('user_id', 'is', null);
  }
  const ids = (await q.execute()).map((r) => r.id);
  if (ids.length === 0) return [];
  const done = await trx
    .updateTable('outbox')
    .set({ state: 'cancelled', last_error: reason, updated_at: at })
    .where('business_id', '=', businessId)
    .where('id', 'in', ids)
    .where('state', '=', 'queued')
    .returning('id')
    .execute();
  for (const r of done) await recordDelivery(trx, businessId, r.id, 'cancelled');
  return done.map((r) => r.id);
}
