import { isoNow } from '../../lib/clock.ts';
import { yieldEvery } from '../../lib/yield.ts';
import { inBatchTransaction, readRows, type BatchResult, type EntityImporter, type ImportEnv, type PreparedBatch } from './batch.ts';
import { readContactDraft, type ContactDraft } from './contact-draft.ts';
import type { CsvRow } from './reader.ts';

type Item = { row: CsvRow; draft: ContactDraft };

/** Contacts: each row validated and normalised, then matched by phone/email and created or merged. */
export function contactsImporter(env: ImportEnv): EntityImporter<Item> {
  return {
    prepare(rows) {
      return readRows(env.plan, rows, (cells) => readContactDraft(cells, env.contactRead));
    },

    async write(batch) {
      const result: BatchResult = { created: 0, merged: 0, rejected: batch.rejected };
      await inBatchTransaction(env, async (trx) => {
        Object.assign(result, { created: 0, merged: 0, warned: [], merges: [], duplicates: [] });
        await env.contacts.prefetch(trx, batch.items.map((i) => i.draft));
        const breathe = yieldEvery(250);
        for (const { row, draft } of batch.items) {
          await breathe();
          if (draft.warnings?.length) result.warned!.push({ row, warnings: draft.warnings });
          const r = env.contacts.resolve(draft);
          if (r.created) {
            result.created++;
            if (r.sharesPhoneWith) result.duplicates!.push({ row: draft.line, contactId: r.contactId, name: r.name, sharesPhoneWith: r.sharesPhoneWith });
          } else {
            result.merged++;
            result.merges!.push({ row: draft.line, contactId: r.contactId, name: r.name, matchedOn: r.matchedOn ?? 'phone', existing: r.existing ?? false });
          }
        }
        await env.contacts.flush(trx, isoNow(env.ctx.clock));
      });
      return result;
    },
  };
}
