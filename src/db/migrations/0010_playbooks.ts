import type { Kysely } from 'kysely';

/** Task kinds (so exceptions such as cold leads can be found), appointment confirmations, and discounts on quotes (for approvals). */
export function playbooks() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('tasks').addColumn('kind', 'text').execute();
      await db.schema.createIndex('tasks_kind_idx').on('tasks').columns(['business_id', 'kind', 'status']).execute();
      await db.schema.alterTable('jobs').addColumn('confirmed_at', 'text').execute();
      await db.schema.alterTable('deals').addColumn('discount_cents', 'integer').execute();
      // A playbook is installed once per business (NULL playbooks, hand-made automations, never clash).
      await db.schema.createIndex('automations_playbook_uniq').on('automations').columns(['business_id', 'playbook']).unique().execute();
    },
  };
}
