import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Exceptions and alerts dismissed for the whole business: one row per item
 * (kind + id), holding the occurrence it was dismissed for, who did it, when,
 * an optional note and an optional snooze end.
 */
export function exceptionDismissals(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('exception_dismissals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('item_id', 'text', (c) => c.notNull())
        .addColumn('occurrence', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('until', t.timestamp)
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('dismissed_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('exception_dismissals_item_uniq').on('exception_dismissals').columns(['business_id', 'kind', 'item_id']).unique().execute();
    },
  };
}
