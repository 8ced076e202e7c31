import { sql } from 'kysely';
import { classifyKeyword } from '../compliance/keywords.ts';
import type { Executor } from '../db/database.ts';
import { DAY_MS, shiftIso } from './period.ts';

export const exceptionKinds = ['alert', 'emergency_unacked', 'approval', 'negative_review', 'reply_waiting', 'draft_review', 'failed_send', 'cold_lead'] as const;
/** Reply drafts in these states wait for a person to approve, edit or reject them. */
export const draftWaitingStatuses = ['pending'];
export type ExceptionKind = (typeof exceptionKinds)[number];
export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface ExceptionItem {
  kind: ExceptionKind;
  id: string;
  title: string;
  detail: string | null;
  contactId: string | null;
  createdAt: string;
  severity: Severity;
  /**
   * Which occurrence of the condition this is (see OCCURRENCE below): a dismissal holds it, and an
   * item whose occurrence has moved on since is a new item that shows again.
   */
  occurrence: string;
}

/** How far back each kind looks; older items are no longer "today's". */
export const EXCEPTION_WINDOWS = { negativeReviewDays: 14, replyWaitingDays: 7, failedSendDays: 7, coldLeadDays: 10, coldLeadMaxAgeDays: 90 } as const;

/**
 * The identity of an item is (kind, id, occurrence). The id is the row the item is about; the
 * occurrence says which time its condition arose, so that a dismissal does not hide a new one:
 * - alert: the breach's time (each breach after a recovery is a new alert_events row anyway);
 * - emergency_unacked: the escalation level, so an escalation to the next on-call person shows again;
 * - approval, draft_review: the creation time (one decision each);
 * - negative_review: the time the review was received;
 * - reply_waiting: the inbound message's time (the id is the latest inbound message, so a new text is a new item);
 * - failed_send: the state and the number of send attempts, so a retry that fails again, or an
 *   unknown outcome that turns into a failure, shows again;
 * - cold_lead: the last interaction (or the creation) the lead went cold after: contacted and cold again is new.
 */
export const OCCURRENCE = {
  emergency: (level: number) => `level:${level}`,
  failedSend: (state: string, attempts: number) => `${state}:${attempts}`,
} as const;

export interface SourceQuery {
  /** Only this row (to dismiss one item). */
  id?: string;
  limit: number;
}

/**
 * An outbound interaction (alias `o`) that is the team answering the contact: a message a person sent
 * (a reply from the inbox or an approved draft: user_id set), a drafted reply to their message sent
 * (also when the business auto-sends that kind), or a call, text or email a person logged themselves
 * (not from the outbox). Messages Kinetic sent by itself (automation steps, reminders, confirmations,
 * campaigns) are on the record but answer nobody; nor does a message that failed or was cancelled.
 */
export const teamReply = (biz: string, o: string) => {
  const t = sql.table(o);
  return sql`(${t}.direction = 'outbound' and ${t}.kind <> 'note' and coalesce(${t}.outcome, '') not in ('failed', 'cancelled')
    and (${t}.user_id is not null or ${t}.external_id is null or ${t}.external_id not like 'outbox:%'
         or exists (select 1 from drafts d where d.business_id = ${biz} and ${t}.external_id = 'outbox:' || d.outbox_id)))`;
};

type Source = (db: Executor, businessId: string, now: string, q: SourceQuery) => Promise<ExceptionItem[]>;

/** One query per kind: the rows of the business whose condition holds now, newest first. */
export const exceptionSources: Record<ExceptionKind, Source> = {
  async alert(db, biz, _now, q) {
    let sel = db
      .selectFrom('alert_events')
      .innerJoin('alert_rules', 'alert_rules.id', 'alert_events.rule_id')
      .select(['alert_events.id', 'alert_events.message', 'alert_events.at', 'alert_rules.name'])
      .where('alert_events.business_id', '=', biz)
      .where('alert_events.kind', '=', 'breach')
      .where('alert_events.resolved_at', 'is', null);
    if (q.id) sel = sel.where('alert_events.id', '=', q.id);
    const rows = await sel.orderBy('alert_events.at', 'desc').limit(q.limit).execute();
    return rows.map((r): ExceptionItem => ({ kind: 'alert', id: r.id, title: `Alert: ${r.name}`, detail: r.message, contactId: null, createdAt: r.at, severity: 'high', occurrence: r.at }));
  },

  async emergency_unacked(db, biz, _now, q) {
    let sel = db
      .selectFrom('enrollments')
      .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
      .select(['enrollments.id', 'enrollments.contact_id', 'enrollments.vars', 'enrollments.updated_at', 'automations.name'])
      .where('enrollments.business_id', '=', biz)
      .where('enrollments.status', 'in', ['active', 'waiting', 'parked'])
      .where('enrollments.vars', 'like', '%"page"%');
    if (q.id) sel = sel.where('enrollments.id', '=', q.id);
    const rows = await sel.orderBy('enrollments.updated_at', 'desc').limit(q.limit).execute();
    const items: ExceptionItem[] = [];
    for (const r of rows) {
      const page = (JSON.parse(r.vars) as { page?: { level?: number; acked?: boolean } }).page;
      if (!page || page.acked || (page.level ?? -1) < 0) continue;
      const level = page.level ?? 0;
      items.push({
        kind: 'emergency_unacked',
        id: r.id,
        title: `Emergency not acknowledged (${r.name})`,
        detail: `paged ${level + 1} on-call ${level === 0 ? 'person' : 'people'}; acknowledge with POST /enrollments/${r.id}/ack`,
        contactId: r.contact_id,
        createdAt: r.updated_at,
        severity: 'critical',
        occurrence: OCCURRENCE.emergency(level),
      });
    }
    return items;
  },

  async approval(db, biz, _now, q) {
    let sel = db.selectFrom('approvals').select(['id', 'title', 'amount_cents', 'contact_id', 'created_at', 'approver_role']).where('business_id', '=', biz).where('status', '=', 'pending');
    if (q.id) sel = sel.where('id', '=', q.id);
    const rows = await sel.orderBy('created_at').limit(q.limit).execute();
    return rows.map((r): ExceptionItem => {
      const amount = r.amount_cents === null ? '' : ` for $${(Number(r.amount_cents) / 100).toFixed(2)}`;
      return { kind: 'approval', id: r.id, title: `Approval waiting: ${r.title}`, detail: `a ${r.approver_role} decides${amount}`, contactId: r.contact_id, createdAt: r.created_at, severity: 'high', occurrence: r.created_at };
    });
  },

  async negative_review(db, biz, now, q) {
    let sel = db
      .selectFrom('reviews')
      .select(['id', 'rating', 'body', 'contact_id', 'received_at', 'platform'])
      .where('business_id', '=', biz)
      .where('rating', '<=', 2)
      .where('received_at', '>=', shiftIso(now, -EXCEPTION_WINDOWS.negativeReviewDays * DAY_MS));
    if (q.id) sel = sel.where('id', '=', q.id);
    const rows = await sel.orderBy('received_at', 'desc').limit(q.limit).execute();
    return rows.map((r): ExceptionItem => ({ kind: 'negative_review', id: r.id, title: `${r.rating}-star review on ${r.platform}`, detail: r.body ? r.body.slice(0, 200) : null, contactId: r.contact_id, createdAt: r.received_at!, severity: 'high', occurrence: r.received_at! }));
  },

  async reply_waiting(db, biz, now, q) {
    // The contact's latest inbound text or email, with no reply from the team since (see teamReply: a
    // campaign or reminder Kinetic sent by itself is no answer). STOP, START and HELP texts are not
    // waiting for anyone: the engine answers those keywords itself.
    const since = shiftIso(now, -EXCEPTION_WINDOWS.replyWaitingDays * DAY_MS);
    const only = q.id ? sql`and i.id = ${q.id}` : sql``;
    const rows = await sql<{ id: string; contact_id: string; kind: string; body: string | null; occurred_at: string; display_name: string }>`
      select i.id, i.contact_id, i.kind, i.body, i.occurred_at, c.display_name
        from interactions i join contacts c on c.id = i.contact_id and c.business_id = i.business_id
       where i.business_id = ${biz} and i.direction = 'inbound' and i.kind in ('sms', 'email')
         and i.occurred_at >= ${since} ${only}
         and not exists (select 1 from interactions n where n.business_id = ${biz} and n.contact_id = i.contact_id
                          and n.direction = 'inbound' and n.kind in ('sms', 'email')
                          and (n.occurred_at > i.occurred_at or (n.occurred_at = i.occurred_at and n.id > i.id)))
         and not exists (select 1 from interactions o where o.business_id = ${biz} and o.contact_id = i.contact_id
                          and o.occurred_at >= i.occurred_at and ${teamReply(biz, 'o')})
       order by i.occurred_at desc limit ${q.limit}`.execute(db);
    return rows.rows
      .filter((r) => !(r.kind === 'sms' && r.body && classifyKeyword(r.body)))
      .map((r): ExceptionItem => ({ kind: 'reply_waiting', id: r.id, title: `${r.display_name} is waiting for a reply`, detail: r.body ? r.body.slice(0, 200) : null, contactId: r.contact_id, createdAt: r.occurred_at, severity: 'medium', occurrence: r.occurred_at }));
  },

  async draft_review(db, biz, _now, q) {
    let sel = db
      .selectFrom('drafts')
      .innerJoin('contacts', (j) => j.onRef('contacts.id', '=', 'drafts.contact_id').onRef('contacts.business_id', '=', 'drafts.business_id'))
      .select(['drafts.id', 'drafts.channel', 'drafts.body', 'drafts.contact_id', 'drafts.created_at', 'drafts.kind', 'drafts.detail', 'contacts.display_name'])
      .where('drafts.business_id', '=', biz)
      .where('drafts.status', 'in', draftWaitingStatuses);
    if (q.id) sel = sel.where('drafts.id', '=', q.id);
    const rows = await sel.orderBy('drafts.created_at', 'desc').limit(q.limit).execute();
    return rows.map((r): ExceptionItem => {
      // A message that may be an emergency (the classifier was not sure enough to page on-call) is held for a person now.
      const hold = (JSON.parse(r.detail || '{}') as { holdReason?: string | null }).holdReason ?? null;
      const possibleEmergency = Boolean(hold?.startsWith('possibly an emergency'));
      return {
        kind: 'draft_review',
        id: r.id,
        title: possibleEmergency ? `Possible emergency from ${r.display_name}: check now (${r.channel})` : `Reply draft to ${r.display_name} waits for review (${r.channel})`,
        detail: r.body.slice(0, 200),
        contactId: r.contact_id,
        createdAt: r.created_at,
        severity: possibleEmergency ? 'high' : 'medium',
        occurrence: r.created_at,
      };
    });
  },

  async failed_send(db, biz, now, q) {
    let sel = db
      .selectFrom('outbox')
      .select(['id', 'channel', 'to_address', 'state', 'attempts', 'last_error', 'contact_id', 'updated_at'])
      .where('business_id', '=', biz)
      .where('state', 'in', ['failed', 'unknown'])
      .where('updated_at', '>=', shiftIso(now, -EXCEPTION_WINDOWS.failedSendDays * DAY_MS));
    if (q.id) sel = sel.where('id', '=', q.id);
    const rows = await sel.orderBy('updated_at', 'desc').limit(q.limit).execute();
    return rows.map((r): ExceptionItem => {
      const what = r.state === 'unknown' ? 'may or may not have been sent: retry or cancel it' : 'failed';
      return {
        kind: 'failed_send',
        id: r.id,
        title: `${r.channel === 'sms' ? 'Text' : 'Email'} to ${r.to_address} ${what}`,
        detail: r.last_error,
        contactId: r.contact_id,
        createdAt: r.updated_at,
        severity: r.state === 'unknown' ? 'high' : 'medium',
        occurrence: OCCURRENCE.failedSend(r.state, Number(r.attempts)),
      };
    });
  },

  async cold_lead(db, biz, now, q) {
    const quiet = shiftIso(now, -EXCEPTION_WINDOWS.coldLeadDays * DAY_MS);
    let sel = db
      .selectFrom('contacts')
      .select(['id', 'display_name', 'last_interaction_at', 'created_at'])
      .where('business_id', '=', biz)
      .where('lifecycle_stage', '=', 'lead')
      // A lead with a job booked is being looked after, whatever its stage says.
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('jobs').select('jobs.id').where('jobs.business_id', '=', biz).whereRef('jobs.contact_id', '=', 'contacts.id'))))
      .where('created_at', '>=', shiftIso(now, -EXCEPTION_WINDOWS.coldLeadMaxAgeDays * DAY_MS))
      .where((eb) => eb.or([eb('last_interaction_at', '<', quiet), eb.and([eb('last_interaction_at', 'is', null), eb('created_at', '<', quiet)])]));
    if (q.id) sel = sel.where('id', '=', q.id);
    const rows = await sel.orderBy('created_at', 'desc').limit(q.limit).execute();
    return rows.map((r): ExceptionItem => {
      const last = r.last_interaction_at ?? r.created_at;
      const days = Math.floor((Date.parse(now) - Date.parse(last)) / DAY_MS);
      return {
        kind: 'cold_lead',
        id: r.id,
        title: `${r.display_name}: lead with no contact for ${days} days`,
        detail: r.last_interaction_at ? 'No call, text or email since: call or text them, or mark the lead lost.' : 'Never contacted: call or text them now.',
        contactId: r.id,
        createdAt: last,
        severity: 'medium',
        occurrence: last,
      };
    });
  },
};

/** The table each kind's id points into: a dismissal of an id that is not the business's row is a 404. */
export const exceptionRowTables = {
  alert: 'alert_events',
  emergency_unacked: 'enrollments',
  approval: 'approvals',
  negative_review: 'reviews',
  reply_waiting: 'interactions',
  draft_review: 'drafts',
  failed_send: 'outbox',
  cold_lead: 'contacts',
} as const satisfies Record<ExceptionKind, string>;
