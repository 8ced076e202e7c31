import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * The website widget (lead form and chat): every submission as received —
 * leads, merges and the ones refused as spam — with the consent line the
 * visitor saw; chat conversations, each known to the visitor's browser by a
 * random token of which only the SHA-256 is kept; and per-address request
 * counters for the public endpoints' rate limits (one row per address, kind
 * and window, so every API process shares them).
 */
export function webWidget(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('widget_submissions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull()) // form | chat
        .addColumn('status', 'text', (c) => c.notNull()) // lead | merged | spam | honeypot
        .addColumn('contact_id', 'text')
        .addColumn('interaction_id', 'text')
        .addColumn('classification_id', 'text')
        .addColumn('name', 'text')
        .addColumn('phone', 'text')
        .addColumn('email', 'text')
        .addColumn('service', 'text')
        .addColumn('urgency', 'text')
        .addColumn('message', 'text')
        .addColumn('consent_text', 'text')
        .addColumn('consent_given', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('page_url', 'text')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('widget_submissions_business_idx').on('widget_submissions').columns(['business_id', 'created_at']).execute();

      await db.schema
        .createTable('widget_conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('contact_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('status', 'text', (c) => c.notNull()) // open | closed
        .addColumn('page_url', 'text')
        .addColumn('ip', 'text')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('last_message_at', t.timestamp, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('widget_conversations_contact_idx').on('widget_conversations').columns(['business_id', 'contact_id', 'last_message_at']).execute();

      await db.schema
        .createTable('widget_rate_limits')
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('widget_rate_limits_pk', ['key', 'window_start'])
        .execute();
    },
  };
}
