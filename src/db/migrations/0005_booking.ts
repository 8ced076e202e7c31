import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Online booking: technicians' working hours, per-business booking settings,
 * slot claims that make double-booking impossible (one row per technician and
 * 5-minute unit, unique), a `source` on jobs, and attachments on outbox rows
 * (the confirmation email's calendar invite).
 */
export function booking(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('technician_schedules')
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('weekly_hours', 'text', (c) => c.notNull())
        .addColumn('days_off', 'text', (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('technician_schedules_pk', ['business_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('booking_settings')
        .addColumn('business_id', 'text', (c) => c.primaryKey().references('businesses.id').onDelete('cascade'))
        .addColumn('buffer_minutes', 'integer', (c) => c.notNull())
        .addColumn('slot_step_minutes', 'integer', (c) => c.notNull())
        .addColumn('min_notice_minutes', 'integer', (c) => c.notNull())
        .addColumn('horizon_days', 'integer', (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('booking_slot_claims')
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('technician_user_id', 'text', (c) => c.notNull())
        .addColumn('unit_start', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('booking_slot_claims_pk', ['business_id', 'technician_user_id', 'unit_start'])
        .execute();
      await db.schema.createIndex('booking_slot_claims_job_idx').on('booking_slot_claims').columns(['business_id', 'job_id']).execute();
      await db.schema.alterTable('jobs').addColumn('source', 'text').execute();
      await db.schema.alterTable('outbox').addColumn('attachments', 'text').execute();
    },
  };
}
