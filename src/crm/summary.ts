import { sql } from 'kysely';
import type { AppContext, Scope } from '../context.ts';

export interface BusinessSummary {
  contactsByStage: Record<string, number>;
  openDeals: { count: number; amountCents: number };
  jobsNext7Days: number;
  jobsCompletedLast30Days: { count: number; revenueCents: number };
  openTasks: { count: number; overdue: number };
  reviews: { received: number; averageRating: number | null };
  leadsUntouched10Days: number;
}

/** Headline numbers for the business, computed from the record. */
export async function businessSummary(ctx: AppContext, scope: Scope): Promise<BusinessSummary> {
  const db = ctx.db.kysely;
  const biz = scope.businessId;
  const now = ctx.clock.now();
  const iso = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const day = 86_400_000;
  const [stages, deals, upcoming, completed, tasks, reviews, cold] = await Promise.all([
    db.selectFrom('contacts').select(['lifecycle_stage', sql<number>`count(*)`.as('n')]).where('business_id', '=', biz).groupBy('lifecycle_stage').execute(),
    db.selectFrom('deals').select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_cents), 0)`.as('amount')]).where('business_id', '=', biz).where('status', '=', 'open').executeTakeFirstOrThrow(),
    db.selectFrom('jobs').select(sql<number>`count(*)`.as('n')).where('business_id', '=', biz).where('status', '=', 'scheduled').where('scheduled_start', '>=', iso(0)).where('scheduled_start', '<', iso(7 * day)).executeTakeFirstOrThrow(),
    db.selectFrom('jobs').select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_cents), 0)`.as('amount')]).where('business_id', '=', biz).where('status', '=', 'completed').where('completed_at', '>=', iso(-30 * day)).executeTakeFirstOrThrow(),
    db
      .selectFrom('tasks')
      .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(case when due_at < ${iso(0)} then 1 else 0 end), 0)`.as('overdue')])
      .where('business_id', '=', biz)
      .where('status', '=', 'open')
      .executeTakeFirstOrThrow(),
    db.selectFrom('reviews').select([sql<number>`count(*)`.as('n'), sql<number | null>`avg(rating)`.as('avg')]).where('business_id', '=', biz).where('status', '=', 'received').executeTakeFirstOrThrow(),
    db
      .selectFrom('contacts')
      .select(sql<number>`count(*)`.as('n'))
      .where('business_id', '=', biz)
      .where('lifecycle_stage', '=', 'lead')
      .where((eb) => eb.or([eb('last_interaction_at', '<', iso(-10 * day)), eb.and([eb('last_interaction_at', 'is', null), eb('created_at', '<', iso(-10 * day))])]))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    contactsByStage: Object.fromEntries(stages.map((s) => [s.lifecycle_stage, Number(s.n)])),
    openDeals: { count: Number(deals.n), amountCents: Number(deals.amount) },
    jobsNext7Days: Number(upcoming.n),
    jobsCompletedLast30Days: { count: Number(completed.n), revenueCents: Number(completed.amount) },
    openTasks: { count: Number(tasks.n), overdue: Number(tasks.overdue) },
    reviews: { received: Number(reviews.n), averageRating: reviews.avg == null ? null : Math.round(Number(reviews.avg) * 100) / 100 },
    leadsUntouched10Days: Number(cold.n),
  };
}
