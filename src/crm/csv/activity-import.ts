import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.ts';
import type { InteractionTable, JobTable } from '../../db/types.ts';
import { isoNow } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { readInteraction, readJob, type ActivityDraft, type ActivityReadEnv, type UserDirectory } from './activity-rows.ts';
import { inBatchTransaction, readRows, type BatchResult, type EntityImporter, type ImportEnv, type PreparedBatch } from './batch.ts';
import { chunks, insertRows } from './bulk.ts';
import { linkContacts, type LinkedRow } from './contact-links.ts';
import type { CsvRow } from './reader.ts';
import { keyedSynonyms } from './shapes.ts';

type Linked = LinkedRow<ActivityDraft>;

/** Stage of a job that is still open, which a later row may move on. */
const openStatus = 'scheduled';

/**
 * Jobs and interactions: each row names its contact by contact_id or by
 * phone/email (found like contact dedupe; created from the row when unknown),
 * is validated with the API's schema, and is inserted in bulk. Rows already
 * stored for the same contact — same external id; without one, the same
 * service and dates (jobs) or kind, time and body (interactions) — are merged
 * instead of duplicated, so a file can be imported twice. No domain events:
 * importing history must not start follow-ups or review requests.
 */
/** How rows of jobs, interactions and deals are read: the business's zone and date order, phones, team and the import's clock. */
export function activityReadEnv(env: ImportEnv, users: UserDirectory): ActivityReadEnv {
  const country = env.business.settings.defaultCountry;
  return { zone: env.business.timeZone, monthFirst: country === 'US' || country === 'CA', phones: env.phones, users, importId: env.importId, now: isoNow(env.ctx.clock) };
}

export function activityImporter(env: ImportEnv, entity: 'jobs' | 'interactions', users: UserDirectory): EntityImporter<{ row: CsvRow; draft: ActivityDraft }> {
  // Keys written earlier in this run. A committed batch is in the database; a dry run has only this.
  const seenInRun = new Set<string>();
  const read = entity === 'jobs' ? readJob : readInteraction;
  const jobStatusTable = keyedSynonyms(env.shape?.shape.jobStatusSynonyms);

  return {
    prepare(rows: CsvRow[]): PreparedBatch<{ row: CsvRow; draft: ActivityDraft }> {
      // Users are loaded before the first batch (see activityImporter's caller): reading rows touches no database.
      const readEnv: ActivityReadEnv = { ...activityReadEnv(env, users), jobStatusSynonyms: jobStatusTable, lenient: env.shape !== null };
      return readRows(env.plan, rows, (cells) => read(cells, readEnv));
    },

    async write(batch): Promise<BatchResult> {
      const now = isoNow(env.ctx.clock);
      const result: BatchResult = { created: 0, merged: 0, rejected: [...batch.rejected] };
      await inBatchTransaction(env, async (trx) => {
        result.rejected = [...batch.rejected];
        const linked = await linkContacts(env, trx, batch.items, result);
        result.warned = linked.filter((l) => l.draft.warnings?.length).map((l) => ({ row: l.row, warnings: l.draft.warnings! }));
        const outcome = entity === 'jobs' ? await writeJobs(trx, linked, now) : await writeInteractions(trx, linked, now);
        result.created = outcome.created;
        result.merged = outcome.merged;
        if (!env.dryRun) await touchContacts(trx, outcome.written, now);
      });
      return result;
    },
  };

  async function writeJobs(trx: Executor, items: Linked[], now: string): Promise<{ created: number; merged: number; written: Linked[] }> {
    const businessId = env.scope.businessId;
    // A job is the same job when its external id matches, or (without one) the same contact, service and dates.
    const keyOf = (contactId: unknown, v: Record<string, unknown>): string | null =>
      v.external_id !== null && v.external_id !== undefined
        ? `x:${v.external_id}`
        : v.scheduled_start || v.completed_at
          ? `n:${contactId}|${v.service_type}|${v.scheduled_start ?? ''}|${v.completed_at ?? ''}`
          : null;
    // The stored jobs of the batch's contacts (jobs_contact_idx): external ids are matched within the
    // contact, since jobs.external_id has no index and a business-wide lookup would scan every job per batch.
    const stored = new Map<string, Selectable<JobTable>>();
    for (const part of chunks([...new Set(items.map((i) => i.contactId))])) {
      for (const r of await trx.selectFrom('jobs').selectAll().where('business_id', '=', businessId).where('contact_id', 'in', part).orderBy('id').execute()) {
        const key = keyOf(r.contact_id, r);
        if (key !== null && !stored.has(key)) stored.set(key, r);
      }
    }
    const inserts: Array<Insertable<JobTable> & Record<string, unknown>> = [];
    const pending = new Map<string, Record<string, unknown>>();
    const updates = new Map<string, Record<string, unknown>>();
    const written: Linked[] = [];
    let created = 0;
    let merged = 0;
    for (const item of items) {
      const values: Record<string, unknown> = { ...item.draft.values, contact_id: item.contactId };
      const key = keyOf(item.contactId, values);
      const existing = key === null ? undefined : stored.get(key);
      const inBatch = key === null ? undefined : pending.get(key);
      if (existing) {
        const set = updates.get(existing.id) ?? {};
        mergeJob({ ...existing, ...set }, values, set);
        updates.set(existing.id, set);
      } else if (inBatch) {
        mergeJob(inBatch, values, inBatch);
      } else if (key !== null && seenInRun.has(key)) {
        merged++; // dry run: an earlier batch of this file would have created it
        continue;
      } else {
        const row = { id: newId(), business_id: businessId, company_id: null, ...values, created_at: now, updated_at: now } as Insertable<JobTable> & Record<string, unknown>;
        inserts.push(row);
        if (key !== null) {
          pending.set(key, row);
          if (env.dryRun) seenInRun.add(key);
        }
        created++;
        written.push(item);
        continue;
      }
      merged++;
      written.push(item);
    }
    if (!env.dryRun) {
      await insertRows(trx, env.ctx.db.dialect, 'jobs', inserts);
      for (const [id, set] of updates) {
        if (Object.keys(set).length === 0) continue;
        await trx.updateTable('jobs').set({ ...set, updated_at: now }).where('business_id', '=', businessId).where('id', '=', id).execute();
      }
    }
    return { created, merged, written };
  }

  async function writeInteractions(trx: Executor, items: Linked[], now: string): Promise<{ created: number; merged: number; written: Linked[] }> {
    const businessId = env.scope.businessId;
    const naturalKey = (contactId: string, v: Record<string, unknown>) => `i:${contactId}|${v.kind}|${v.occurred_at}|${v.body ?? ''}`;
    // External ids are matched within the batch's contacts (interactions_contact_idx); see writeJobs.
    const extIds = [...new Set(items.map((i) => i.draft.externalId).filter((x): x is string => x !== null))];
    const withExt = [...new Set(items.filter((i) => i.draft.externalId !== null).map((i) => i.contactId))];
    const stored = new Set<string>();
    for (const part of chunks(withExt, 2_000)) {
      if (extIds.length === 0) break;
      for (const extPart of chunks(extIds, 2_000)) {
        const rows = await trx.selectFrom('interactions').select('external_id').where('business_id', '=', businessId).where('contact_id', 'in', part).where('external_id', 'in', extPart).execute();
        for (const r of rows) stored.add(`x:${r.external_id}`);
      }
    }
    const plain = items.filter((i) => i.draft.externalId === null);
    const contactIds = [...new Set(plain.map((i) => i.contactId))];
    const times = [...new Set(plain.map((i) => String(i.draft.values.occurred_at)))];
    for (const part of chunks(contactIds, 2_000)) {
      if (times.length === 0) break;
      for (const timePart of chunks(times, 2_000)) {
        const rows = await trx
          .selectFrom('interactions')
          .select(['contact_id', 'kind', 'occurred_at', 'body'])
          .where('business_id', '=', businessId)
          .where('contact_id', 'in', part)
          .where('occurred_at', 'in', timePart)
          .execute();
        for (const r of rows) stored.add(naturalKey(r.contact_id, r));
      }
    }
    const inserts: Array<Insertable<InteractionTable>> = [];
    const written: Linked[] = [];
    const batchKeys = new Set<string>();
    let created = 0;
    let merged = 0;
    for (const item of items) {
      const key = item.draft.externalId !== null ? `x:${item.draft.externalId}` : naturalKey(item.contactId, item.draft.values);
      if (stored.has(key) || batchKeys.has(key) || seenInRun.has(key)) {
        merged++;
        continue;
      }
      batchKeys.add(key);
      if (env.dryRun) seenInRun.add(key);
      inserts.push({ id: newId(), business_id: businessId, contact_id: item.contactId, ...item.draft.values, created_at: now } as Insertable<InteractionTable>);
      written.push(item);
      created++;
    }
    if (!env.dryRun) await insertRows(trx, env.ctx.db.dialect, 'interactions', inserts);
    return { created, merged, written };
  }

  /** last_interaction_at moves forward to the latest touch; a completed job makes its contact a customer. */
  async function touchContacts(trx: Executor, written: Linked[], now: string): Promise<void> {
    const businessId = env.scope.businessId;
    const latest = new Map<string, string>();
    const customers = new Set<string>();
    for (const { draft, contactId } of written) {
      if (draft.touchedAt !== null && (latest.get(contactId) ?? '') < draft.touchedAt) latest.set(contactId, draft.touchedAt);
      if (draft.completed) customers.add(contactId);
    }
    for (const [contactId, at] of latest) {
      await trx
        .updateTable('contacts')
        .set({ last_interaction_at: at })
        .where('business_id', '=', businessId)
        .where('id', '=', contactId)
        .where((eb) => eb.or([eb('last_interaction_at', 'is', null), eb('last_interaction_at', '<', at)]))
        .execute();
    }
    for (const part of chunks([...customers])) {
      // Stage filtered here, not in SQL: on SQLite a stage condition steers the planner onto contacts_stage_idx (a scan of the business).
      const current = await trx.selectFrom('contacts').select(['id', 'lifecycle_stage']).where('business_id', '=', businessId).where('id', 'in', part).execute();
      const promote = current.filter((c) => c.lifecycle_stage !== 'customer').map((c) => c.id);
      if (promote.length) await trx.updateTable('contacts').set({ lifecycle_stage: 'customer', updated_at: now }).where('business_id', '=', businessId).where('id', 'in', promote).execute();
    }
  }
}

/**
 * Folds a row into a stored (or pending) job with the same external id:
 * empty columns are filled, and an open job takes the row's final status
 * (scheduled → completed/cancelled/no_show); nothing else is overwritten.
 */
function mergeJob(current: Record<string, unknown>, incoming: Record<string, unknown>, set: Record<string, unknown>): void {
  const status = current.status === openStatus && incoming.status !== openStatus ? incoming.status : current.status;
  if (status !== current.status) set.status = status;
  for (const [column, value] of Object.entries(incoming)) {
    if (column === 'status' || value === null || value === undefined) continue;
    if (column === 'completed_at' && status !== 'completed') continue;
    if (current[column] === null || current[column] === undefined) set[column] = value;
  }
}
