import { createHash } from 'node:crypto';
import type { Instruction, MessageVariant } from '../definition.ts';
import { sql } from 'kysely';
import { isPostgres } from '../facts.ts';
import { programFor } from '../program.ts';
import type { StepContext } from './types.ts';

/** How long a marketing message waits when a higher-priority automation is about to message the same contact. */
export const YIELD_MS = 60_000;

/**
 * A/B assignment: the same contact always gets the same variant of an
 * automation (a hash of automation and contact), so a retry or a second
 * message in the sequence stays in the contact's arm of the test.
 */
export function variantIndex(automationId: string, contactId: string, n: number): number {
  const h = createHash('sha256').update(`${automationId}:${contactId}`).digest();
  return h.readUInt32BE(0) % n;
}

export function pickVariant(variants: MessageVariant[] | undefined, sc: StepContext): MessageVariant | null {
  if (!variants?.length) return null;
  return variants[variantIndex(sc.enrollment.automation_id, sc.enrollment.contact_id, variants.length)];
}

/**
 * Another of this contact's enrolments, in an automation with a higher
 * priority, that is due now and about to send a marketing message. The
 * lower-priority message then waits (it is deferred, never dropped); once the
 * higher one has gone out, the per-contact marketing cap decides when the
 * lower one may follow.
 */
/** Whether the instruction at `i` (looking through branches and jumps, either way a branch may go) is a marketing message. */
export function sendsMarketingNext(program: Instruction[], i: number, purpose: 'marketing' | 'transactional', depth = 0): boolean {
  const ins = program[i];
  if (!ins || depth > 20) return false;
  if (ins.op === 'jump') return sendsMarketingNext(program, ins.target, purpose, depth + 1);
  if (ins.op === 'branch') return sendsMarketingNext(program, i + 1, purpose, depth + 1) || sendsMarketingNext(program, ins.elseTarget, purpose, depth + 1);
  if (ins.step.type !== 'send_sms' && ins.step.type !== 'send_email') return false;
  return (ins.step.purpose ?? purpose) === 'marketing';
}

/**
 * Serialises marketing decisions per contact across workers. On PostgreSQL
 * several workers run in parallel, and two of them could each read "nothing
 * sent today" for the same contact and both send; a transaction-scoped
 * advisory lock on the contact makes the second wait for the first's commit.
 * It is only tried, never waited for (no deadlocks between batches): a busy
 * contact defers the step a few seconds. SQLite has a single writer already.
 */
export async function claimContactForMarketing(sc: StepContext): Promise<boolean> {
  if (!isPostgres(sc.trx)) return true;
  const res = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${`kinetic.marketing:${sc.enrollment.contact_id}`}, 0)) as ok`.execute(sc.trx);
  return Boolean(res.rows[0]?.ok);
}

export async function higherPriorityDue(sc: StepContext): Promise<{ name: string; priority: number } | null> {
  const others = await sc.trx
    .selectFrom('enrollments')
    .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
    .select(['enrollments.automation_id', 'enrollments.version', 'enrollments.step', 'automations.name'])
    .where('enrollments.business_id', '=', sc.business.id)
    .where('enrollments.contact_id', '=', sc.enrollment.contact_id)
    .where('enrollments.status', '=', 'active')
    .where('enrollments.automation_id', '!=', sc.enrollment.automation_id)
    .where('enrollments.next_run_at', '<=', sc.now.toISOString())
    .execute();
  for (const o of others) {
    const { def, program } = await programFor(sc.trx, o.automation_id, o.version);
    if (def.priority <= sc.def.priority) continue;
    if (sendsMarketingNext(program, o.step, def.purpose)) return { name: o.name, priority: def.priority };
  }
  return null;
}
