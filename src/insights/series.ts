import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { getBusiness } from '../crm/businesses/businesses.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { validationError } from '../lib/errors.ts';
import { metricNames, metricsFor, defaultMetricOptions } from './metrics.ts';
import { leadFacts } from './lead-facts.ts';
import { periodQuerySchema, resolvePeriod, type Period } from './period.ts';

export const MAX_BUCKETS = 400;
const leadMetrics = new Set(['speedToLead', 'leadDecay', 'followUpCoverage', 'bookingConversion']);

export const seriesQuerySchema = periodQuerySchema.extend({
  metric: z.enum(metricNames),
  bucket: z.enum(['day', 'week', 'month']).default('day'),
});

/** Calendar buckets (day, ISO week, month) in the business's time zone covering [from, to), clipped to the period. */
export function buckets(p: Period, unit: 'day' | 'week' | 'month', zone: string): Period[] {
  const end = DateTime.fromISO(p.to, { zone });
  let start = DateTime.fromISO(p.from, { zone }).startOf(unit);
  const out: Period[] = [];
  while (start < end) {
    const next = start.plus({ [`${unit}s`]: 1 });
    const from = DateTime.max(start, DateTime.fromISO(p.from, { zone }));
    out.push({ from: from.toUTC().toISO()!, to: DateTime.min(next, end).toUTC().toISO()! });
    if (out.length > MAX_BUCKETS) throw validationError([{ field: 'bucket', message: `the period has more than ${MAX_BUCKETS} ${unit}s: choose a larger bucket or a shorter period` }]);
    start = next;
  }
  return out;
}

/** One metric's value per bucket, for charts. Each bucket is computed by the same function as /insights/metrics. */
export async function metricSeries(ctx: AppContext, scope: Scope, query: unknown): Promise<{ metric: string; bucket: string; data: Array<{ start: string; value: number | null }> }> {
  const q = parseInput(seriesQuerySchema, query ?? {});
  const period = resolvePeriod(ctx.clock, q);
  const business = await getBusiness(ctx, scope.businessId);
  const data: Array<{ start: string; value: number | null }> = [];
  // Lead metrics: one pass over the whole range, split by bucket (a lead belongs to the bucket its touch falls in).
  const leads = leadMetrics.has(q.metric) ? leadFacts(ctx, scope, period, defaultMetricOptions.attributionDays) : null;
  for (const b of buckets(period, q.bucket, business.timeZone)) {
    const inBucket = leads?.then((all) => all.filter((l) => l.at >= Date.parse(b.from) && l.at < Date.parse(b.to)));
    const m = await metricsFor(ctx, scope, b, [q.metric], defaultMetricOptions, inBucket);
    data.push({ start: b.from, value: m[q.metric].value });
  }
  return { metric: q.metric, bucket: q.bucket, data };
}
