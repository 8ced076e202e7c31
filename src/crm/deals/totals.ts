import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { instant } from '../shared/fields.ts';
import { parseInput } from '../shared/validate.ts';

/**
 * The pipeline's totals: what is open now, and what was won and lost in a
 * period (by when each deal closed). The board shows these instead of adding
 * up the cards it happens to have loaded.
 */
const query = z
  .object({
    closedAfter: instant,
    closedBefore: instant.optional(),
    pipeline: z.string().max(60).optional(),
  })
  .strict();

export interface StageTotal {
  count: number;
  amountCents: number;
}

export async function pipelineTotals(ctx: AppContext, scope: Scope, input: unknown): Promise<{ from: string; to: string; open: Record<string, StageTotal>; won: StageTotal; lost: StageTotal }> {
  const q = parseInput(query, input);
  const to = q.closedBefore ?? ctx.clock.now().toISOString();
  const base = () => {
    let b = ctx.db.kysely.selectFrom('deals').where('business_id', '=', scope.businessId);
    if (q.pipeline) b = b.where('pipeline', '=', q.pipeline);
    return b;
  };
  const [open, closed] = await Promise.all([
    base().select(['stage', sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_cents), 0)`.as('amount')]).where('status', '=', 'open').groupBy('stage').execute(),
    base()
      .select(['status', sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_cents), 0)`.as('amount')])
      .where('status', 'in', ['won', 'lost'])
      .where('closed_at', '>=', q.closedAfter)
      .$if(Boolean(q.closedBefore), (b) => b.where('closed_at', '<', q.closedBefore!))
      .groupBy('status')
      .execute(),
  ]);
  const total = (r: { n: number | string; amount: number | string } | undefined): StageTotal => ({ count: Number(r?.n ?? 0), amountCents: Number(r?.amount ?? 0) });
  return {
    from: q.closedAfter,
    to,
    open: Object.fromEntries(open.map((r) => [r.stage, total(r)])),
    won: total(closed.find((r) => r.status === 'won')),
    lost: total(closed.find((r) => r.status === 'lost')),
  };
}
