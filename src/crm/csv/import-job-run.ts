import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { ActorType, AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { appendEvents, event } from '../../events/record.ts';
import { isoNow } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { importCsv, serverImportBudgetMs, type ImportEntity, type ImportProgress, type ImportReport } from './import.ts';
import { toImportJob, type ImportJob, type ImportJobOptions, type ImportJobRow } from './import-jobs.ts';

/** A running import proves it is alive this often; one silent for `staleAfterMs` was interrupted (its process stopped). */
export const heartbeatMs = 3_000;
export const staleAfterMs = 20_000;
/** Progress events on the business's event stream: at most one this often (the job row is updated after every batch). */
const progressEventMs = 1_000;

const systemImportActor = { type: 'system' as const, id: null };

type Counts = { rowsDone: number; created: number; merged: number; rejected: number; warnings: number };

function countsPayload(job: ImportJobRow, c: Counts, rowsTotal: number | null) {
  return { importId: job.id, entity: job.kind, rowsDone: c.rowsDone, rowsTotal, created: c.created, merged: c.merged, rejected: c.rejected, warnings: c.warnings };
}

async function emit(trx: Executor, job: ImportJobRow, at: string, e: Parameters<typeof appendEvents>[4][number]): Promise<void> {
  await appendEvents(trx, job.business_id, systemImportActor, at, [e]);
}

/**
 * Takes the oldest queued import of any business (cross-tenant: the worker
 * serves them all) and marks it running. Two workers may race for the same
 * row; only the one whose update matched `status = 'queued'` runs it.
 */
export async function claimNextImport(ctx: AppContext): Promise<ImportJobRow | null> {
  const candidates = await ctx.db.kysely.selectFrom('import_jobs').select('id').where('status', '=', 'queued').orderBy('created_at').orderBy('id').limit(5).execute();
  for (const { id } of candidates) {
    const now = isoNow(ctx.clock);
    const claimed = await ctx.db.kysely
      .updateTable('import_jobs')
      .set({ status: 'running', started_at: now, heartbeat_at: now })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
    if (claimed) return claimed;
  }
  return null;
}

/**
 * Imports whose worker stopped mid-run (killed, crashed, the machine
 * restarted) are marked failed with what they had imported and what to do,
 * rather than left "running" for ever. Rows committed before the stop stay;
 * importing the file again merges them rather than duplicating them.
 */
export async function failInterruptedImports(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const staleBefore = new Date(now.getTime() - staleAfterMs).toISOString();
  const stale = await ctx.db.kysely.selectFrom('import_jobs').selectAll().where('status', '=', 'running').where('heartbeat_at', '<', staleBefore).execute();
  let failed = 0;
  for (const job of stale) {
    const at = now.toISOString();
    const message = `the import was interrupted: Kinetic stopped while it ran (the process was restarted or killed), after ${job.rows_done} of about ${job.rows_total ?? '?'} rows — ${job.created} created, ${job.merged} merged and ${job.rejected} rejected are kept. Import the file again to finish: rows already imported are merged, not duplicated`;
    const done = await ctx.db.transaction(async (trx) => {
      const r = await trx
        .updateTable('import_jobs')
        .set({ status: 'failed', error: message, finished_at: at })
        .where('id', '=', job.id)
        .where('status', '=', 'running')
        .where('heartbeat_at', '<', staleBefore)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await emit(trx, job, at, event('import.failed', { ...countsPayload(job, { rowsDone: job.rows_done, created: job.created, merged: job.merged, rejected: job.rejected, warnings: job.warnings }, job.rows_total), error: message }));
      return true;
    });
    if (done) {
      failed++;
      await unlink(job.file_path).catch(() => undefined);
      ctx.log.warn({ importId: job.id, businessId: job.business_id, rowsDone: job.rows_done }, 'import interrupted by a stop: marked failed');
    }
  }
  return failed;
}

export interface RunOptions {
  /** Aborted when the worker stops: the import ends after its current batch and is marked failed with a message saying so. */
  shutdown?: AbortSignal;
  /** Rows per transaction (default: the importer's own). */
  batchSize?: number;
}

/**
 * Runs one claimed import to its end: streams the stored file through the
 * importer (flat memory at any size), writes the counts to the job row after
 * every batch, tells the business's event stream how far it is (at most once
 * a second), stops between batches when cancelled, and finishes with the
 * report, the error file (when any row was rejected or lost a value) and an
 * import.completed / import.failed / import.cancelled event.
 */
export async function runImportJob(ctx: AppContext, job: ImportJobRow, opts: RunOptions = {}): Promise<ImportJob> {
  const scope: Scope = { businessId: job.business_id, actor: { type: job.created_by_type as ActorType, id: job.created_by_id } };
  const options = JSON.parse(job.options) as ImportJobOptions;
  const errorsPath = job.file_path.replace(/\.csv$/, '') + '.errors.csv';
  const cancel = new AbortController();
  const onShutdown = () => cancel.abort('shutdown');
  opts.shutdown?.addEventListener('abort', onShutdown);
  let counts: Counts = { rowsDone: 0, created: 0, merged: 0, rejected: 0, warnings: 0 };
  let bytesDone = 0;
  let lastEvent = -Infinity;

  // Alive, and asked to stop? Checked between batches and on a timer (a batch can take a while on a busy machine).
  const beat = async (): Promise<void> => {
    const row = await ctx.db.kysely
      .updateTable('import_jobs')
      .set({ heartbeat_at: isoNow(ctx.clock) })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .returning(['cancel_requested_at'])
      .executeTakeFirst();
    if (row?.cancel_requested_at) cancel.abort('cancelled');
  };
  const timer = setInterval(() => void beat().catch((err: unknown) => ctx.log.warn({ err, importId: job.id }, 'import heartbeat failed')), heartbeatMs);
  timer.unref();

  const onProgress = async (p: ImportProgress): Promise<void> => {
    counts = { rowsDone: p.rows, created: p.created, merged: p.merged, rejected: p.rejected, warnings: p.warnings };
    bytesDone = p.bytes;
    const at = isoNow(ctx.clock);
    const sendEvent = performance.now() - lastEvent >= progressEventMs;
    const rowsTotal = Math.max(job.rows_total ?? 0, p.rows);
    const update = async (trx: Executor) => {
      const row = await trx
        .updateTable('import_jobs')
        .set({ rows_done: p.rows, rows_total: rowsTotal, bytes_done: Math.min(p.bytes, job.file_bytes), created: p.created, merged: p.merged, rejected: p.rejected, warnings: p.warnings, heartbeat_at: at })
        .where('id', '=', job.id)
        .returning(['cancel_requested_at'])
        .executeTakeFirst();
      if (row?.cancel_requested_at) cancel.abort('cancelled');
      if (sendEvent) await emit(trx, job, at, event('import.progress', { ...countsPayload(job, counts, rowsTotal), bytesDone: Math.min(p.bytes, job.file_bytes), bytesTotal: job.file_bytes }));
    };
    if (sendEvent) {
      lastEvent = performance.now();
      await ctx.db.transaction(update);
    } else {
      await update(ctx.db.kysely);
    }
  };

  let report: ImportReport | null = null;
  let failure: string | null = null;
  const errorsOut = createWriteStream(errorsPath);
  try {
    if (!existsSync(job.file_path)) {
      throw new Error(`the uploaded file is not on this machine (${job.file_path}): a worker imports files from the KINETIC_DATA_DIR the API stored them in, so run workers where that directory is (or share it)`);
    }
    report = await importCsv(ctx, scope, { entity: job.kind as ImportEntity, input: createReadStream(job.file_path), errors: errorsOut, signal: cancel.signal, onProgress, batchSize: opts.batchSize, transactionBudgetMs: serverImportBudgetMs(ctx), ...options });
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    if (!(err instanceof AppError)) ctx.log.error({ err, importId: job.id }, 'import failed');
  } finally {
    clearInterval(timer);
    opts.shutdown?.removeEventListener('abort', onShutdown);
    errorsOut.end();
    await finished(errorsOut).catch(() => undefined);
  }

  const at = isoNow(ctx.clock);
  const shutdown = cancel.signal.aborted && cancel.signal.reason === 'shutdown';
  if (report) counts = { rowsDone: report.rows, created: report.created, merged: report.merged, rejected: report.rejected, warnings: report.warnings };
  if (report?.cancelled && shutdown) {
    failure = `the import was interrupted: Kinetic was stopped while it ran, after ${counts.rowsDone} of about ${job.rows_total ?? '?'} rows — ${counts.created} created, ${counts.merged} merged and ${counts.rejected} rejected are kept. Import the file again to finish: rows already imported are merged, not duplicated`;
  }
  const status = failure !== null ? 'failed' : report?.cancelled ? 'cancelled' : 'done';
  const hasErrors = counts.rejected + counts.warnings > 0;
  if (!hasErrors) await unlink(errorsPath).catch(() => undefined);
  const rowsTotal = status === 'done' ? counts.rowsDone : Math.max(job.rows_total ?? 0, counts.rowsDone);
  const finishedRow = await ctx.db.transaction(async (trx) => {
    const row = await trx
      .updateTable('import_jobs')
      .set({
        status,
        rows_done: counts.rowsDone,
        rows_total: rowsTotal,
        bytes_done: status === 'done' ? job.file_bytes : Math.min(bytesDone, job.file_bytes),
        created: counts.created,
        merged: counts.merged,
        rejected: counts.rejected,
        warnings: counts.warnings,
        report: report ? JSON.stringify(report) : null,
        errors_path: hasErrors ? errorsPath : null,
        error: failure,
        heartbeat_at: at,
        finished_at: at,
      })
      .where('id', '=', job.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const payload = countsPayload(job, counts, rowsTotal);
    if (status === 'failed') await emit(trx, job, at, event('import.failed', { ...payload, error: failure ?? '' }));
    else if (status === 'cancelled') await emit(trx, job, at, event('import.cancelled', payload));
    else await emit(trx, job, at, event('import.completed', payload));
    return row;
  });
  await unlink(job.file_path).catch(() => undefined);
  return toImportJob(finishedRow);
}
