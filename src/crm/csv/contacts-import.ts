import { isoNow } from '../../lib/clock.ts';
import { inBatchTransaction, type BatchResult, type EntityImporter, type ImportEnv, type PreparedBatch } from './batch.ts';
import { readContactDraft, RowCells, RowError, type ContactDraft } from './contact-draft.ts';

/** Contacts: each row validated and normalised, then matched by phone/email and created or merged. */
export function contactsImporter(env: ImportEnv): EntityImporter<ContactDraft> {
  return {
    prepare(rows) {
      const batch: PreparedBatch<ContactDraft> = { items: [], rejected: [] };
      for (const row of rows) {
        try {
          batch.items.push(readContactDraft(new RowCells(env.plan, row), env.phones));
        } catch (err) {
          if (!(err instanceof RowError)) throw err;
          batch.rejected.push({ row, error: err.message });
        }
      }
      return batch;
    },

    async write(batch) {
      const result: BatchResult = { created: 0, merged: 0, rejected: batch.rejected };
      await inBatchTransaction(env, async (trx) => {
        result.created = 0;
        result.merged = 0;
        await env.contacts.prefetch(trx, batch.items);
        for (const draft of batch.items) {
          if (env.contacts.resolve(draft).created) result.created++;
          else result.merged++;
        }
        await env.contacts.flush(trx, isoNow(env.ctx.clock));
      });
      return result;
    },
  };
}
