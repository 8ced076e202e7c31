import type { AppContext, Scope } from '../../context.ts';
import { tasks } from '../../crm/tasks/tasks.ts';
import { nextDayAt } from '../../engine/timing.ts';
import { AppError, fromDatabaseError } from '../../lib/errors.ts';
import { DAY, dealRecord, indexHistory } from '../models/builtin-features.ts';
import { loadHistory } from '../models/builtin-history.ts';
import { loadScorers } from '../models/builtin.ts';
import { coolingContacts } from '../relationships/relationships.ts';
import { dollars } from './expected-value.ts';

/** A stalled deal or a cooling relationship, turned into a task for Monday morning. */
export interface AiTaskPlan {
  originRef: string;
  title: string;
  description: string;
  contactId: string;
  dealId: string | null;
  assigneeUserId: string | null;
}

export const STALL_THRESHOLD = 0.6;
const maxCoolingPerPass = 10;

/**
 * What to remind the team of. The occurrence key names the episode (the deal or
 * contact and its last touch), so a task is made once per episode however often
 * this runs, and again only after new activity goes quiet once more.
 */
export async function planAiTasks(ctx: AppContext, scope: Scope): Promise<AiTaskPlan[]> {
  const [h, scorers] = await Promise.all([loadHistory(ctx, scope), loadScorers(ctx, scope)]);
  const ix = indexHistory(h);
  const plans: AiTaskPlan[] = [];
  const open = h.deals.filter((d) => d.status === 'open' && d.contactId && ix.contacts.has(d.contactId));
  const records = open.map((d) => dealRecord(ix, d, h.now));
  const preds = scorers.deal_stall.score(records);
  open.forEach((d, i) => {
    const p = preds[i];
    const quietDays = records[i].days_since_last_touch as number;
    if (p.probability < STALL_THRESHOLD || quietDays < 7) return;
    const lastTouch = new Date(h.now - quietDays * DAY).toISOString().slice(0, 10);
    plans.push({
      originRef: `deal_stall:${d.id}:${lastTouch}`,
      title: `Stalled deal: ${d.title}`,
      description: `${Math.round(p.probability * 100)}% risk it stalls (${scorers.deal_stall.prior ? 'starting model' : `model v${scorers.deal_stall.version}`}); ${d.amountCents ? `${dollars(d.amountCents)}, ` : ''}no touch for ${Math.round(quietDays)} days. ${p.text}.`,
      contactId: d.contactId!,
      dealId: d.id,
      assigneeUserId: d.ownerUserId ?? ix.contacts.get(d.contactId!)?.ownerUserId ?? null,
    });
  });
  const cooling = coolingContacts(h)
    .filter((c) => ix.contacts.get(c.contactId)?.stage === 'customer' && c.strength.strength >= 30)
    .sort((a, b) => b.strength.strength - a.strength.strength)
    .slice(0, maxCoolingPerPass);
  for (const c of cooling) {
    const contact = ix.contacts.get(c.contactId)!;
    const s = c.strength;
    plans.push({
      originRef: `cooling:${c.contactId}:${s.lastTouchAt!.slice(0, 10)}`,
      title: `Relationship cooling: check in with ${contact.name}`,
      description: `Usually in touch every ${s.usualGapDays} days; nothing for ${s.daysSinceLastTouch} days (strength ${s.strength}/100).`,
      contactId: c.contactId,
      dealId: null,
      assigneeUserId: contact.ownerUserId,
    });
  }
  return plans;
}

/** Creates the planned tasks through the CRM tasks domain (with their task.created events), due next Monday 9:00 in the business's zone. Returns how many were new. */
export async function createAiTasks(ctx: AppContext, scope: Scope): Promise<{ created: number; planned: number }> {
  const plans = await planAiTasks(ctx, scope);
  const business = await ctx.db.kysely.selectFrom('businesses').select('time_zone').where('id', '=', scope.businessId).executeTakeFirstOrThrow();
  const now = ctx.clock.now();
  const due = nextDayAt(now, business.time_zone, 'monday', '09:00').toISOString();
  let created = 0;
  for (const plan of plans) {
    try {
      const made = await ctx.db.transaction(async (trx) => {
        const existing = await trx.selectFrom('tasks').select('id').where('business_id', '=', scope.businessId).where('origin', '=', 'ai').where('origin_ref', '=', plan.originRef).executeTakeFirst();
        if (existing) return false;
        await tasks.createIn(
          trx,
          scope,
          { title: plan.title, description: plan.description, contactId: plan.contactId, dealId: plan.dealId, assigneeUserId: plan.assigneeUserId, dueAt: due, status: 'open', origin: 'ai', originRef: plan.originRef },
          now.toISOString(),
        );
        return true;
      });
      if (made) created++;
    } catch (err) {
      // Another worker made the same occurrence's task first: that is the idempotency working.
      const known = err instanceof AppError ? err : fromDatabaseError(err);
      if (known?.code !== 'CONFLICT') throw err;
    }
  }
  return { created, planned: plans.length };
}
