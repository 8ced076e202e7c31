import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/** Versioned built-in models (with their metrics) per business, and one AI task per occurrence. */
export function intelligence(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('model_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('prior', 'integer', (c) => c.notNull())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('metrics', 'text', (c) => c.notNull())
        .addColumn('artifact', 'text')
        .addColumn('trained_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('model_versions_business_model_version_uq', ['business_id', 'model', 'version'])
        .execute();
      // One task per AI occurrence (a stalled deal this week, a cooling relationship this week), even with several workers.
      await sql`create unique index tasks_ai_occurrence_uq on tasks (business_id, origin_ref) where origin = 'ai'`.execute(db);
    },
  };
}
