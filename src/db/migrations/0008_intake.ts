import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Intake judgment: every classification of an inbound message (with its
 * confidence, model version and any human correction — corrections teach the
 * classifier for that business), and reply drafts waiting for approval.
 */
export function intake(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('intake_classifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('contact_id', 'text')
        .addColumn('interaction_id', 'text')
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('urgency', 'text', (c) => c.notNull())
        .addColumn('intent', 'text', (c) => c.notNull())
        .addColumn('service_type', 'text')
        .addColumn('confidence', 'real', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('model_version', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('corrected_urgency', 'text')
        .addColumn('corrected_intent', 'text')
        .addColumn('corrected_service_type', 'text')
        .addColumn('corrected_by', 'text')
        .addColumn('corrected_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('intake_classifications_status_idx').on('intake_classifications').columns(['business_id', 'status', 'created_at']).execute();
      await db.schema
        .createTable('drafts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('interaction_id', 'text')
        .addColumn('classification_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('outbox_id', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('decided_at', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('drafts_status_idx').on('drafts').columns(['business_id', 'status', 'created_at']).execute();
      // One draft per inbound message, whichever worker gets there first.
      await db.schema.createIndex('drafts_interaction_uq').on('drafts').columns(['business_id', 'interaction_id']).unique().execute();
    },
  };
}
