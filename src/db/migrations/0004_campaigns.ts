import type { Kysely } from 'kysely';

/** The A/B variant a message was sent from (campaign funnels group by it). */
export function campaigns() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('outbox').addColumn('variant', 'text').execute();
      await db.schema.createIndex('outbox_contact_created_idx').on('outbox').columns(['business_id', 'contact_id', 'created_at']).execute();
    },
  };
}
