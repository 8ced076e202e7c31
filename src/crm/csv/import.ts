import type { AppContext, Scope } from '../../context.ts';
import { isoNow } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { getBusiness } from '../businesses/businesses.ts';
import type { Business } from '../businesses/schema.ts';
import { activityImporter } from './activity-import.ts';
import { UserDirectory } from './activity-rows.ts';
import type { DuplicateNote, EntityImporter, ImportEnv, MergeNote, PreparedBatch } from './batch.ts';
import { yieldEvery, yieldToEventLoop } from '../../lib/yield.ts';
import { applyShape, detectShape, type ImportFormat } from './shapes.ts';
import { Vocabulary } from './vocabulary.ts';
import { ContactResolver } from './contact-resolver.ts';
import { contactsImporter } from './contacts-import.ts';
import { dealsImporter } from './deals-import.ts';
import type { ImportEntity } from './fields.ts';
import { resolveMapping } from './mapping.ts';
import { PhoneNormaliser } from './phones.ts';
import { openCsv, type CsvRow, type CsvSource } from './reader.ts';
import { RejectedRows } from './rejects.ts';

export type { ImportEntity } from './fields.ts';
export { suggestMapping } from './mapping.ts';

export interface ImportOptions {
  entity: ImportEntity;
  /** A byte stream (a file); read chunk by chunk, never whole. */
  input: NodeJS.ReadableStream;
  /** Explicit override: CSV header → field name (or '' / 'ignore' to skip the column). */
  mapping?: Record<string, string>;
  /** Validate, dedupe and report; write nothing. */
  dryRun?: boolean;
  /** Rejected rows as CSV: the original columns + `_row` (line number) + `_error` (reason). Not ended by the import. */
  errors?: NodeJS.WritableStream;
  /** Called after each batch is written; `bytes` is how far into the input the import has read. */
  onProgress?: (p: ImportProgress) => void | Promise<void>;
  /** Read only the first rows (a preview of a large file): the report's `truncated` says whether the file goes on. */
  maxRows?: number;
  /** Stops the import between rows: batches already written stay, the report says `cancelled`. */
  signal?: AbortSignal;
  /** Rows per transaction (default 5,000; at most 10,000). */
  batchSize?: number;
  /**
   * The longest one batch's transaction should hold the database, in ms: batches
   * shrink (never below 100 rows) until a write fits, and the event loop runs
   * between writes. For imports inside a serving process on SQLite, whose one
   * connection every other request waits for while a batch is written.
   */
  transactionBudgetMs?: number;
  /** Contacts: a matched contact's non-empty values are replaced by the file's (default: only empty ones are filled). */
  updateExisting?: boolean;
  /** Read the file as this vendor's export (default: recognised from the header row). */
  format?: ImportFormat;
}

/** How far an import has got: rows read and written, bytes of the input read, and the counts so far. */
export interface ImportProgress {
  rows: number;
  bytes: number;
  created: number;
  merged: number;
  rejected: number;
  warnings: number;
}

export interface ImportReport {
  entity: ImportEntity;
  /** Identifies this import in the audit log, consent evidence and imported notes/interactions. */
  importId: string;
  /** Data rows read (blank lines are skipped); rows = created + merged + rejected. */
  rows: number;
  created: number;
  /** Rows that matched a stored record (or an earlier row of the file) and were merged into it. */
  merged: number;
  rejected: number;
  /** Rows imported without some of their values (each dropped value is in warningsSample and the errors file). */
  warnings: number;
  warningsSample: Array<{ row: number; warning: string }>;
  /** The contact each merged row went into (the first 100). */
  merges: MergeNote[];
  /** New contacts that share a phone with a contact of a clearly different name (the first 100): check them under Duplicates. */
  possibleDuplicates: DuplicateNote[];
  /** The export shape recognised (or forced with format), e.g. "hubspot-contacts"; null: a plain CSV. */
  shape: string | null;
  encoding: string;
  delimiter: string;
  /** Contacts created along the way by jobs/interactions rows naming an unknown phone/email (contacts: = created). */
  contactsCreated: number;
  /** header → field, for the columns that were imported. */
  mapping: Record<string, string>;
  unmappedColumns: string[];
  dryRun: boolean;
  durationMs: number;
  rowsPerSecond: number;
  errorsSample: Array<{ row: number; error: string }>;
  /** With maxRows: the file has more rows than were read. */
  truncated: boolean;
  /** Stopped by its signal before the end of the file: `rows` counts what was written before. */
  cancelled: boolean;
}

/**
 * Rows per transaction. SQLite rewrites every page a transaction touched when
 * it commits, and a file's phones and emails land all over the identity
 * index, so fewer, larger commits write far less; PostgreSQL saves round
 * trips. bench/csv-import.ts, 1,000 → 5,000 rows: SQLite 12.9k → 17.5k rows/s,
 * PostgreSQL 8.3k → 9.9k.
 */
const defaultBatchSize = 5_000;
/**
 * How long an import running inside the server (a job, or POST /imports/contacts)
 * may hold the database per batch: on SQLite every other request waits for the
 * one connection while a batch is written, so batches there stay short enough
 * that /health, pages and sends keep being answered. PostgreSQL's pool lets
 * them through anyway, so its batches keep the default size.
 */
export const serverImportBudgetMs = (ctx: Pick<AppContext, 'db'>): number | undefined => (ctx.db.dialect === 'sqlite' ? 25 : undefined);

/** Rows validated between two turns of the event loop. */
const PREPARE_SLICE = 250;

/** How many merges and possible duplicates a report names. */
const reportListSize = 100;

/**
 * Why a row cannot be read at all, before looking at its values. A row with
 * fewer cells than the header is read with the missing ones empty (spreadsheet
 * tools drop trailing empty cells), with a warning; one with more is refused,
 * since its cells can no longer be matched to the columns.
 */
function shapeProblem(row: CsvRow, width: number): string | null {
  if (row.values.length < width) {
    row.warnings = [...(row.warnings ?? []), `has ${row.values.length} columns, the header has ${width}: the missing ones were read as empty`];
    while (row.values.length < width) row.values.push('');
  }
  for (let i = width; i < row.values.length; i++) {
    if (row.values[i].trim() !== '') return `has ${row.values.length} columns, the header has ${width} (a comma too many, or a field that should be quoted?)`;
  }
  for (let i = 0; i < row.values.length; i++) {
    if (row.values[i].includes('\u0000')) return `column ${i + 1} contains a NUL character (binary data in a text file)`;
  }
  return null;
}

/**
 * Imports a CSV of contacts, jobs or interactions, streaming: the file is
 * parsed chunk by chunk and written in batches of `batchSize` rows, one
 * transaction each, so memory stays flat at any file size.
 *
 * Whole-file problems (not UTF-8/UTF-16, broken quoting, a bad header row or
 * mapping) throw AppError BAD_REQUEST/VALIDATION_FAILED naming the line or
 * column. Encoding and header problems are found before anything is written.
 * A problem found mid-file stops the import there: batches before it stay
 * committed and the error says how many (re-importing the fixed file merges
 * them rather than duplicating). Problems in one row reject only that row.
 *
 * Imports emit no domain events (no lead.created: importing history must not
 * start follow-up sequences); each one writes one audit_log row.
 */
export async function importCsv(ctx: AppContext, scope: Scope, opts: ImportOptions): Promise<ImportReport> {
  // Elapsed time is a measurement of this process, not business time: the injected clock may be virtual.
  const started = performance.now();
  const business = await getBusiness(ctx, scope.businessId);
  const source = await openCsv(opts.input);
  try {
    return await importRows(ctx, scope, opts, business, source, started);
  } finally {
    source.close();
  }
}

/** The import proper, once the file is open: mapping, batches, report. */
async function importRows(ctx: AppContext, scope: Scope, opts: ImportOptions, business: Business, source: CsvSource, started: number): Promise<ImportReport> {
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? defaultBatchSize, 10_000));
  // Rows the next batch takes: batchSize, or fewer when writes must fit transactionBudgetMs.
  let batchLimit = opts.transactionBudgetMs ? Math.min(batchSize, 500) : batchSize;
  const dryRun = opts.dryRun ?? false;
  const shape = detectShape(opts.entity, source.headers, opts.format);
  const plan = resolveMapping(opts.entity, source.headers, { ...(shape?.mapping(source.headers) ?? {}), ...(opts.mapping ?? {}) });
  const importId = newId();
  const phones = new PhoneNormaliser(business.settings.defaultCountry);
  const users = await UserDirectory.load(ctx.db.kysely, scope.businessId);
  const country = business.settings.defaultCountry;
  const env: ImportEnv = {
    ctx,
    scope,
    business,
    plan,
    shape,
    dryRun,
    importId,
    phones,
    contacts: new ContactResolver({ business, scope, dialect: ctx.db.dialect, importId, dryRun, updateExisting: opts.updateExisting }),
    contactRead: applyShape(shape, {
      phones,
      zone: business.timeZone,
      monthFirst: country === 'US' || country === 'CA',
      vocabulary: await Vocabulary.load(ctx.db.kysely, scope.businessId),
      users,
    }),
  };
  const importer: EntityImporter =
    opts.entity === 'contacts' ? contactsImporter(env) : opts.entity === 'deals' ? dealsImporter(env, users) : activityImporter(env, opts.entity, users);
  const merges: MergeNote[] = [];
  const possibleDuplicates: DuplicateNote[] = [];
  const rejects = new RejectedRows(opts.errors, source.headers);
  const counts = { rows: 0, created: 0, merged: 0 };
  const stop = { truncated: false, cancelled: false };
  const width = source.headers.length;

  // One batch is written while the next is read and validated. Writes stay in file order: each starts after the previous one ends.
  let writing: Promise<void> = Promise.resolve();
  // Held in an object: it is set inside the write closures, which TypeScript's narrowing does not follow.
  const writeFailure: { error?: unknown; failed: boolean } = { failed: false };
  let batch: CsvRow[] = [];
  let misshapen: Array<{ row: CsvRow; error: string }> = [];
  const startBatch = async () => {
    // Validated in slices with the event loop let through between them: other requests keep being answered.
    const prepared: PreparedBatch<unknown> = { items: [], rejected: [] };
    for (let i = 0; i < batch.length; i += PREPARE_SLICE) {
      const part = importer.prepare(batch.slice(i, i + PREPARE_SLICE));
      prepared.items.push(...part.items);
      prepared.rejected.push(...part.rejected);
      await yieldToEventLoop();
    }
    const early = misshapen;
    batch = [];
    misshapen = [];
    await writing;
    if (writeFailure.failed) throw writeFailure.error;
    const rowsSoFar = counts.rows;
    // Never rejects: a failure is kept and rethrown by the next startBatch/settle, so it is never left unhandled.
    writing = (async () => {
      try {
        const writeStarted = performance.now();
        const result = await importer.write(prepared);
        if (opts.transactionBudgetMs) {
          const took = Math.max(1, performance.now() - writeStarted);
          const fits = Math.round((prepared.items.length * opts.transactionBudgetMs) / took);
          // Move halfway towards what fits: one slow write (a GC pause, a busy disk) does not collapse the batches.
          batchLimit = Math.max(100, Math.min(batchSize, Math.round((batchLimit + fits) / 2)));
          await yieldToEventLoop();
        }
        counts.created += result.created;
        counts.merged += result.merged;
        for (const m of result.merges ?? []) if (merges.length < reportListSize) merges.push(m);
        for (const d of result.duplicates ?? []) if (possibleDuplicates.length < reportListSize) possibleDuplicates.push(d);
        const notes = [...early.map((r) => ({ row: r.row, error: r.error })), ...result.rejected, ...(result.warned ?? []).map((w) => ({ row: w.row, warnings: w.warnings }))];
        for (const r of notes.sort((a, b) => a.row.line - b.row.line)) {
          if ('warnings' in r) await rejects.warn(r.row, r.warnings);
          else await rejects.add(r.row, r.error);
        }
        await opts.onProgress?.(progress(rowsSoFar));
      } catch (error) {
        writeFailure.failed = true;
        writeFailure.error = error;
      }
    })();
  };
  const settle = async () => {
    await writing;
    if (writeFailure.failed) throw writeFailure.error;
  };

  const progress = (rows: number): ImportProgress => ({ rows, bytes: source.bytesRead(), created: counts.created, merged: counts.merged, rejected: rejects.count, warnings: rejects.warnedRows });
  const report = (): ImportReport => {
    const durationMs = Math.round(performance.now() - started);
    return {
      entity: opts.entity,
      importId,
      rows: counts.rows,
      created: counts.created,
      merged: counts.merged,
      rejected: rejects.count,
      warnings: rejects.warnedRows,
      warningsSample: rejects.warningsSample,
      merges,
      possibleDuplicates,
      shape: shape?.name ?? null,
      encoding: source.encoding(),
      delimiter: source.delimiter,
      contactsCreated: env.contacts.contactsCreated,
      mapping: plan.mapping,
      unmappedColumns: plan.unmapped,
      dryRun,
      durationMs,
      rowsPerSecond: durationMs > 0 ? Math.round((counts.rows * 1000) / durationMs) : counts.rows,
      errorsSample: rejects.sample,
      truncated: stop.truncated,
      cancelled: stop.cancelled,
    };
  };

  const breathe = yieldEvery(250);
  const maxRows = opts.maxRows ?? Infinity;
  try {
    for await (const row of source.rows) {
      await breathe();
      if (opts.signal?.aborted) {
        stop.cancelled = true;
        break;
      }
      if (row.values.every((v) => v.trim() === '')) continue; // a line of bare delimiters, as spreadsheets leave behind
      if (counts.rows >= maxRows) {
        stop.truncated = true;
        break;
      }
      counts.rows++;
      const problem = shapeProblem(row, width);
      if (problem) misshapen.push({ row, error: problem });
      else batch.push(row);
      if (batch.length + misshapen.length >= batchLimit) await startBatch();
    }
    if (stop.cancelled) {
      // Rows read but not yet written are not imported: the report counts only what was.
      counts.rows -= batch.length + misshapen.length;
      batch = [];
      misshapen = [];
    }
    if (batch.length + misshapen.length > 0) await startBatch();
    await settle();
    await opts.onProgress?.(progress(counts.rows));
  } catch (err) {
    // A write may still be running: let it finish so the report says exactly what was committed.
    await writing;
    throw await stopped(ctx, scope, writeFailure.failed ? writeFailure.error : err, report(), dryRun);
  }
  const done = report();
  if (!dryRun) await audit(ctx, scope, done, done.cancelled ? 'cancelled' : 'completed');
  return done;
}

/** One audit row per import: the counts, the mapping, and whether it finished. */
async function audit(ctx: AppContext, scope: Scope, report: ImportReport, status: 'completed' | 'cancelled' | 'stopped', reason?: string): Promise<void> {
  const { entity, importId, rows, created, merged, rejected, warnings, contactsCreated, mapping, shape } = report;
  await ctx.db.kysely
    .insertInto('audit_log')
    .values({
      business_id: scope.businessId,
      actor_type: scope.actor.type,
      actor_id: scope.actor.id,
      action: 'import',
      entity_type: entity,
      entity_id: importId,
      changes: JSON.stringify({ status, rows, created, merged, rejected, warnings, contactsCreated, mapping, shape, ...(reason && { reason }) }),
      at: isoNow(ctx.clock),
    })
    .execute();
}

/** A whole-file failure part-way through: say what was already committed, and record it. */
async function stopped(ctx: AppContext, scope: Scope, err: unknown, sofar: ImportReport, dryRun: boolean): Promise<unknown> {
  const committed = sofar.created + sofar.merged;
  if (dryRun || committed === 0) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const written = { ...sofar, rows: sofar.created + sofar.merged + sofar.rejected };
  await audit(ctx, scope, written, 'stopped', reason).catch((auditError: unknown) => ctx.log.warn({ err: auditError, importId: sofar.importId }, 'could not record the stopped import in the audit log'));
  if (!(err instanceof AppError)) return err;
  const message = `${err.message}. The import stopped there: ${committed} earlier rows were already imported (${sofar.created} created, ${sofar.merged} merged; import ${sofar.importId}). Fix the file and import it again: rows already imported are merged, not duplicated.`;
  const details = typeof err.details === 'object' && err.details !== null ? err.details : {};
  return new AppError(err.code, message, { ...details, importId: sofar.importId, committed: { created: sofar.created, merged: sofar.merged, rejected: sofar.rejected } });
}
