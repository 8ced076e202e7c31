import type { Kysely } from 'kysely';

/** Indexes for per-contact lookups of tags/identities, external-id matching on import, and webhook fan-out. */
export function lookupIndexes() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('contact_tags_contact_idx').on('contact_tags').columns(['business_id', 'contact_id']).execute();
      await db.schema.createIndex('contact_identities_contact_idx').on('contact_identities').columns(['business_id', 'contact_id']).execute();
      await db.schema.createIndex('jobs_external_idx').on('jobs').columns(['business_id', 'external_id']).execute();
      await db.schema.createIndex('interactions_external_idx').on('interactions').columns(['business_id', 'external_id']).execute();
      await db.schema.createIndex('webhook_subscriptions_business_idx').on('webhook_subscriptions').columns(['business_id', 'status']).execute();
      await db.schema.createIndex('outbox_enrollment_idx').on('outbox').columns(['enrollment_id']).execute();
    },
  };
}
