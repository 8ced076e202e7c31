import type { Kysely } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

/**
 * Voice calls in progress and done: one row per Twilio CallSid, so whichever
 * process receives the next webhook of a call can carry on the conversation.
 */
export function voice(dialect: Dialect) {
  const t = columnTypes(dialect);
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable('voice_calls')
        .addColumn('call_sid', 'text', (c) => c.primaryKey())
        .addColumn('business_id', 'text', (c) => c.notNull().references('businesses.id').onDelete('cascade'))
        .addColumn('contact_id', 'text')
        .addColumn('from_number', 'text', (c) => c.notNull())
        .addColumn('to_number', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('decision', 'text')
        .addColumn('interaction_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('in_progress'))
        .addColumn('duration_seconds', 'integer')
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('ended_at', t.timestamp)
        .execute();
      await db.schema.createIndex('voice_calls_business_created_idx').on('voice_calls').columns(['business_id', 'created_at']).execute();
    },
  };
}
