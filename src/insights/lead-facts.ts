import { sql } from 'kysely';
import type { AppContext, Scope } from '../context.ts';
import { DAY_MS, shiftIso, type Period } from './period.ts';
import { ms, num, shifted, ts } from './sql.ts';

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
  /** Outbound calls/texts/emails after the first response, within the attribution window. */
  followUps: number;
}

/**
 * Every lead in the period with its first response, booking and follow-up
 * count, computed in the database (the volume is in interactions; the result
 * is one row per lead).
 */
export async function leadFacts(ctx: AppContext, scope: Scope, p: Period, attributionDays = DEFAULT_ATTRIBUTION_DAYS): Promise<LeadFact[]> {
  const d = ctx.db.dialect;
  const biz = scope.businessId;
  const lookback = shiftIso(p.from, -LEAD_GAP_HOURS * 3_600_000);
  const at = sql.ref('l.at');
  const r = await sql<{ contact_id: string; at: string; kind: string; answered: number; first_response_at: string | null; booked_at: string | null; follow_ups: number }>`
    with inbound as (
      select i.contact_id, i.occurred_at, i.kind, i.outcome,
             lag(i.occurred_at) over (partition by i.contact_id order by i.occurred_at) as prev_at
        from interactions i
       where i.business_id = ${biz} and i.direction = 'inbound' and i.kind in ('call', 'sms', 'email')
         and i.occurred_at >= ${ts(d, lookback)} and i.occurred_at < ${ts(d, p.to)}
    ),
    leads as (
      select contact_id, occurred_at as at, kind,
             case when kind = 'call' and outcome in ('answered', 'completed') then 1 else 0 end as answered
        from inbound
       where occurred_at >= ${ts(d, p.from)}
         and (prev_at is null or prev_at < ${shifted(d, sql.ref('occurred_at'), -LEAD_GAP_HOURS * 3600)})
         -- An answer to the business's own outreach is a reply, not a new inquiry.
         and not exists (select 1 from interactions o
                          where o.business_id = ${biz} and o.contact_id = inbound.contact_id and o.direction = 'outbound'
                            and o.kind in ('call', 'sms', 'email') and o.occurred_at < inbound.occurred_at
                            and o.occurred_at >= ${shifted(d, sql.ref('inbound.occurred_at'), -LEAD_GAP_HOURS * 3600)})
         and not exists (select 1 from outbox x
                          where x.business_id = ${biz} and x.contact_id = inbound.contact_id and x.user_id is null
                            and x.sent_at < inbound.occurred_at
                            and x.sent_at >= ${shifted(d, sql.ref('inbound.occurred_at'), -LEAD_GAP_HOURS * 3600)})
    ),
    responded as (
      select l.contact_id, l.at, l.kind, l.answered,
             case when l.answered = 1 then l.at else (
               select min(t) from (
                 select min(o.occurred_at) as t from interactions o
                  where o.business_id = ${biz} and o.contact_id = l.contact_id and o.direction = 'outbound'
                    and o.kind in ('call', 'sms', 'email')
                    and o.occurred_at >= l.at and o.occurred_at < ${shifted(d, at, RESPONSE_HORIZON_DAYS * 86400)}
                 union all
                 select min(x.sent_at) as t from outbox x
                  where x.business_id = ${biz} and x.contact_id = l.contact_id and x.user_id is null
                    and x.sent_at >= l.at and x.sent_at < ${shifted(d, at, RESPONSE_HORIZON_DAYS * 86400)}
               ) firsts
             ) end as first_response_at
        from leads l
    )
    select l.contact_id, l.at, l.kind, l.answered, l.first_response_at,
           (select min(j.created_at) from jobs j
             where j.business_id = ${biz} and j.contact_id = l.contact_id
               and j.created_at >= l.at and j.created_at < ${shifted(d, at, attributionDays * 86400)}) as booked_at,
           (select count(*) from interactions o
             where o.business_id = ${biz} and o.contact_id = l.contact_id and o.direction = 'outbound'
               and o.kind in ('call', 'sms', 'email')
               and o.occurred_at > l.first_response_at and o.occurred_at < ${shifted(d, at, attributionDays * 86400)})
         + (select count(*) from outbox x
             where x.business_id = ${biz} and x.contact_id = l.contact_id and x.user_id is null
               and x.sent_at > l.first_response_at and x.sent_at < ${shifted(d, at, attributionDays * 86400)}) as follow_ups
      from responded l`.execute(ctx.db.kysely);
  return r.rows.map((row) => ({
    contactId: row.contact_id,
    at: ms(row.at)!,
    kind: row.kind,
    answered: num(row.answered) === 1,
    firstResponseAt: ms(row.first_response_at),
    bookedAt: ms(row.booked_at),
    followUps: num(row.follow_ups),
  }));
}
