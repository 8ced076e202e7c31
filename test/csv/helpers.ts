import { Readable, Writable } from 'node:stream';
import type { AppContext, Scope } from '../../src/context.ts';
import { importCsv, type ImportOptions, type ImportReport } from '../../src/crm/csv/import.ts';
import { exportCsv } from '../../src/crm/csv/export.ts';
import type { ImportEntity } from '../../src/crm/csv/fields.ts';

/** A byte stream of the given content, delivered in small chunks so chunk boundaries are exercised. */
export function csvInput(content: string | Buffer, chunkSize = 7): Readable {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

/** A writable that keeps what is written. */
export function sink(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      parts.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => parts.join('') };
}

export async function runImport(
  ctx: AppContext,
  scope: Scope,
  entity: ImportEntity,
  content: string | Buffer,
  opts: Partial<Omit<ImportOptions, 'entity' | 'input' | 'errors'>> = {},
): Promise<ImportReport & { errorsCsv: string }> {
  const errors = sink();
  const report = await importCsv(ctx, scope, { entity, input: csvInput(content), errors: errors.stream, ...opts });
  return { ...report, errorsCsv: errors.text() };
}

export async function runExport(ctx: AppContext, scope: Scope, entity: Exclude<ImportEntity, 'deals'>): Promise<string> {
  const out = sink();
  await exportCsv(ctx, scope, entity, out.stream);
  return out.text();
}

/** Counts rows of a table belonging to a business. */
export async function countRows(ctx: AppContext, table: 'contacts' | 'contact_identities' | 'contact_tags' | 'jobs' | 'interactions' | 'consents' | 'events' | 'audit_log', businessId: string): Promise<number> {
  const r = await ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('business_id', '=', businessId).executeTakeFirstOrThrow();
  return Number(r.n);
}
