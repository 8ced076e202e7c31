import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../../lib/errors.ts';
import type { Table } from './schema.ts';
import { trainModel, type TrainOptions } from './train.ts';

// Runs one training in a worker thread (see off-thread.ts) and posts back the model or the error.
const { table, options } = workerData as { table: Table; options: TrainOptions };
try {
  parentPort!.postMessage({ model: trainModel(table, options) });
} catch (err) {
  parentPort!.postMessage({
    error: err instanceof AppError ? { code: err.code, message: err.message, details: err.details } : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) },
  });
}
