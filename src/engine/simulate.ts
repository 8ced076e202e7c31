import { z } from 'zod';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { AppError } from '../lib/errors.ts';
import { instant } from '../crm/shared/fields.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { getAutomation } from './automations.ts';
import { evaluate } from './conditions.ts';
import { enroll } from './enroll.ts';
import { loadFacts, signalFieldsIn } from './facts.ts';
import { advance } from './runner.ts';
import { runSegmentTriggers } from './segments.ts';

export interface SimulatedSend {
  at: string;
  channel: string;
  to: string;
  contactId: string | null;
  contactName: string | null;
  body: string;
  subject: string | null;
  step: number | null;
  audience: 'customer' | 'staff';
}

export interface SimulationReport {
  automationId: string;
  from: string;
  to: string;
  enrolled: number;
  sends: SimulatedSend[];
  decisions: Array<{ at: string; contactId: string; step: number | null; stepType: string | null; outcome: string; detail: unknown }>;
  finished: Record<string, number>;
}

const simInput = z
  .object({ from: instant, to: instant, maxEnrollments: z.coerce.number().int().min(1).max(5000).default(1000) })
  .strict()
  .refine((s) => s.from < s.to, { message: 'from must be before to', path: ['to'] })
  .refine((s) => Date.parse(s.to) - Date.parse(s.from) <= 400 * 86_400_000, { message: 'simulate at most 400 days at a time', path: ['to'] });

class Rollback extends Error {
  constructor(readonly report: SimulationReport) {
    super('simulation rollback');
  }
}

/**
 * Replays an automation over the business's recorded events on a virtual
 * clock, inside a transaction that is rolled back: it reports what would have
 * been sent, when, to whom and why — and sends and keeps nothing.
 */
export async function simulateAutomation(ctx: AppContext, scope: Scope, automationId: string, input: unknown): Promise<SimulationReport> {
  const q = parseInput(simInput, input);
  const automation = await getAutomation(ctx, scope, automationId);
  try {
    await ctx.db.transaction(async (trx) => {
      throw new Rollback(await run(ctx, trx, scope, automation.id, automation.version, q.from, q.to, q.maxEnrollments));
    });
  } catch (err) {
    if (err instanceof Rollback) return err.report;
    throw err;
  }
  throw new AppError('INTERNAL', 'simulation ended without a report');
}

async function run(ctx: AppContext, trx: Executor, scope: Scope, automationId: string, version: number, from: string, to: string, cap: number): Promise<SimulationReport> {
  // Real enrolments would block or mix with simulated ones: set them aside (rolled back at the end).
  await trx.updateTable('enrollments').set({ status: 'cancelled' }).where('automation_id', '=', automationId).where('status', 'in', ['active', 'waiting', 'parked']).execute();
  await trx.updateTable('automations').set({ status: 'enabled' }).where('id', '=', automationId).execute();
  const automation = await getAutomation(ctx, scope, automationId, trx);
  const def = automation.definition;
  const business = await loadBusiness(trx, scope.businessId);
  const simIds = new Set<string>();

  const runUntil = async (until: string) => {
    for (let guard = 0; guard < 100_000; guard++) {
      const next = await trx
        .selectFrom('enrollments')
        .selectAll()
        .where('automation_id', '=', automationId)
        .where('status', 'in', ['active', 'waiting'])
        .where('next_run_at', '<=', until)
        .orderBy('next_run_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!next) return;
      await advance(ctx, trx, next, new Date(Math.max(Date.parse(next.next_run_at!), Date.parse(from))), null);
    }
  };

  if (def.trigger.type === 'event') {
    const trigger = def.trigger;
    const events = await trx
      .selectFrom('events')
      .selectAll()
      .where('business_id', '=', scope.businessId)
      .where('type', 'in', [trigger.event, ...(trigger.alsoOn ?? [])])
      .where('occurred_at', '>=', from)
      .where('occurred_at', '<', to)
      .where('contact_id', 'is not', null)
      .orderBy('seq')
      .execute();
    for (const e of events) {
      if (simIds.size >= cap) break;
      await runUntil(e.occurred_at);
      const exists = await trx.selectFrom('contacts').select('id').where('id', '=', e.contact_id!).executeTakeFirst();
      if (!exists) continue;
      const payload = JSON.parse(e.payload) as Record<string, unknown>;
      if (trigger.filter && !evaluate(trigger.filter, await loadFacts(trx, scope.businessId, e.contact_id!, payload, {}, business, { fields: signalFieldsIn(trigger.filter), now: new Date(e.occurred_at) }))) continue;
      const id = await enroll(trx, { businessId: scope.businessId, automationId, version, contactId: e.contact_id!, occurrenceKey: `sim:${e.id}`, triggerEventId: e.id, at: e.occurred_at, vars: { trigger: { type: e.type, ...payload } }, reason: `event ${e.type} (simulated)` });
      if (id) simIds.add(id);
    }
  } else if (def.trigger.type === 'segment') {
    for (let t = Date.parse(from); t < Date.parse(to) && simIds.size < cap; t += 86_400_000) {
      const at = new Date(t);
      await runUntil(at.toISOString());
      await runSegmentTriggers(ctx, { now: at, exec: trx, automationId });
      const fresh = await trx.selectFrom('enrollments').select('id').where('automation_id', '=', automationId).where('status', '!=', 'cancelled').execute();
      for (const f of fresh) simIds.add(f.id);
    }
  }
  await runUntil(to);

  const ids = [...simIds];
  const sends = ids.length
    ? await trx
        .selectFrom('outbox')
        .leftJoin('contacts', 'contacts.id', 'outbox.contact_id')
        .select(['outbox.created_at', 'outbox.not_before', 'outbox.channel', 'outbox.to_address', 'outbox.contact_id', 'contacts.display_name', 'outbox.body', 'outbox.subject', 'outbox.step', 'outbox.user_id'])
        .where('outbox.enrollment_id', 'in', ids)
        .orderBy('outbox.not_before')
        .execute()
    : [];
  const log = ids.length
    ? await trx.selectFrom('enrollment_log').select(['at', 'contact_id', 'step', 'step_type', 'outcome', 'detail']).where('enrollment_id', 'in', ids).orderBy('seq').execute()
    : [];
  const statuses = ids.length ? await trx.selectFrom('enrollments').select('status').where('id', 'in', ids).execute() : [];
  const finished: Record<string, number> = {};
  for (const s of statuses) finished[s.status] = (finished[s.status] ?? 0) + 1;
  return {
    automationId,
    from,
    to,
    enrolled: ids.length,
    sends: sends.map((s) => ({
      at: s.not_before,
      channel: s.channel,
      to: s.to_address,
      contactId: s.contact_id,
      contactName: s.display_name,
      body: s.body,
      subject: s.subject,
      step: s.step,
      audience: s.user_id ? 'staff' : 'customer',
    })),
    decisions: log.map((l) => ({ at: l.at, contactId: l.contact_id, step: l.step, stepType: l.step_type, outcome: l.outcome, detail: JSON.parse(l.detail) as unknown })),
    finished,
  };
}
