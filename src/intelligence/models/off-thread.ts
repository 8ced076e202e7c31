import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../lib/errors.ts';
import type { SavedModel } from './model.ts';
import type { Table } from './schema.ts';
import type { TrainOptions } from './train.ts';

/**
 * The thread's entry. The compiled build runs train-thread.js directly; from the sources (development, tests) the thread first
 * registers tsx, as bin/kinetic.mjs does, then loads train-thread.ts.
 */
function threadEntry(): { entry: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { entry: new URL('./train-thread.js', import.meta.url), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const thread = new URL('./train-thread.ts', import.meta.url).href;
  return { entry: `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(thread)}); });`, eval: true };
}

/**
 * Trains a model in a worker thread, so the server keeps answering (requests, on-call pages, sends) while the built-in models
 * learn: training is seconds of CPU that would otherwise hold the event loop. Same result as `trainModel`; its validation errors
 * come back as the same AppError. `options.now` cannot cross threads and is left out (the thread times itself).
 */
export function trainModelOffThread(table: Table, options: Omit<TrainOptions, 'now'>): Promise<SavedModel> {
  const { entry, eval: isCode } = threadEntry();
  const worker = new Worker(entry, { eval: isCode, workerData: { table, options } });
  return new Promise<SavedModel>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { model?: SavedModel; error?: { code: ErrorCode; message: string; details?: unknown } }) => {
      settled = true;
      if (m.model) resolve(m.model);
      else reject(new AppError(m.error!.code, m.error!.message, m.error!.details));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`model training thread exited with code ${code}`));
    });
  });
}
