// The full metrics set (every metric, current + previous 30 days) over a business with
// BENCH_METRICS_CONTACTS contacts (default 100k) and BENCH_METRICS_INTERACTIONS interactions
// (default 1M) spread over three years, generated inside the database.
import { sql } from 'kysely';
import { silentLogger, type AppContext } from '../src/context.ts';
import type { Db, Dialect } from '../src/db/database.ts';
import { computeMetrics, metricsFor, type MetricName } from '../src/insights/metrics.ts';
import { inboundTouches } from '../src/insights/lead-facts.ts';
import { automationFunnel } from '../src/insights/funnel.ts';
import { VirtualClock } from '../src/lib/clock.ts';
import { loadConfig } from '../src/config.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import { benchDb, fmt, percentile } from './util.ts';

const START = '2023-11-23T00:00:00.000Z';
const NOW = '2026-11-23T00:00:00.000Z';
const SPAN_S = 1095 * 86400;

/** Rows 1..n as a set: generate_series on PostgreSQL, a recursive CTE on SQLite. */
function at(d: Dialect, seconds: ReturnType<typeof sql>) {
  return d === 'postgres' ? sql`(${START}::timestamptz + (${seconds}) * interval '1 second')` : sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${START}, '+' || (${seconds}) || ' seconds')`;
}
const series = (d: Dialect, n: number) => (d === 'postgres' ? sql`generate_series(1, ${sql.lit(n)}) as s(g)` : sql`s`);
const withSeries = (d: Dialect, n: number) => (d === 'postgres' ? sql`` : sql`with recursive s(g) as (select 1 union all select g + 1 from s where g < ${sql.lit(n)}) `);
const pad = (d: Dialect, e: ReturnType<typeof sql>) => (d === 'postgres' ? sql`lpad((${e})::text, 7, '0')` : sql`substr('0000000' || cast((${e}) as integer), -7, 7)`);
const idiv = (d: Dialect, a: ReturnType<typeof sql>, b: number) => (d === 'postgres' ? sql`((${a}) / ${sql.lit(b)})` : sql`cast((${a}) / ${sql.lit(b)} as integer)`);

async function load(db: Db, biz: string, contacts: number, interactions: number): Promise<void> {
  const d = db.dialect;
  const k = db.kysely;
  const g = d === 'postgres' ? sql`(g::bigint)` : sql`g`;
  const cid = (e: ReturnType<typeof sql>) => sql`'c' || ${pad(d, sql`((${e}) % ${sql.lit(contacts)}) + 1`)}`;
  await sql`${withSeries(d, contacts)}insert into contacts (id, business_id, first_name, last_name, display_name, phone, email, phones, emails, source, lifecycle_stage, custom_fields, search_text, created_at, updated_at)
    select 'c' || ${pad(d, g)}, ${biz}, 'First', 'Last', 'First Last', null, null, '[]', '[]', 'website',
           case when g % 10 < 3 then 'lead' when g % 10 < 6 then 'customer' else 'dormant' end, '{}', 'first last',
           ${at(d, sql`(g * 7919) % ${sql.lit(SPAN_S)}`)}, ${at(d, sql`(g * 7919) % ${sql.lit(SPAN_S)}`)}
      from ${series(d, contacts)}`.execute(k);
    // Interactions in pairs: an inbound call/text/email, then the business's outbound touch minutes later.
  const pair = idiv(d, g, 2);
  const base = sql`(((${pair}) * 48271) % ${sql.lit(SPAN_S)})`;
  await sql`${withSeries(d, interactions)}insert into interactions (id, business_id, contact_id, kind, direction, channel, outcome, metadata, occurred_at, created_at)
    select 'i' || ${pad(d, g)}, ${biz}, ${cid(sql`(${pair}) * 31`)},
           case when g % 2 = 0 then (case when (${pair}) % 20 < 12 then 'call' when (${pair}) % 20 < 17 then 'sms' else 'email' end)
                else (case when (${pair}) % 3 = 0 then 'call' else 'sms' end) end,
           case when g % 2 = 0 then 'inbound' else 'outbound' end,
           'phone',
           case when g % 2 = 0 and (${pair}) % 20 < 12 then (case when (${pair}) % 25 < 18 then 'answered' else 'missed' end)
                when g % 2 = 1 and (${pair}) % 3 = 0 then 'answered' else null end,
           '{}',
           ${at(d, sql`${base} + (g % 2) * (((${pair}) % 13) * 420 + 60)`)},
           ${at(d, sql`${base}`)}
      from ${series(d, interactions)}`.execute(k);
  const jobs = Math.round(interactions / 8);
  await sql`${withSeries(d, jobs)}insert into jobs (id, business_id, contact_id, service_type, status, scheduled_start, scheduled_end, completed_at, amount_cents, created_at, updated_at)
    select 'j' || ${pad(d, g)}, ${biz}, ${cid(sql`g * 62`)}, 'ac_repair',
           case when g % 30 = 0 then 'no_show' when g % 30 = 1 then 'cancelled' else 'completed' end,
           ${at(d, sql`((g * 15838) % ${sql.lit(SPAN_S)}) + 172800`)}, ${at(d, sql`((g * 15838) % ${sql.lit(SPAN_S)}) + 180000`)},
           ${at(d, sql`((g * 15838) % ${sql.lit(SPAN_S)}) + 180000`)}, 40000 + (g % 50) * 1000,
           ${at(d, sql`((g * 15838) % ${sql.lit(SPAN_S)}) + 1200`)}, ${at(d, sql`((g * 15838) % ${sql.lit(SPAN_S)}) + 1200`)}
      from ${series(d, jobs)}`.execute(k);
  const reviews = Math.round(jobs / 3);
  await sql`${withSeries(d, reviews)}insert into reviews (id, business_id, contact_id, platform, status, rating, requested_at, received_at, created_at, updated_at)
    select 'r' || ${pad(d, g)}, ${biz}, ${cid(sql`g * 62`)}, 'google', case when g % 3 = 0 then 'requested' else 'received' end,
           case when g % 3 = 0 then null else 3 + (g % 3) end,
           ${at(d, sql`(g * 4111) % ${sql.lit(SPAN_S)}`)}, case when g % 3 = 0 then null else ${at(d, sql`((g * 4111) % ${sql.lit(SPAN_S)}) + 86400`)} end,
           ${at(d, sql`(g * 4111) % ${sql.lit(SPAN_S)}`)}, ${at(d, sql`(g * 4111) % ${sql.lit(SPAN_S)}`)}
      from ${series(d, reviews)}`.execute(k);
  // Automation messages: 5 automations, one enrolment per message, two variants.
  const at0 = START;
  for (let a = 1; a <= 5; a++) {
    await k.insertInto('automations').values({ id: `a${a}`, business_id: biz, name: `Automation ${a}`, status: 'enabled', version: 1, definition: JSON.stringify({ trigger: { type: a === 5 ? 'segment' : 'event', segment: { kind: 'lifecycle_stage', stage: 'dormant' } } }), trigger_type: a === 5 ? 'segment' : 'event', trigger_event: null, playbook: null, last_segment_run_at: null, created_at: at0, updated_at: at0 }).execute();
  }
  const messages = Math.round(interactions / 10);
  await sql`${withSeries(d, messages)}insert into enrollments (id, business_id, automation_id, version, contact_id, occurrence_key, status, step, attempt, vars, created_at, updated_at)
    select 'e' || ${pad(d, g)}, ${biz}, 'a' || ((g % 5) + 1), 1, ${cid(sql`g * 17`)}, 'e' || g, 'completed', 0, 0, '{}',
           ${at(d, sql`(g * 9973) % ${sql.lit(SPAN_S)}`)}, ${at(d, sql`(g * 9973) % ${sql.lit(SPAN_S)}`)}
      from ${series(d, messages)}`.execute(k);
  await sql`${withSeries(d, messages)}insert into outbox (id, business_id, contact_id, enrollment_id, step, idempotency_key, channel, purpose, to_address, body, headers, state, attempts, not_before, created_at, updated_at, sent_at, variant)
    select 'o' || ${pad(d, g)}, ${biz}, ${cid(sql`g * 17`)}, 'e' || ${pad(d, g)}, 0, 'o' || g, 'sms', 'marketing', '+15125550000', 'Hi', '{}',
           case when g % 4 = 0 then 'sent' else 'delivered' end, 1,
           ${at(d, sql`(g * 9973) % ${sql.lit(SPAN_S)}`)}, ${at(d, sql`(g * 9973) % ${sql.lit(SPAN_S)}`)}, ${at(d, sql`(g * 9973) % ${sql.lit(SPAN_S)}`)},
           ${at(d, sql`(g * 9973) % ${sql.lit(SPAN_S)}`)}, case when g % 2 = 0 then 'A' else 'B' end
      from ${series(d, messages)}`.execute(k);
  await sql`analyze`.execute(k);
}

export async function benchMetrics(dialect: Dialect): Promise<string[]> {
  const contacts = Number(process.env.BENCH_METRICS_CONTACTS ?? 100_000);
  const interactions = Number(process.env.BENCH_METRICS_INTERACTIONS ?? 1_000_000);
  const runs = Number(process.env.BENCH_METRICS_RUNS ?? 20);
  const { db, cleanup } = await benchDb(dialect);
  try {
    const clock = new VirtualClock(NOW);
    const ctx: AppContext = { config: loadConfig({ KINETIC_DEMO: '0' }), db, clock, log: silentLogger };
    const business = await createBusiness(ctx, { name: 'Bench Metrics HVAC', timeZone: 'America/Chicago' });
    const scope = { businessId: business.id, actor: { type: 'system' as const, id: null } };
    const t0 = performance.now();
    await load(db, business.id, contacts, interactions);
    const loadMs = performance.now() - t0;
    const period = { from: new Date(Date.parse(NOW) - 30 * 86_400_000).toISOString(), to: NOW };
    const first = await computeMetrics(ctx, scope, period); // warm-up
    if (process.env.BENCH_METRICS_PROFILE) {
      for (const name of Object.keys(first.metrics)) {
        const s = performance.now();
        await metricsFor(ctx, scope, period, [name as MetricName]);
        console.log(`  ${dialect} ${name}: ${fmt(performance.now() - s)} ms`);
      }
      const both = { from: new Date(Date.parse(period.from) - 30 * 86_400_000).toISOString(), to: period.to };
      for (let i = 0; i < 3; i++) {
        let s = performance.now();
        const touches = await inboundTouches(ctx, scope, both);
        const sqlMs = performance.now() - s;
        s = performance.now();
        await automationFunnel(ctx, scope, period);
        console.log(`  ${dialect} inbound touches, both periods: ${fmt(sqlMs)} ms (${touches.length} rows); funnel one period: ${fmt(performance.now() - s)} ms`);
      }
    }
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await computeMetrics(ctx, scope, period);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    const leads = first.metrics.speedToLead.leads as number;
    return [
      `metrics ${dialect}: ${fmt(contacts, 0)} contacts / ${fmt(interactions, 0)} interactions (loaded in ${fmt(loadMs / 1000)} s); full set for 30 days + previous 30 days (${fmt(leads, 0)} leads in the period), ${runs} runs: p50 ${fmt(percentile(times, 50))} ms, p95 ${fmt(percentile(times, 95))} ms, max ${fmt(times[times.length - 1])} ms`,
    ];
  } finally {
    await cleanup();
  }
}

