import { sql } from 'kysely';
import type { AppContext, Scope } from '../context.ts';
import { bookedAtFirstContact, ratio } from './calculations.ts';
import { leadFacts, type LeadFact } from './lead-facts.ts';
import { calculateLeak, leakInputNames, resolveLeakInputs, type LeakInputs, type LeakReport } from './leak.ts';
import { DAY_MS, shiftIso, type Period } from './period.ts';
import { num, ts } from './sql.ts';

/** A lead was answered when the call was picked up, or a text/form got a reply within 24 hours. */
export function leadAnswered(l: LeakLead): boolean {
  if (l.kind === 'call') return l.answered;
  return l.firstResponseAt !== null && l.firstResponseAt - l.at <= DAY_MS;
}
type LeakLead = Pick<LeadFact, 'kind' | 'answered' | 'firstResponseAt' | 'at' | 'bookedAt' | 'followUps'>;

/** The leak inputs measured from leads (pure, table-tested): null where the data cannot tell. */
export function measureLeakRates(leads: LeakLead[], months: number): Partial<LeakInputs> {
  const answered = leads.filter(leadAnswered);
  const notBooked = answered.filter((l) => !bookedAtFirstContact(l as LeadFact));
  const followed = notBooked.filter((l) => l.followUps > 0);
  const out: Partial<LeakInputs> = {};
  if (leads.length) out.inquiriesPerMonth = Math.round((leads.length / months) * 10) / 10;
  const a = ratio(answered.length, leads.length);
  if (a !== null) out.answerRate = a;
  const n = ratio(notBooked.length, answered.length);
  if (n !== null) out.notBookedRate = n;
  const f = ratio(followed.length, notBooked.length);
  if (f !== null) out.followedUpRate = f;
  return out;
}

export interface LeakFromDataReport extends LeakReport {
  period: Period;
  measured: string[];
}

/**
 * The leak computed from the business's last 12 months: inquiries, answer,
 * booking and follow-up rates from its leads; the average ticket from completed
 * jobs; dormant contacts from the record. Explicit overrides win; recovery rates
 * cannot be measured before the follow-up exists and stay assumptions.
 */
export async function leakFromData(ctx: AppContext, scope: Scope, overrides: Partial<Record<keyof LeakInputs, unknown>> = {}, label?: (f: string) => string): Promise<LeakFromDataReport> {
  // Validate overrides before touching the database.
  const given = resolveLeakInputs(overrides, label);
  const to = ctx.clock.now().toISOString();
  const period = { from: shiftIso(to, -365 * DAY_MS), to };
  const d = ctx.db.dialect;
  const leads = await leadFacts(ctx, scope, period);
  const measured: Partial<LeakInputs> = measureLeakRates(leads, 12);
  const jobs = await sql<{ n: number; total: number }>`
    select count(*) as n, coalesce(sum(amount_cents), 0) as total from jobs
     where business_id = ${scope.businessId} and status = 'completed' and amount_cents is not null
       and completed_at >= ${ts(d, period.from)} and completed_at < ${ts(d, period.to)}`.execute(ctx.db.kysely);
  if (num(jobs.rows[0]?.n) > 0) measured.avgTicket = Math.round(num(jobs.rows[0].total) / num(jobs.rows[0].n) / 100);
  const dormant = await ctx.db.kysely
    .selectFrom('contacts')
    .select(sql<number>`count(*)`.as('n'))
    .where('business_id', '=', scope.businessId)
    .where('lifecycle_stage', '=', 'dormant')
    .executeTakeFirstOrThrow();
  measured.dormantContacts = num(dormant.n);

  const explicit = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined && v !== null));
  const inputs: LeakInputs = { ...given.inputs };
  const measuredNames: string[] = [];
  for (const k of leakInputNames) {
    if (k in explicit) continue;
    const m = measured[k];
    if (m !== undefined) {
      inputs[k] = m;
      measuredNames.push(k);
    }
  }
  const defaultsUsed = leakInputNames.filter((k) => !(k in explicit) && !measuredNames.includes(k));
  return { ...calculateLeak(inputs, defaultsUsed, 'data'), period, measured: measuredNames };
}
