import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { classifyKeyword } from '../compliance/keywords.ts';
import { parseInput } from '../crm/shared/validate.ts';
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
}

/** How far back each kind looks; older items are no longer "today's". */
export const EXCEPTION_WINDOWS = { negativeReviewDays: 14, replyWaitingDays: 7, failedSendDays: 7, coldLeadDays: 10, coldLeadMaxAgeDays: 90 } as const;
const PER_KIND = 100;
const severityOrder: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export const exceptionsQuerySchema = z.object({ kind: z.enum(exceptionKinds).optional() }).strict();

/** "What needs a human today": one list of everything the system could not or should not decide alone. */
export async function listExceptions(ctx: AppContext, scope: Scope, query: unknown = {}): Promise<{ data: ExceptionItem[] }> {
  const q = parseInput(exceptionsQuerySchema, query ?? {});
  const db = ctx.db.kysely;
  const biz = scope.businessId;
  const now = ctx.clock.now().toISOString();
  const W = EXCEPTION_WINDOWS;
  const want = (k: ExceptionKind) => !q.kind || q.kind === k;
  const items: ExceptionItem[] = [];

  if (want('alert')) {
    const rows = await db
      .selectFrom('alert_events')
      .innerJoin('alert_rules', 'alert_rules.id', 'alert_events.rule_id')
      .select(['alert_events.id', 'alert_events.message', 'alert_events.at', 'alert_rules.name'])
      .where('alert_events.business_id', '=', biz)
      .where('alert_events.kind', '=', 'breach')
      .where('alert_events.resolved_at', 'is', null)
      .orderBy('alert_events.at', 'desc')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) items.push({ kind: 'alert', id: r.id, title: `Alert: ${r.name}`, detail: r.message, contactId: null, createdAt: r.at, severity: 'high' });
  }
  if (want('emergency_unacked')) {
    const rows = await db
      .selectFrom('enrollments')
      .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
      .select(['enrollments.id', 'enrollments.contact_id', 'enrollments.vars', 'enrollments.updated_at', 'automations.name'])
      .where('enrollments.business_id', '=', biz)
      .where('enrollments.status', 'in', ['active', 'waiting', 'parked'])
      .where('enrollments.vars', 'like', '%"page"%')
      .orderBy('enrollments.updated_at', 'desc')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) {
      const page = (JSON.parse(r.vars) as { page?: { level?: number; acked?: boolean } }).page;
      if (!page || page.acked || (page.level ?? -1) < 0) continue;
      items.push({ kind: 'emergency_unacked', id: r.id, title: `Emergency not acknowledged (${r.name})`, detail: `paged ${(page.level ?? 0) + 1} on-call ${(page.level ?? 0) === 0 ? 'person' : 'people'}; acknowledge with POST /enrollments/${r.id}/ack`, contactId: r.contact_id, createdAt: r.updated_at, severity: 'critical' });
    }
  }
  if (want('approval')) {
    const rows = await db
      .selectFrom('approvals')
      .select(['id', 'title', 'amount_cents', 'contact_id', 'created_at', 'approver_role'])
      .where('business_id', '=', biz)
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) {
      const amount = r.amount_cents === null ? '' : ` for $${(Number(r.amount_cents) / 100).toFixed(2)}`;
      items.push({ kind: 'approval', id: r.id, title: `Approval waiting: ${r.title}`, detail: `a ${r.approver_role} decides${amount}`, contactId: r.contact_id, createdAt: r.created_at, severity: 'high' });
    }
  }
  if (want('negative_review')) {
    const rows = await db
      .selectFrom('reviews')
      .select(['id', 'rating', 'body', 'contact_id', 'received_at', 'platform'])
      .where('business_id', '=', biz)
      .where('rating', '<=', 2)
      .where('received_at', '>=', shiftIso(now, -W.negativeReviewDays * DAY_MS))
      .orderBy('received_at', 'desc')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) items.push({ kind: 'negative_review', id: r.id, title: `${r.rating}-star review on ${r.platform}`, detail: r.body ? r.body.slice(0, 200) : null, contactId: r.contact_id, createdAt: r.received_at!, severity: 'high' });
  }
  if (want('reply_waiting')) {
    // The contact's latest inbound text or email, with nothing sent back since. STOP, START and HELP
    // texts are not waiting for anyone: the engine answers those keywords itself.
    const since = shiftIso(now, -W.replyWaitingDays * DAY_MS);
    const rows = await sql<{ id: string; contact_id: string; kind: string; body: string | null; occurred_at: string; display_name: string }>`
      select i.id, i.contact_id, i.kind, i.body, i.occurred_at, c.display_name
        from interactions i join contacts c on c.id = i.contact_id and c.business_id = i.business_id
       where i.business_id = ${biz} and i.direction = 'inbound' and i.kind in ('sms', 'email')
         and i.occurred_at >= ${since}
         and not exists (select 1 from interactions n where n.business_id = ${biz} and n.contact_id = i.contact_id
                          and n.direction = 'inbound' and n.kind in ('sms', 'email')
                          and (n.occurred_at > i.occurred_at or (n.occurred_at = i.occurred_at and n.id > i.id)))
         and not exists (select 1 from interactions o where o.business_id = ${biz} and o.contact_id = i.contact_id
                          and o.direction = 'outbound' and o.occurred_at >= i.occurred_at)
         and not exists (select 1 from outbox x where x.business_id = ${biz} and x.contact_id = i.contact_id and x.user_id is null
                          and x.created_at >= i.occurred_at and x.state not in ('failed', 'cancelled'))
       order by i.occurred_at desc limit ${PER_KIND}`.execute(db);
    for (const r of rows.rows) {
      if (r.kind === 'sms' && r.body && classifyKeyword(r.body)) continue;
      items.push({ kind: 'reply_waiting', id: r.id, title: `${r.display_name} is waiting for a reply`, detail: r.body ? r.body.slice(0, 200) : null, contactId: r.contact_id, createdAt: r.occurred_at, severity: 'medium' });
    }
  }
  if (want('draft_review')) {
    const rows = await db
      .selectFrom('drafts')
      .innerJoin('contacts', (j) => j.onRef('contacts.id', '=', 'drafts.contact_id').onRef('contacts.business_id', '=', 'drafts.business_id'))
      .select(['drafts.id', 'drafts.channel', 'drafts.body', 'drafts.contact_id', 'drafts.created_at', 'drafts.kind', 'contacts.display_name'])
      .where('drafts.business_id', '=', biz)
      .where('drafts.status', 'in', draftWaitingStatuses)
      .orderBy('drafts.created_at', 'desc')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) items.push({ kind: 'draft_review', id: r.id, title: `Reply draft to ${r.display_name} waits for review (${r.channel})`, detail: r.body.slice(0, 200), contactId: r.contact_id, createdAt: r.created_at, severity: 'medium' });
  }
  if (want('failed_send')) {
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'channel', 'to_address', 'state', 'last_error', 'contact_id', 'updated_at'])
      .where('business_id', '=', biz)
      .where('state', 'in', ['failed', 'unknown'])
      .where('updated_at', '>=', shiftIso(now, -W.failedSendDays * DAY_MS))
      .orderBy('updated_at', 'desc')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) {
      const what = r.state === 'unknown' ? 'may or may not have been sent: retry or cancel it' : 'failed';
      items.push({ kind: 'failed_send', id: r.id, title: `${r.channel === 'sms' ? 'Text' : 'Email'} to ${r.to_address} ${what}`, detail: r.last_error, contactId: r.contact_id, createdAt: r.updated_at, severity: r.state === 'unknown' ? 'high' : 'medium' });
    }
  }
  if (want('cold_lead')) {
    const quiet = shiftIso(now, -W.coldLeadDays * DAY_MS);
    const rows = await db
      .selectFrom('contacts')
      .select(['id', 'display_name', 'last_interaction_at', 'created_at'])
      .where('business_id', '=', biz)
      .where('lifecycle_stage', '=', 'lead')
      .where('created_at', '>=', shiftIso(now, -W.coldLeadMaxAgeDays * DAY_MS))
      .where((eb) => eb.or([eb('last_interaction_at', '<', quiet), eb.and([eb('last_interaction_at', 'is', null), eb('created_at', '<', quiet)])]))
      .orderBy('created_at', 'desc')
      .limit(PER_KIND)
      .execute();
    for (const r of rows) {
      const last = r.last_interaction_at ?? r.created_at;
      const days = Math.floor((Date.parse(now) - Date.parse(last)) / DAY_MS);
      items.push({ kind: 'cold_lead', id: r.id, title: `${r.display_name}: lead with no contact for ${days} days`, detail: r.last_interaction_at ? 'No call, text or email since: call or text them, or mark the lead lost.' : 'Never contacted: call or text them now.', contactId: r.id, createdAt: last, severity: 'medium' });
    }
  }
  items.sort((a, b) => severityOrder[a.severity] - severityOrder[b.severity] || b.createdAt.localeCompare(a.createdAt));
  return { data: items };
}
