import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Access control: an API key acts with a role (the role of whoever created it,
 * so a manager cannot mint an owner key), one-time password reset links, and
 * the failed-login counters that throttle guessing per account and per address.
 */
export function accessControl(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      // Keys made before roles existed keep the owner rights they had.
      await db.schema.alterTable('api_keys').addColumn('role', 'text', (c) => c.notNull().defaultTo('owner')).execute();

      await db.schema
        .createTable('password_resets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('created_by', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('expires_at', t.timestamp, (c) => c.notNull())
        .addColumn('used_at', t.timestamp)
        .execute();
      await db.schema.createIndex('password_resets_user_idx').on('password_resets').columns(['user_id', 'created_at']).execute();

      // A technician's jobs, and the contacts on them (GET /jobs and /contacts narrowed to theirs).
      await db.schema.createIndex('jobs_technician_idx').on('jobs').columns(['business_id', 'technician_user_id', 'contact_id']).execute();

      // One row per throttled key ("account:<email>" or "ip:<address>"); not tenant data (an unknown email has no business).
      await db.schema
        .createTable('login_throttles')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('first_failure_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_failure_at', t.timestamp, (c) => c.notNull())
        .addColumn('locked_until', t.timestamp)
        .execute();
    },
  };
}
