import type { AppContext } from '../context.ts';
import { onWorkCommitted } from '../db/database.ts';
import { claimNextImport, failInterruptedImports, runImportJob } from '../crm/csv/import-job-run.ts';

export interface ImportLoop {
  /** Runs queued imports until none is left (one at a time). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** How often an idle worker looks for queued imports (a new job in this process wakes it at once). */
const pollMs = 1_000;
/** How often it looks for imports whose worker stopped mid-run. */
const recoverMs = 10_000;

/**
 * The worker's import queue: one import at a time per process (an import
 * keeps the database busy; others wait their turn), woken when a job is
 * queued in this process and by polling for jobs queued elsewhere. On stop,
 * a running import ends after its current batch and is marked failed with
 * what it had imported.
 */
export function startImportLoop(ctx: AppContext, opts: { batchSize?: number } = {}): ImportLoop {
  const shutdown = new AbortController();
  let running: Promise<void> | null = null;
  let again = false;
  const drain = async (): Promise<void> => {
    for (;;) {
      if (shutdown.signal.aborted) return;
      const job = await claimNextImport(ctx);
      if (!job) return;
      ctx.log.info({ importId: job.id, businessId: job.business_id, entity: job.kind, bytes: job.file_bytes }, 'import started');
      const done = await runImportJob(ctx, job, { shutdown: shutdown.signal, batchSize: opts.batchSize });
      ctx.log.info({ importId: done.id, status: done.status, rows: done.rowsDone, created: done.created, merged: done.merged, rejected: done.rejected }, 'import finished');
    }
  };
  const tick = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await drain();
        } catch (err) {
          ctx.log.error({ err }, 'import pass failed');
        }
      } while (again && !shutdown.signal.aborted);
    })();
    try {
      await running;
    } finally {
      running = null;
    }
  };
  const recover = async () => {
    try {
      await failInterruptedImports(ctx);
    } catch (err) {
      ctx.log.error({ err }, 'looking for interrupted imports failed');
    }
  };
  const unsubscribe = onWorkCommitted(ctx.db, () => {
    if (!shutdown.signal.aborted) void tick();
  });
  const pollTimer = setInterval(() => void tick(), pollMs);
  const recoverTimer = setInterval(() => void recover(), recoverMs);
  pollTimer.unref();
  recoverTimer.unref();
  void recover().then(() => tick());
  return {
    tick,
    async stop() {
      shutdown.abort();
      unsubscribe();
      clearInterval(pollTimer);
      clearInterval(recoverTimer);
      await running;
    },
  };
}
