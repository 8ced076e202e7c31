import { createReadStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { wakeWorkersOnCommit } from '../../db/database.ts';
import type { ImportJobTable } from '../../db/types.ts';
import { isoNow } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { fetchPage, pageQuerySchema, type Page } from '../shared/pagination.ts';
import { importCsv, type ImportEntity, type ImportReport } from './import.ts';
import { importFormats } from './shapes.ts';
import { estimatedRows, storeUpload } from './upload.ts';

export const importStatuses = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof importStatuses)[number];
export const finishedStatuses: ReadonlySet<string> = new Set(['done', 'failed', 'cancelled']);

/** What an import job is asked to do, besides the file: the same options as `kinetic import`. */
export const importJobOptions = z
  .object({
    mapping: z.record(z.string(), z.string()).optional(),
    updateExisting: z.boolean().default(false),
    format: z.enum(importFormats).optional(),
  })
  .strict();
export type ImportJobOptions = z.infer<typeof importJobOptions>;

/** An import job as the API shows it. */
export interface ImportJob {
  id: string;
  entity: ImportEntity;
  status: ImportStatus;
  fileName: string | null;
  options: ImportJobOptions;
  /** Data rows read and written so far, of about rowsTotal (counted from the file's lines when it arrived; exact once done). */
  rowsDone: number;
  rowsTotal: number | null;
  bytesDone: number;
  bytesTotal: number;
  created: number;
  merged: number;
  warnings: number;
  rejected: number;
  /** Why it failed (what was already imported, and what to do). */
  error: string | null;
  /** The import report (as `POST /imports/contacts` returns it) once the job has finished. */
  report: ImportReport | null;
  /** Rejected rows and dropped values as CSV (GET /imports/:id/errors.csv), when there are any. */
  hasErrorsFile: boolean;
  cancelRequested: boolean;
  createdBy: { type: string; id: string | null };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type ImportJobRow = Selectable<ImportJobTable>;

export function toImportJob(r: ImportJobRow): ImportJob {
  return {
    id: r.id,
    entity: r.kind as ImportEntity,
    status: r.status as ImportStatus,
    fileName: r.file_name,
    options: JSON.parse(r.options) as ImportJobOptions,
    rowsDone: r.rows_done,
    rowsTotal: r.rows_total,
    bytesDone: r.bytes_done,
    bytesTotal: r.file_bytes,
    created: r.created,
    merged: r.merged,
    warnings: r.warnings,
    rejected: r.rejected,
    error: r.error,
    report: r.report ? (JSON.parse(r.report) as ImportReport) : null,
    hasErrorsFile: r.errors_path !== null,
    cancelRequested: r.cancel_requested_at !== null,
    createdBy: { type: r.created_by_type, id: r.created_by_id },
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

/** Where a business's uploads and error files live: under the data directory, one folder per business. */
export function importDir(ctx: AppContext, businessId: string): string {
  return path.join(ctx.config.dataDir, 'imports', businessId);
}

export interface NewImportJob {
  entity: ImportEntity;
  input: Readable;
  fileName?: string;
  options: ImportJobOptions;
}

/**
 * Accepts a file for import: streams it to disk (refused past
 * KINETIC_IMPORT_MAX_BYTES), checks that it can be read and mapped (encoding,
 * header row, mapping: a bad file is refused now, not as a failed job), and
 * queues the job for a worker. Returns at once; the worker does the import.
 */
export async function createImportJob(ctx: AppContext, scope: Scope, job: NewImportJob): Promise<ImportJob> {
  const id = newId();
  const file = path.join(importDir(ctx, scope.businessId), `${id}.csv`);
  const upload = await storeUpload(job.input, file, ctx.config.importMaxBytes);
  try {
    // Header, encoding and mapping only: no row is read.
    await importCsv(ctx, scope, { entity: job.entity, input: createReadStream(file), dryRun: true, maxRows: 0, ...job.options });
  } catch (err) {
    await unlink(file).catch(() => undefined);
    throw err;
  }
  const now = isoNow(ctx.clock);
  const row = await ctx.db.transaction(async (trx) => {
    const inserted = await trx
      .insertInto('import_jobs')
      .values({
        id,
        business_id: scope.businessId,
        kind: job.entity,
        status: 'queued',
        options: JSON.stringify(job.options),
        file_name: job.fileName?.slice(0, 255) ?? null,
        file_path: file,
        file_bytes: upload.bytes,
        rows_total: estimatedRows(upload),
        created_by_type: scope.actor.type,
        created_by_id: scope.actor.id,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await wakeWorkersOnCommit(trx, { remote: 'if-no-local-worker' });
    return inserted;
  });
  return toImportJob(row);
}

async function loadJob(ctx: AppContext, scope: Scope, id: string): Promise<ImportJobRow> {
  const row = await ctx.db.kysely.selectFrom('import_jobs').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('import', id);
  return row;
}

export async function getImportJob(ctx: AppContext, scope: Scope, id: string): Promise<ImportJob> {
  return toImportJob(await loadJob(ctx, scope, id));
}

export const importListQuery = z
  .object({
    ...pageQuerySchema,
    status: z.enum(importStatuses).optional(),
  })
  .strict();

/** The business's import jobs, newest first. */
export async function listImportJobs(ctx: AppContext, scope: Scope, query: z.infer<typeof importListQuery>): Promise<Page<ImportJob>> {
  let q = ctx.db.kysely.selectFrom('import_jobs').selectAll().where('business_id', '=', scope.businessId);
  if (query.status) q = q.where('status', '=', query.status);
  return fetchPage<ImportJobRow, ImportJob>(q, query, toImportJob);
}

/**
 * Cancels an import: a queued one at once; a running one stops after the
 * batch it is writing (rows written before stay imported). A finished one
 * cannot be cancelled (409).
 */
export async function cancelImportJob(ctx: AppContext, scope: Scope, id: string): Promise<ImportJob> {
  const now = isoNow(ctx.clock);
  const row = await loadJob(ctx, scope, id);
  if (finishedStatuses.has(row.status)) throw new AppError('CONFLICT', `import ${id} has already ${row.status === 'done' ? 'finished' : row.status === 'failed' ? 'failed' : 'been cancelled'}`, { status: row.status });
  const queued = await ctx.db.kysely
    .updateTable('import_jobs')
    .set({ status: 'cancelled', cancel_requested_at: now, finished_at: now })
    .where('business_id', '=', scope.businessId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  if (Number(queued.numUpdatedRows) === 1) {
    await unlink(row.file_path).catch(() => undefined);
  } else {
    await ctx.db.kysely
      .updateTable('import_jobs')
      .set({ cancel_requested_at: now })
      .where('business_id', '=', scope.businessId)
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('cancel_requested_at', 'is', null)
      .execute();
  }
  return getImportJob(ctx, scope, id);
}

/** The rejected rows and dropped values of an import, as CSV (404 when it has none). */
export async function openImportErrors(ctx: AppContext, scope: Scope, id: string): Promise<{ stream: Readable; fileName: string }> {
  const row = await loadJob(ctx, scope, id);
  if (!row.errors_path) throw new AppError('NOT_FOUND', row.status === 'queued' || row.status === 'running' ? `import ${id} has no error report yet: it is ${row.status}` : `import ${id} rejected no rows and dropped no values`, { id });
  const stream = createReadStream(row.errors_path);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new AppError('NOT_FOUND', `the error report of import ${id} is no longer on this machine`, { id }) : err));
  });
  const base = (row.file_name ?? 'import').replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_');
  return { stream, fileName: `${base}.errors.csv` };
}
