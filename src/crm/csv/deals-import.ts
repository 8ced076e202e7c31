import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { DealTable } from '../../db/types.ts';
import { isoNow } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import type { UserDirectory } from './activity-rows.ts';
import { inBatchTransaction, readRows, type BatchResult, type EntityImporter, type ImportEnv, type PreparedBatch } from './batch.ts';
import { chunks, insertRows } from './bulk.ts';
import { linkContacts, type LinkedRow } from './contact-links.ts';
import { readDeal, type DealDraft, type DealReadEnv } from './deal-rows.ts';
import type { CsvRow } from './reader.ts';
import { activityReadEnv } from './activity-import.ts';
import { keyedSynonyms } from './shapes.ts';

type Item = { row: CsvRow; draft: DealDraft };

/**
 * Deals (HubSpot deals, GoHighLevel opportunities, or a plain CSV): each row
 * names its contact (by contact id, the vendor's contact id, phone/email, or
 * "Name (email)"), found like contact dedupe and created when unknown. The
 * deals table has no external id, so a deal already stored for the same
 * contact with the same title, pipeline and created date (the export's) is
 * merged instead of duplicated: empty values are filled, and an open deal
 * takes the file's stage. No domain events: importing history must not start
 * follow-ups.
 */
export function dealsImporter(env: ImportEnv, users: UserDirectory): EntityImporter<Item> {
  const seenInRun = new Set<string>();
  const stageTable = keyedSynonyms(env.shape?.shape.dealStageSynonyms);

  return {
    prepare(rows) {
      const readEnv: DealReadEnv = { ...activityReadEnv(env, users), lenient: true, dealStageSynonyms: stageTable };
      return readRows(env.plan, rows, (cells) => readDeal(cells, readEnv));
    },

    async write(batch) {
      const now = isoNow(env.ctx.clock);
      const result: BatchResult = { created: 0, merged: 0, rejected: [...batch.rejected] };
      await inBatchTransaction(env, async (trx) => {
        result.rejected = [...batch.rejected];
        const linked = await linkContacts(env, trx, batch.items, result);
        result.warned = linked.filter((l) => l.draft.warnings?.length).map((l) => ({ row: l.row, warnings: l.draft.warnings! }));
        const outcome = await writeDeals(trx, linked, now);
        result.created = outcome.created;
        result.merged = outcome.merged;
      });
      return result;
    },
  };

  async function writeDeals(trx: Executor, items: Array<LinkedRow<DealDraft>>, now: string): Promise<{ created: number; merged: number }> {
    const businessId = env.scope.businessId;
    const keyOf = (contactId: string | null, title: string, pipeline: string, createdAt: string | null) => `${contactId}|${title.toLowerCase()}|${pipeline}|${createdAt ?? ''}`;
    const stored = new Map<string, Selectable<DealTable>>();
    for (const part of chunks([...new Set(items.map((i) => i.contactId))])) {
      for (const r of await trx.selectFrom('deals').selectAll().where('business_id', '=', businessId).where('contact_id', 'in', part).orderBy('id').execute()) {
        // A deal imported with a created date keeps it; one without was stamped with the import time, so both keys are tried.
        for (const key of [keyOf(r.contact_id, r.title, r.pipeline, r.created_at), keyOf(r.contact_id, r.title, r.pipeline, null)]) if (!stored.has(key)) stored.set(key, r);
      }
    }
    const inserts: Array<Insertable<DealTable>> = [];
    const pending = new Set<string>();
    const updates = new Map<string, Record<string, unknown>>();
    let created = 0;
    let merged = 0;
    for (const { draft, contactId } of items) {
      const key = keyOf(contactId, draft.values.title, draft.values.pipeline, draft.createdAt);
      const existing = stored.get(key);
      if (existing) {
        const set = updates.get(existing.id) ?? {};
        mergeDeal({ ...existing, ...set }, draft.values, set);
        updates.set(existing.id, set);
        merged++;
        continue;
      }
      if (pending.has(key) || seenInRun.has(key)) {
        merged++;
        continue;
      }
      pending.add(key);
      if (env.dryRun) seenInRun.add(key);
      inserts.push({ id: newId(), business_id: businessId, contact_id: contactId, company_id: null, discount_cents: null, ...draft.values, created_at: draft.createdAt ?? now, updated_at: now });
      created++;
    }
    if (!env.dryRun) {
      await insertRows(trx, env.ctx.db.dialect, 'deals', inserts);
      for (const [id, set] of updates) {
        if (Object.keys(set).length === 0) continue;
        await trx.updateTable('deals').set({ ...set, updated_at: now }).where('business_id', '=', businessId).where('id', '=', id).execute();
      }
    }
    return { created, merged };
  }
}

/** An open stored deal takes the file's stage (a later export); empty values are filled; nothing else is overwritten. */
function mergeDeal(current: Record<string, unknown>, incoming: DealDraft['values'], set: Record<string, unknown>): void {
  if (current.status === 'open' && incoming.stage !== current.stage) {
    set.stage = incoming.stage;
    set.status = incoming.status;
    set.closed_at = incoming.closed_at;
    set.close_reason = incoming.close_reason;
  }
  for (const column of ['amount_cents', 'expected_close_date', 'owner_user_id'] as const) {
    if ((current[column] === null || current[column] === undefined) && incoming[column] !== null) set[column] = incoming[column];
  }
}
