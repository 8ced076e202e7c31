import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { bookingConversion, followUpCoverage, leadDecay, ratio, speedToLead } from './calculations.ts';
import { automationFunnel, type FunnelRow } from './funnel.ts';
import { DEFAULT_ATTRIBUTION_DAYS, leadFacts, type LeadFact } from './lead-facts.ts';
import { DAY_MS, periodQuerySchema, previousPeriod, resolvePeriod, type Period } from './period.ts';
import { num, ts } from './sql.ts';

export const metricNames = [
  'answerRate', 'speedToLead', 'leadDecay', 'followUpCoverage', 'bookingConversion',
  'reviewVelocity', 'noShowRate', 'reactivation', 'automationRevenue',
] as const;
export type MetricName = (typeof metricNames)[number];

export interface MetricOptions {
  /** Follow-up coverage counts leads with at least this many follow-up touches (default 1). */
  minTouches: number;
  attributionDays: number;
}
export const defaultMetricOptions: MetricOptions = { minTouches: 1, attributionDays: DEFAULT_ATTRIBUTION_DAYS };

export type MetricValue = { value: number | null } & Record<string, unknown>;

/** Everything one period's metrics are computed from; lead facts are fetched once and shared. */
class PeriodData {
  private leads?: Promise<LeadFact[]>;
  private funnel?: Promise<FunnelRow[]>;
  constructor(readonly ctx: AppContext, readonly scope: Scope, readonly p: Period, readonly opts: MetricOptions, leads?: Promise<LeadFact[]>) {
    this.leads = leads;
  }
  leadFacts(): Promise<LeadFact[]> {
    return (this.leads ??= leadFacts(this.ctx, this.scope, this.p, this.opts.attributionDays));
  }
  /** Every automation's funnel (reactivation and automation revenue both read it). */
  funnelRows(): Promise<FunnelRow[]> {
    return (this.funnel ??= automationFunnel(this.ctx, this.scope, this.p, { attributionDays: this.opts.attributionDays }));
  }
}

async function answerRate(x: PeriodData): Promise<MetricValue> {
  const d = x.ctx.db.dialect;
  const r = await sql<{ calls: number; answered: number }>`
    select count(*) as calls, coalesce(sum(case when outcome in ('answered', 'completed') then 1 else 0 end), 0) as answered
      from interactions
     where business_id = ${x.scope.businessId} and direction = 'inbound' and kind = 'call'
       and occurred_at >= ${ts(d, x.p.from)} and occurred_at < ${ts(d, x.p.to)}`.execute(x.ctx.db.kysely);
  const calls = num(r.rows[0]?.calls);
  const answered = num(r.rows[0]?.answered);
  return { value: ratio(answered, calls), inboundCalls: calls, answered, missed: calls - answered };
}

async function reviewVelocity(x: PeriodData): Promise<MetricValue> {
  const d = x.ctx.db.dialect;
  const biz = x.scope.businessId;
  const r = await sql<{ requested: number; received: number; rating_sum: number; rated: number }>`
    select
      (select count(*) from reviews where business_id = ${biz} and requested_at >= ${ts(d, x.p.from)} and requested_at < ${ts(d, x.p.to)}) as requested,
      (select count(*) from reviews where business_id = ${biz} and received_at >= ${ts(d, x.p.from)} and received_at < ${ts(d, x.p.to)}) as received,
      (select coalesce(sum(rating), 0) from reviews where business_id = ${biz} and rating is not null and received_at >= ${ts(d, x.p.from)} and received_at < ${ts(d, x.p.to)}) as rating_sum,
      (select count(*) from reviews where business_id = ${biz} and rating is not null and received_at >= ${ts(d, x.p.from)} and received_at < ${ts(d, x.p.to)}) as rated`.execute(x.ctx.db.kysely);
  const row = r.rows[0];
  const weeks = (Date.parse(x.p.to) - Date.parse(x.p.from)) / (7 * DAY_MS);
  const requested = num(row?.requested);
  const received = num(row?.received);
  const rated = num(row?.rated);
  const perWeek = (n: number) => Math.round((n / weeks) * 100) / 100;
  return {
    value: perWeek(received),
    requestsPerWeek: perWeek(requested),
    reviewsPerWeek: perWeek(received),
    requested,
    received,
    reviewsPerRequest: ratio(received, requested),
    averageRating: rated ? Math.round((num(row?.rating_sum) / rated) * 100) / 100 : null,
  };
}

async function noShowRate(x: PeriodData): Promise<MetricValue> {
  const d = x.ctx.db.dialect;
  const r = await sql<{ kept: number; no_shows: number }>`
    select coalesce(sum(case when status = 'completed' then 1 else 0 end), 0) as kept,
           coalesce(sum(case when status = 'no_show' then 1 else 0 end), 0) as no_shows
      from jobs
     where business_id = ${x.scope.businessId} and status in ('completed', 'no_show')
       and scheduled_start >= ${ts(d, x.p.from)} and scheduled_start < ${ts(d, x.p.to)}`.execute(x.ctx.db.kysely);
  const kept = num(r.rows[0]?.kept);
  const noShows = num(r.rows[0]?.no_shows);
  return { value: ratio(noShows, kept + noShows), appointments: kept + noShows, noShows };
}

/** Reactivation campaigns: automations from a reactivation playbook or triggered by the dormant segment. */
export async function reactivationAutomationIds(ctx: AppContext, scope: Scope): Promise<string[]> {
  const rows = await ctx.db.kysely.selectFrom('automations').select(['id', 'playbook', 'definition']).where('business_id', '=', scope.businessId).execute();
  return rows
    .filter((a) => {
      if (a.playbook && /reactivat|dormant/i.test(a.playbook)) return true;
      const trigger = (JSON.parse(a.definition) as { trigger?: { type?: string; segment?: { kind?: string; stage?: string } } }).trigger;
      return trigger?.type === 'segment' && trigger.segment?.kind === 'lifecycle_stage' && trigger.segment.stage === 'dormant';
    })
    .map((a) => a.id);
}

async function reactivation(x: PeriodData): Promise<MetricValue> {
  const ids = new Set(await reactivationAutomationIds(x.ctx, x.scope));
  const rows = (await x.funnelRows()).filter((r) => ids.has(r.automationId));
  const sum = (k: 'sent' | 'delivered' | 'replied' | 'booked' | 'revenueCents') => rows.reduce((a, r) => a + r[k], 0);
  const funnel = { sent: sum('sent'), delivered: sum('delivered'), replied: sum('replied'), booked: sum('booked'), revenueCents: sum('revenueCents') };
  return { value: funnel.booked, ...funnel, replyRate: ratio(funnel.replied, funnel.sent), bookingRate: ratio(funnel.booked, funnel.sent), campaigns: ids.size };
}

async function automationRevenue(x: PeriodData): Promise<MetricValue> {
  const rows = await x.funnelRows();
  const byAutomation = new Map<string, { automationId: string; name: string; booked: number; revenueCents: number }>();
  for (const r of rows) {
    const a = byAutomation.get(r.automationId) ?? { automationId: r.automationId, name: r.name, booked: 0, revenueCents: 0 };
    a.booked += r.booked;
    a.revenueCents += r.revenueCents;
    byAutomation.set(r.automationId, a);
  }
  const list = [...byAutomation.values()].sort((a, b) => b.revenueCents - a.revenueCents);
  return { value: list.reduce((s, a) => s + a.revenueCents, 0), attributionDays: x.opts.attributionDays, byAutomation: list };
}

const calculators: Record<MetricName, (x: PeriodData) => Promise<MetricValue>> = {
  answerRate,
  speedToLead: async (x) => ({ ...speedToLead(await x.leadFacts()) }),
  leadDecay: async (x) => ({ ...leadDecay(await x.leadFacts()) }),
  followUpCoverage: async (x) => ({ ...followUpCoverage(await x.leadFacts(), x.opts.minTouches) }),
  bookingConversion: async (x) => ({ ...bookingConversion(await x.leadFacts()) }),
  reviewVelocity,
  noShowRate,
  reactivation,
  automationRevenue,
};

/** Computes the named metrics (default: all) for one period. */
export async function metricsFor(ctx: AppContext, scope: Scope, p: Period, names: readonly MetricName[] = metricNames, opts: MetricOptions = defaultMetricOptions, leads?: Promise<LeadFact[]>): Promise<Record<string, MetricValue>> {
  const data = new PeriodData(ctx, scope, p, opts, leads);
  // Concurrent: PostgreSQL runs the independent queries on several connections (SQLite serialises
  // them anyway); work two metrics share (lead facts, funnels) is fetched once by PeriodData.
  const values = await Promise.all(names.map((name) => calculators[name](data)));
  return Object.fromEntries(names.map((name, i) => [name, values[i]]));
}

export interface MetricsReport {
  period: Period;
  previous: Period;
  metrics: Record<string, MetricValue & { previous: number | null }>;
}

/** Every metric for the period, each with the previous period's value (and that period's details under previousDetails). */
export async function computeMetrics(ctx: AppContext, scope: Scope, period: Period, opts: MetricOptions = defaultMetricOptions): Promise<MetricsReport> {
  const previous = previousPeriod(period);
  // One pass over both periods' touches: the previous period's follow-ups run into this one anyway.
  const both = leadFacts(ctx, scope, { from: previous.from, to: period.to }, opts.attributionDays);
  const split = (p: Period) => both.then((all) => all.filter((l) => l.at >= Date.parse(p.from) && l.at < Date.parse(p.to)));
  const [now, before] = await Promise.all([
    metricsFor(ctx, scope, period, metricNames, opts, split(period)),
    metricsFor(ctx, scope, previous, metricNames, opts, split(previous)),
  ]);
  const metrics: MetricsReport['metrics'] = {};
  for (const name of metricNames) {
    const { value, ...details } = now[name];
    const { value: prevValue, ...prevDetails } = before[name];
    metrics[name] = { value, previous: prevValue, ...details, previousDetails: prevDetails };
  }
  return { period, previous, metrics };
}

export const metricsQuerySchema = periodQuerySchema.extend({
  minTouches: z.coerce.number().int().min(1).max(20).optional(),
  attributionDays: z.coerce.number().int().min(1).max(90).optional(),
});

export async function metricsFromQuery(ctx: AppContext, scope: Scope, query: unknown): Promise<MetricsReport> {
  const q = parseInput(metricsQuerySchema, query ?? {});
  const period = resolvePeriod(ctx.clock, q);
  return computeMetrics(ctx, scope, period, { minTouches: q.minTouches ?? 1, attributionDays: q.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS });
}
