import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * CSV imports run as background jobs: one row per uploaded file, with its
 * options, where the upload and the rejected rows are kept on disk, the
 * progress a worker reports as it reads, the counts, the final report, and
 * who asked for it. `heartbeat_at` tells a live run from one whose process
 * stopped; `cancel_requested_at` asks a running import to stop.
 */
export function importJobs(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('import_jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('options', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text')
        .addColumn('file_path', 'text', (c) => c.notNull())
        .addColumn('file_bytes', 'bigint', (c) => c.notNull())
        .addColumn('bytes_done', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_total', 'integer')
        .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('merged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('warnings', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('report', 'text')
        .addColumn('errors_path', 'text')
        .addColumn('error', 'text')
        .addColumn('created_by_type', 'text', (c) => c.notNull())
        .addColumn('created_by_id', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('started_at', t.timestamp)
        .addColumn('heartbeat_at', t.timestamp)
        .addColumn('cancel_requested_at', t.timestamp)
        .addColumn('finished_at', t.timestamp)
        .execute();
      await db.schema.createIndex('import_jobs_business_idx').on('import_jobs').columns(['business_id', 'id']).execute();
      await db.schema.createIndex('import_jobs_status_idx').on('import_jobs').columns(['status', 'created_at']).execute();
    },
  };
}
