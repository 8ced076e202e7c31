import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { pipelineTotals } from '../../crm/deals/totals.ts';
import { scopeOf } from '../auth.ts';

export function registerPipelineRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/pipeline/totals',
    { schema: { tags: ['Record'], summary: 'Open deals by stage now, and deals won and lost in a period (closedAfter, closedBefore: by close date): count and amount' } },
    async (req) => pipelineTotals(ctx, scopeOf(req), req.query),
  );
}
