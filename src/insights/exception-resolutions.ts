import { sql } from 'kysely';
import { classifyKeyword } from '../compliance/keywords.ts';
import type { Executor } from '../db/database.ts';
import { EXCEPTION_WINDOWS, OCCURRENCE, teamReply, type ExceptionKind } from './exception-sources.ts';
import { DAY_MS, shiftIso } from './period.ts';

/** How long a resolved item stays on the list ("resolved" for the rest of the day, then gone). */
export const RESOLVED_WINDOW_HOURS = 24;
const PER_KIND = 50;

/**
 * An item that left the list by itself because its cause is gone, with when and why. Its identity is
 * the open item's (kind, id, occurrence: see exception-sources.ts), so the dashboard can show the
 * item it listed a moment ago as resolved, and a dismissal of it is recognisable.
 */
export interface ResolvedException {
  kind: ExceptionKind;
  id: string;
  title: string;
  contactId: string | null;
  /** When the condition arose (the open item's createdAt). */
  createdAt: string;
  occurrence: string;
  resolvedAt: string;
  /** Why it resolved, in words: "Olivia Owner replied by sms", "a job was booked". */
  resolution: string;
}

type ResolvedSource = (db: Executor, businessId: string, since: string, now: string) => Promise<ResolvedException[]>;

const channelWord = (kind: string) => (kind === 'sms' ? 'text' : kind);

/**
 * One query per kind that resolves by itself: the items whose cause went away since `since`. Negative
 * reviews and failed sends are not here: a review only ages out of the list, and a failed send is
 * retried or cancelled by a person, who sees it go.
 */
const resolvedSources: Partial<Record<ExceptionKind, ResolvedSource>> = {
  async reply_waiting(db, biz, since) {
    // Each team reply in the window, with the message it answered: the contact's latest inbound text or
    // email before it, when no earlier team reply had answered that one already.
    const rows = await sql<{ id: string; contact_id: string; kind: string; body: string | null; occurred_at: string; display_name: string; resolved_at: string; reply_kind: string; user_name: string | null; drafted: number | string | null }>`
      select i.id, i.contact_id, i.kind, i.body, i.occurred_at, c.display_name, o.occurred_at as resolved_at, o.kind as reply_kind, u.name as user_name,
             (select count(*) from drafts d where d.business_id = ${biz} and o.external_id = 'outbox:' || d.outbox_id) as drafted
        from interactions o
        join interactions i on i.business_id = o.business_id and i.contact_id = o.contact_id and i.direction = 'inbound' and i.kind in ('sms', 'email') and i.occurred_at <= o.occurred_at
        join contacts c on c.id = i.contact_id and c.business_id = i.business_id
        left join users u on u.id = o.user_id and u.business_id = o.business_id
       where o.business_id = ${biz} and o.occurred_at >= ${since} and ${teamReply(biz, 'o')}
         and i.occurred_at >= ${shiftIso(since, -EXCEPTION_WINDOWS.replyWaitingDays * DAY_MS)}
         and not exists (select 1 from interactions n where n.business_id = ${biz} and n.contact_id = i.contact_id
                          and n.direction = 'inbound' and n.kind in ('sms', 'email') and n.occurred_at <= o.occurred_at
                          and (n.occurred_at > i.occurred_at or (n.occurred_at = i.occurred_at and n.id > i.id)))
         and not exists (select 1 from interactions p where p.business_id = ${biz} and p.contact_id = i.contact_id
                          and p.occurred_at >= i.occurred_at and (p.occurred_at < o.occurred_at or (p.occurred_at = o.occurred_at and p.id < o.id))
                          and ${teamReply(biz, 'p')})
       order by o.occurred_at desc limit ${PER_KIND}`.execute(db);
    return rows.rows
      .filter((r) => !(r.kind === 'sms' && r.body && classifyKeyword(r.body)))
      .map((r): ResolvedException => ({
        kind: 'reply_waiting',
        id: r.id,
        title: `${r.display_name} is waiting for a reply`,
        contactId: r.contact_id,
        createdAt: r.occurred_at,
        occurrence: r.occurred_at,
        resolvedAt: r.resolved_at,
        resolution: Number(r.drafted) > 0 ? `the team replied: a drafted reply was sent${r.user_name ? ` (approved by ${r.user_name})` : ''}` : `the team replied: ${r.user_name ?? 'a team member'} by ${channelWord(r.reply_kind)}`,
      }));
  },

  async emergency_unacked(db, biz, since) {
    const rows = await db
      .selectFrom('enrollments')
      .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
      .select(['enrollments.id', 'enrollments.contact_id', 'enrollments.vars', 'enrollments.created_at', 'automations.name'])
      .where('enrollments.business_id', '=', biz)
      .where('enrollments.updated_at', '>=', since)
      .where('enrollments.vars', 'like', '%"acked":true%')
      .orderBy('enrollments.updated_at', 'desc')
      .limit(PER_KIND)
      .execute();
    const out: ResolvedException[] = [];
    for (const r of rows) {
      const page = (JSON.parse(r.vars) as { page?: { level?: number; acked?: boolean; ackedAt?: string; ackedByName?: string } }).page;
      if (!page?.acked || !page.ackedAt || page.ackedAt < since) continue;
      out.push({
        kind: 'emergency_unacked',
        id: r.id,
        title: `Emergency not acknowledged (${r.name})`,
        contactId: r.contact_id,
        createdAt: r.created_at,
        occurrence: OCCURRENCE.emergency(page.level ?? 0),
        resolvedAt: page.ackedAt,
        resolution: `${page.ackedByName ?? 'the office'} took the emergency`,
      });
    }
    return out;
  },

  async approval(db, biz, since) {
    const rows = await db
      .selectFrom('approvals as a')
      .leftJoin('users as u', (j) => j.onRef('u.id', '=', 'a.decided_by').onRef('u.business_id', '=', 'a.business_id'))
      .select(['a.id', 'a.title', 'a.contact_id', 'a.created_at', 'a.status', 'a.decided_at', 'u.name as user_name'])
      .where('a.business_id', '=', biz)
      .where('a.status', '!=', 'pending')
      .where('a.decided_at', '>=', since)
      .orderBy('a.decided_at', 'desc')
      .limit(PER_KIND)
      .execute();
    return rows.map((r): ResolvedException => ({
      kind: 'approval',
      id: r.id,
      title: `Approval waiting: ${r.title}`,
      contactId: r.contact_id,
      createdAt: r.created_at,
      occurrence: r.created_at,
      resolvedAt: r.decided_at!,
      resolution: `${r.status.replace(/_/g, ' ')}${r.user_name ? ` by ${r.user_name}` : ''}`,
    }));
  },

  async draft_review(db, biz, since) {
    const rows = await db
      .selectFrom('drafts as d')
      .innerJoin('contacts as c', (j) => j.onRef('c.id', '=', 'd.contact_id').onRef('c.business_id', '=', 'd.business_id'))
      .leftJoin('users as u', (j) => j.onRef('u.id', '=', 'd.decided_by').onRef('u.business_id', '=', 'd.business_id'))
      .select(['d.id', 'd.channel', 'd.contact_id', 'd.created_at', 'd.status', 'd.decided_at', 'c.display_name', 'u.name as user_name'])
      .where('d.business_id', '=', biz)
      .where('d.status', '!=', 'pending')
      .where('d.decided_at', '>=', since)
      .orderBy('d.decided_at', 'desc')
      .limit(PER_KIND)
      .execute();
    return rows.map((r): ResolvedException => ({
      kind: 'draft_review',
      id: r.id,
      title: `Reply draft to ${r.display_name} waits for review (${r.channel})`,
      contactId: r.contact_id,
      createdAt: r.created_at,
      occurrence: r.created_at,
      resolvedAt: r.decided_at!,
      resolution: `${r.status === 'discarded' ? 'discarded' : 'approved and sent'}${r.user_name ? ` by ${r.user_name}` : ''}`,
    }));
  },

  async alert(db, biz, since) {
    const rows = await db
      .selectFrom('alert_events')
      .innerJoin('alert_rules', 'alert_rules.id', 'alert_events.rule_id')
      .select(['alert_events.id', 'alert_events.at', 'alert_events.resolved_at', 'alert_rules.name'])
      .where('alert_events.business_id', '=', biz)
      .where('alert_events.kind', '=', 'breach')
      .where('alert_events.resolved_at', '>=', since)
      .orderBy('alert_events.resolved_at', 'desc')
      .limit(PER_KIND)
      .execute();
    return rows.map((r): ResolvedException => ({ kind: 'alert', id: r.id, title: `Alert: ${r.name}`, contactId: null, createdAt: r.at, occurrence: r.at, resolvedAt: r.resolved_at!, resolution: 'the metric is back within its threshold' }));
  },

  async cold_lead(db, biz, since, now) {
    // A job booked for a lead that had gone cold: the first job of a contact at most 90 days old, booked
    // 10 or more days after anyone was last in touch (or after it came in, if nobody ever was).
    const rows = await sql<{ job_id: string; job_at: string; contact_id: string; display_name: string; contact_created_at: string; last_before: string | null }>`
      select j.id as job_id, j.created_at as job_at, c.id as contact_id, c.display_name, c.created_at as contact_created_at,
             (select max(x.occurred_at) from interactions x where x.business_id = ${biz} and x.contact_id = c.id and x.occurred_at < j.created_at and x.kind <> 'note'
                 and (x.external_id is null or x.external_id not like 'outbox:%' or x.user_id is not null)) as last_before
        from jobs j join contacts c on c.id = j.contact_id and c.business_id = j.business_id
       where j.business_id = ${biz} and j.created_at >= ${since} and c.created_at >= ${shiftIso(now, -EXCEPTION_WINDOWS.coldLeadMaxAgeDays * DAY_MS)}
         and not exists (select 1 from jobs e where e.business_id = ${biz} and e.contact_id = j.contact_id and (e.created_at < j.created_at or (e.created_at = j.created_at and e.id < j.id)))
       order by j.created_at desc limit ${PER_KIND}`.execute(db);
    return rows.rows
      .map((r) => ({ ...r, last: r.last_before ?? r.contact_created_at }))
      .filter((r) => Date.parse(r.job_at) - Date.parse(r.last) >= EXCEPTION_WINDOWS.coldLeadDays * DAY_MS)
      .map((r): ResolvedException => ({
        kind: 'cold_lead',
        id: r.contact_id,
        title: `${r.display_name}: lead with no contact for ${Math.floor((Date.parse(r.job_at) - Date.parse(r.last)) / DAY_MS)} days`,
        contactId: r.contact_id,
        createdAt: r.last,
        occurrence: r.last,
        resolvedAt: r.job_at,
        resolution: 'a job was booked',
      }));
  },
};

/** The items resolved in the last RESOLVED_WINDOW_HOURS (of one kind, or all), newest first. */
export async function recentlyResolved(db: Executor, businessId: string, now: string, kind?: ExceptionKind): Promise<ResolvedException[]> {
  const since = shiftIso(now, -RESOLVED_WINDOW_HOURS * 3_600_000);
  const sources = kind ? [resolvedSources[kind]].filter((s) => s !== undefined) : Object.values(resolvedSources);
  const out: ResolvedException[] = [];
  for (const source of sources) out.push(...(await source(db, businessId, since, now)));
  return out.sort((a, b) => b.resolvedAt.localeCompare(a.resolvedAt));
}
