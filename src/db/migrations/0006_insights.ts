import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Insights: threshold alert rules and the breaches/recoveries they record, plus
 * the indexes the metrics queries lean on at 100k contacts / 1M interactions.
 */
export function insights(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('alert_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('metric', 'text', (c) => c.notNull())
        .addColumn('comparator', 'text', (c) => c.notNull()) // below | above
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('window_days', 'integer', (c) => c.notNull())
        .addColumn('channels', 'text', (c) => c.notNull()) // JSON ["sms","email"]
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull()) // ok | breached
        .addColumn('last_value', 'double precision')
        .addColumn('last_evaluated_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_rules_business_idx').on('alert_rules').columns(['business_id', 'id']).execute();

      await db.schema
        .createTable('alert_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull()) // breach | recovery
        .addColumn('value', 'double precision')
        .addColumn('threshold', 'double precision', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('at', t.timestamp, (c) => c.notNull())
        .addColumn('resolved_at', t.timestamp)
        .execute();
      await db.schema.createIndex('alert_events_business_idx').on('alert_events').columns(['business_id', 'at']).execute();
      await db.schema.createIndex('alert_events_rule_idx').on('alert_events').columns(['rule_id', 'at']).execute();

      // Metrics: inbound touches by time (leads, answer rate), per-contact first response and touches.
      await db.schema.createIndex('interactions_direction_time_idx').on('interactions').columns(['business_id', 'direction', 'occurred_at']).execute();
      await db.schema.createIndex('interactions_contact_direction_idx').on('interactions').columns(['business_id', 'contact_id', 'direction', 'occurred_at']).execute();
      await db.schema.createIndex('jobs_contact_created_idx').on('jobs').columns(['business_id', 'contact_id', 'created_at']).execute();
      await db.schema.createIndex('jobs_created_idx').on('jobs').columns(['business_id', 'created_at']).execute();
      await db.schema.createIndex('reviews_requested_idx').on('reviews').columns(['business_id', 'requested_at']).execute();
      await db.schema.createIndex('reviews_received_idx').on('reviews').columns(['business_id', 'received_at']).execute();
      await db.schema.createIndex('outbox_contact_sent_idx').on('outbox').columns(['business_id', 'contact_id', 'sent_at']).execute();
      await db.schema.createIndex('outbox_sent_idx').on('outbox').columns(['business_id', 'sent_at']).execute();
    },
  };
}
