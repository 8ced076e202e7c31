import { sql, type RawBuilder } from 'kysely';
import type { AppContext, Scope } from '../context.ts';
import type { Dialect } from '../db/database.ts';
import { DAY_MS, shiftIso, type Period } from './period.ts';
import { epochMs, ms, num, ts } from './sql.ts';

/**
 * Leads: an inbound call, text or email from a contact who neither reached out
 * nor was contacted by the business (outbound call/text/email) in the previous
 * 24 hours. Within that gap it continues the same conversation (a second call
 * after a missed one, a reply to a text).
 */
export const LEAD_GAP_HOURS = 24;
/** The first response is looked for up to 30 days after the lead. */
export const RESPONSE_HORIZON_DAYS = 30;
/** Default attribution / booking window after a lead or a message. */
export const DEFAULT_ATTRIBUTION_DAYS = 14;

/** One lead and what followed it, in epoch ms. */
export interface LeadFact {
  contactId: string;
  at: number;
  kind: string;
  /** An inbound call somebody picked up: answered on the spot (response time 0). */
  answered: boolean;
  firstResponseAt: number | null;
  bookedAt: number | null;
  /** Outbound calls/texts/emails within the attribution window other than the first response. */
  followUps: number;
}

/** One inbound call/text/email in the period with what surrounds it (the database's part of the work). */
export interface InboundTouch {
  contactId: string;
  at: number;
  kind: string;
  answered: boolean;
  /** The contact's previous inbound or outbound touch, if within the lookback. */
  prevTouchAt: number | null;
  /** The next outbound touch (interaction or automated message) at or after this one. */
  nextOutAt: number | null;
  /** The next job created at or after this one. */
  nextJobAt: number | null;
  /** Outbound touches from this moment to the end of the attribution window. */
  outsInWindow: number;
}

/** Window frame "this row to `days` later" over the time column (numeric on SQLite, an interval on PostgreSQL). */
function forwardRange(d: Dialect, days: number): RawBuilder<unknown> {
  return d === 'postgres'
    ? sql`order by at range between current row and ${sql.raw(`interval '${days} days'`)} following`
    : sql`order by julianday(at) range between current row and ${sql.raw(String(days))} following`;
}

/** The same ordering as forwardRange, so the database sorts the touches once for every window. */
const byTime = (d: Dialect): RawBuilder<unknown> => (d === 'postgres' ? sql`order by at` : sql`order by julianday(at)`);

/**
 * Every inbound touch in the period with its neighbours, set-based: one pass of
 * window functions over the contacts' touches and jobs around the period, so the
 * cost grows with the rows in the period, not with one lookup per lead.
 */
export async function inboundTouches(ctx: AppContext, scope: Scope, p: Period, attributionDays = DEFAULT_ATTRIBUTION_DAYS): Promise<InboundTouch[]> {
  const d = ctx.db.dialect;
  const biz = scope.businessId;
  const lookback = shiftIso(p.from, -LEAD_GAP_HOURS * 3_600_000);
  const horizon = shiftIso(p.to, Math.max(RESPONSE_HORIZON_DAYS, attributionDays) * DAY_MS);
  const jobsUntil = shiftIso(p.to, attributionDays * DAY_MS);
  // Touches at the very same instant are rare (times carry milliseconds); their order among themselves is not defined.
  const byContact = sql`partition by contact_id ${byTime(d)}`;
  type Instant = string | number;
  const r = await sql<{ contact_id: string; at: Instant; kind: string; answered: number; prev_touch: Instant | null; first_out: Instant | null; first_job: Instant | null; outs_window: number }>`
    with ev as (
      select contact_id, occurred_at as at, case when direction = 'inbound' then 1 else 2 end as t, kind,
             case when direction = 'inbound' and kind = 'call' and outcome in ('answered', 'completed') then 1 else 0 end as answered
        from interactions
       where business_id = ${biz} and kind in ('call', 'sms', 'email') and direction in ('inbound', 'outbound')
         and occurred_at >= ${ts(d, lookback)} and occurred_at < ${ts(d, horizon)}
         -- messages Kinetic sent are counted once, from the outbox branch below (their interaction is the record of it)
         and (external_id is null or external_id not like 'outbox:%')
      union all
      select contact_id, sent_at as at, 2 as t, 'message' as kind, 0 as answered
        from outbox
       where business_id = ${biz} and user_id is null and contact_id is not null
         and sent_at >= ${ts(d, lookback)} and sent_at < ${ts(d, horizon)}
      union all
      select contact_id, created_at as at, 3 as t, 'job' as kind, 0 as answered
        from jobs
       where business_id = ${biz} and contact_id is not null
         and created_at >= ${ts(d, p.from)} and created_at < ${ts(d, jobsUntil)}
    ),
    w as (
      select contact_id, at, t, kind, answered,
             max(case when t < 3 then at end) over (${byContact} rows between unbounded preceding and 1 preceding) as prev_touch,
             min(case when t = 2 then at end) over (${byContact} rows between current row and unbounded following) as first_out,
             min(case when t = 3 then at end) over (${byContact} rows between current row and unbounded following) as first_job,
             count(case when t = 2 then 1 end) over (partition by contact_id ${forwardRange(d, attributionDays)}) as outs_window
        from ev
    )
    select contact_id, ${epochMs(d, 'at')} as at, kind, answered, ${epochMs(d, 'prev_touch')} as prev_touch,
           ${epochMs(d, 'first_out')} as first_out, ${epochMs(d, 'first_job')} as first_job, outs_window
      from w where t = 1 and at >= ${ts(d, p.from)} and at < ${ts(d, p.to)}`.execute(ctx.db.kysely);
  return r.rows.map((row) => ({
    contactId: row.contact_id,
    at: ms(row.at)!,
    kind: row.kind,
    answered: num(row.answered) === 1,
    prevTouchAt: ms(row.prev_touch),
    nextOutAt: ms(row.first_out),
    nextJobAt: ms(row.first_job),
    outsInWindow: num(row.outs_window),
  }));
}

/** Which inbound touches are leads, and what followed each (pure; table-tested). */
export function toLeadFacts(touches: InboundTouch[], attributionDays = DEFAULT_ATTRIBUTION_DAYS): LeadFact[] {
  const gap = LEAD_GAP_HOURS * 3_600_000;
  const out: LeadFact[] = [];
  for (const t of touches) {
    if (t.prevTouchAt !== null && t.at - t.prevTouchAt < gap) continue;
    const firstResponseAt = t.answered ? t.at : t.nextOutAt !== null && t.nextOutAt - t.at < RESPONSE_HORIZON_DAYS * DAY_MS ? t.nextOutAt : null;
    const bookedAt = t.nextJobAt !== null && t.nextJobAt - t.at < attributionDays * DAY_MS ? t.nextJobAt : null;
    // The touches in the window include the first response itself unless the call was answered live.
    const followUps = t.answered ? t.outsInWindow : Math.max(0, t.outsInWindow - 1);
    out.push({ contactId: t.contactId, at: t.at, kind: t.kind, answered: t.answered, firstResponseAt, bookedAt, followUps });
  }
  return out;
}

/** Every lead in the period with its first response, booking and follow-up count. */
export async function leadFacts(ctx: AppContext, scope: Scope, p: Period, attributionDays = DEFAULT_ATTRIBUTION_DAYS): Promise<LeadFact[]> {
  return toLeadFacts(await inboundTouches(ctx, scope, p, attributionDays), attributionDays);
}
