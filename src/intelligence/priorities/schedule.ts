import type { AppContext } from '../../context.ts';
import { systemActor } from '../../context.ts';
import { retrainDueModels } from '../models/builtin.ts';
import { createAiTasks } from './ai-tasks.ts';

/** How often each business's models are retrained, and how often its AI tasks are looked for. */
export const RETRAIN_EVERY_DAYS = 7;
export const PASS_EVERY_MS = 60 * 60_000;

/**
 * The worker's judgment pass, at most hourly per process: retrain the built-in
 * models that are due (weekly, versioned), then turn stalled deals and cooling
 * relationships into Monday-morning tasks (idempotent per occurrence).
 */
export function intelligenceSchedule(): (ctx: AppContext) => Promise<{ retrained: number; tasks: number }> {
  let lastRun = -Infinity;
  return async (ctx) => {
    const now = ctx.clock.now().getTime();
    if (now - lastRun < PASS_EVERY_MS) return { retrained: 0, tasks: 0 };
    lastRun = now;
    const businesses = await ctx.db.kysely.selectFrom('businesses').select('id').orderBy('id').execute();
    let retrained = 0;
    let tasks = 0;
    for (const b of businesses) {
      const scope = { businessId: b.id, actor: systemActor };
      try {
        retrained += (await retrainDueModels(ctx, scope, RETRAIN_EVERY_DAYS)).length;
        tasks += (await createAiTasks(ctx, scope)).created;
      } catch (err) {
        ctx.log.error({ err, businessId: b.id }, 'intelligence pass failed for a business');
      }
    }
    return { retrained, tasks };
  };
}
