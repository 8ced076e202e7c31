import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { Business } from '../businesses/schema.ts';
import { RowCells, RowError, type ContactReadEnv } from './contact-draft.ts';
import type { ContactResolver } from './contact-resolver.ts';
import type { ResolvedMapping } from './mapping.ts';
import type { PhoneNormaliser } from './phones.ts';
import type { CsvRow } from './reader.ts';
import type { ShapePlan } from './shapes.ts';

/** What every entity's importer gets: the world, the column plan and the shared per-run state. */
export interface ImportEnv {
  ctx: AppContext;
  scope: Scope;
  business: Business;
  plan: ResolvedMapping;
  dryRun: boolean;
  importId: string;
  phones: PhoneNormaliser;
  contacts: ContactResolver;
  /** How contact rows are read: phones, the business's zone, vocabulary, users, a vendor's value maps. */
  contactRead: ContactReadEnv;
  /** The vendor export shape the file was read as; null: a plain CSV. */
  shape: ShapePlan | null;
}

/** A row merged into a contact, named for the preview and the report. */
export interface MergeNote {
  row: number;
  contactId: string;
  name: string;
  matchedOn: 'phone' | 'email';
  /** false: merged into a contact created earlier in the same file. */
  existing: boolean;
}

/** A new contact that shares a phone with a contact of a clearly different name. */
export interface DuplicateNote {
  row: number;
  contactId: string;
  name: string;
  sharesPhoneWith: { contactId: string; name: string };
}

export interface BatchResult {
  created: number;
  merged: number;
  rejected: Array<{ row: CsvRow; error: string }>;
  /** Rows imported without some of their values, and why. */
  warned?: Array<{ row: CsvRow; warnings: string[] }>;
  merges?: MergeNote[];
  duplicates?: DuplicateNote[];
}

/** A batch after validation: the rows ready to write, and those already rejected. */
export interface PreparedBatch<T> {
  items: T[];
  rejected: Array<{ row: CsvRow; error: string }>;
}

/**
 * Imports one batch in two steps: `prepare` validates and normalises the rows
 * (CPU only, no database), `write` resolves and writes them in one transaction
 * (or nothing, in a dry run). The import prepares the next batch while the
 * previous one is being written, which keeps Node busy while PostgreSQL works.
 */
export interface EntityImporter<T = unknown> {
  prepare(rows: CsvRow[]): PreparedBatch<T>;
  write(batch: PreparedBatch<T>): Promise<BatchResult>;
}

/** Runs a batch's writes in one transaction; a dry run reads through the plain handle and writes nothing. */
export function inBatchTransaction<T>(env: ImportEnv, fn: (trx: Executor) => Promise<T>): Promise<T> {
  return env.dryRun ? fn(env.ctx.db.kysely) : env.ctx.db.transaction(fn);
}

/**
 * Reads each row into a draft. A row its reader refuses (RowError: nothing
 * usable, a value that cannot be read) is rejected with the reader's message;
 * any other error is a bug and stops the import.
 */
export function readRows<D>(plan: ResolvedMapping, rows: CsvRow[], read: (cells: RowCells) => D): PreparedBatch<{ row: CsvRow; draft: D }> {
  const batch: PreparedBatch<{ row: CsvRow; draft: D }> = { items: [], rejected: [] };
  for (const row of rows) {
    try {
      batch.items.push({ row, draft: read(new RowCells(plan, row)) });
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      batch.rejected.push({ row, error: err.message });
    }
  }
  return batch;
}
