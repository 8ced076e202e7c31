import type { Kysely } from 'kysely';

/** A company's jobs and deals (GET /jobs?companyId=, GET /deals?companyId=, the dashboard's company page) without scanning the business's rows. */
export function companyIndexes() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.createIndex('jobs_company_idx').on('jobs').columns(['business_id', 'company_id', 'id']).execute();
      await db.schema.createIndex('deals_company_idx').on('deals').columns(['business_id', 'company_id', 'id']).execute();
    },
  };
}
