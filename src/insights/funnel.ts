import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { idField } from '../crm/shared/fields.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { DEFAULT_ATTRIBUTION_DAYS } from './lead-facts.ts';
import { DAY_MS, periodQuerySchema, resolvePeriod, shiftIso, type Period } from './period.ts';
import { num, shifted, ts } from './sql.ts';

export interface FunnelRow {
  automationId: string;
  name: string;
  variant: string | null;
  sent: number;
  delivered: number;
  replied: number;
  booked: number;
  revenueCents: number;
}

export const funnelQuerySchema = periodQuerySchema.extend({
  automationId: idField.optional(),
  attributionDays: z.coerce.number().int().min(1).max(90).optional(),
});

/**
 * Per automation and A/B variant, counted in contacts: sent (a message left in
 * the period), delivered, replied (an inbound call/text/email within the
 * attribution window after the first message), booked and revenue (jobs created
 * within the window after a message, credited to the automation whose message
 * came last before the job: last touch, so a job is never counted twice).
 */
export async function automationFunnel(ctx: AppContext, scope: Scope, p: Period, opts: { automationId?: string; automationIds?: string[]; attributionDays?: number } = {}): Promise<FunnelRow[]> {
  const d = ctx.db.dialect;
  const biz = scope.businessId;
  const days = opts.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS;
  const window = days * 86400;
  const only = opts.automationId ? [opts.automationId] : opts.automationIds;
  if (only && only.length === 0) return [];
  const filter = only ? sql`and e.automation_id in (${sql.join(only)})` : sql``;
  const sends = sql`
    select o.id, o.contact_id, o.sent_at, o.state, o.variant, e.automation_id
      from outbox o join enrollments e on e.id = o.enrollment_id and e.business_id = o.business_id
     where o.business_id = ${biz} and o.user_id is null and o.contact_id is not null and o.sent_at is not null
       and o.sent_at >= ${ts(d, p.from)} and o.sent_at < ${ts(d, p.to)} ${filter}`;
  const reach = await sql<{ automation_id: string; variant: string | null; sent: number; delivered: number; replied: number }>`
    with sends as (${sends}),
    per_contact as (
      select automation_id, variant, contact_id, min(sent_at) as first_at,
             max(case when state = 'delivered' then 1 else 0 end) as delivered
        from sends group by automation_id, variant, contact_id
    )
    select automation_id, variant, count(*) as sent, sum(delivered) as delivered,
           sum(case when exists (
             select 1 from interactions i
              where i.business_id = ${biz} and i.contact_id = pc.contact_id and i.direction = 'inbound'
                and i.kind in ('call', 'sms', 'email')
                and i.occurred_at > pc.first_at and i.occurred_at < ${shifted(d, sql.ref('pc.first_at'), window)}
           ) then 1 else 0 end) as replied
      from per_contact pc group by automation_id, variant`.execute(ctx.db.kysely);
  const booked = await sql<{ automation_id: string; variant: string | null; booked: number; revenue: number }>`
    with sends as (${sends}),
    attributed as (
      select j.contact_id, j.status, j.amount_cents, s.id as send_id,
             row_number() over (partition by j.id order by s.sent_at desc, s.id desc) as rn
        from jobs j join sends s on s.contact_id = j.contact_id
       where j.business_id = ${biz} and j.created_at >= ${ts(d, p.from)} and j.created_at < ${ts(d, shiftIso(p.to, days * DAY_MS))}
         and s.sent_at <= j.created_at and s.sent_at >= ${shifted(d, sql.ref('j.created_at'), -window)}
    )
    select s.automation_id, s.variant, count(distinct a.contact_id) as booked,
           sum(case when a.status in ('cancelled', 'no_show') then 0 else coalesce(a.amount_cents, 0) end) as revenue
      from attributed a join sends s on s.id = a.send_id
     where a.rn = 1
     group by s.automation_id, s.variant`.execute(ctx.db.kysely);
  const names = new Map(
    (await ctx.db.kysely.selectFrom('automations').select(['id', 'name']).where('business_id', '=', biz).execute()).map((a) => [a.id, a.name]),
  );
  const key = (a: string, v: string | null) => `${a}\u0000${v ?? ''}`;
  const rows = new Map<string, FunnelRow>();
  for (const r of reach.rows) {
    rows.set(key(r.automation_id, r.variant), {
      automationId: r.automation_id, name: names.get(r.automation_id) ?? '(deleted)', variant: r.variant,
      sent: num(r.sent), delivered: num(r.delivered), replied: num(r.replied), booked: 0, revenueCents: 0,
    });
  }
  for (const b of booked.rows) {
    const row = rows.get(key(b.automation_id, b.variant));
    if (row) {
      row.booked = num(b.booked);
      row.revenueCents = num(b.revenue);
    }
  }
  return [...rows.values()].sort((a, b) => b.revenueCents - a.revenueCents || a.name.localeCompare(b.name) || (a.variant ?? '').localeCompare(b.variant ?? ''));
}

export async function funnelFromQuery(ctx: AppContext, scope: Scope, query: unknown): Promise<{ data: FunnelRow[] }> {
  const q = parseInput(funnelQuerySchema, query ?? {});
  const p = resolvePeriod(ctx.clock, q);
  return { data: await automationFunnel(ctx, scope, p, { automationId: q.automationId, attributionDays: q.attributionDays }) };
}
