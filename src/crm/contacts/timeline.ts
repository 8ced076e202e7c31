import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { instant } from '../shared/fields.ts';
import { parseInput } from '../shared/validate.ts';
import { deals } from '../deals/deals.ts';
import { interactions } from '../interactions/interactions.ts';
import { jobs } from '../jobs/jobs.ts';
import { reviews } from '../reviews/reviews.ts';
import { tasks } from '../tasks/tasks.ts';
import { getContactRow } from './contacts.ts';

export type TimelineItemType = 'interaction' | 'job' | 'deal' | 'review' | 'task' | 'event';

export interface TimelineItem {
  type: TimelineItemType;
  id: string;
  at: string;
  summary: string;
  data: Record<string, unknown>;
}

const timelineQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: instant.optional(),
    types: z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()))
      .pipe(z.array(z.enum(['interaction', 'job', 'deal', 'review', 'task', 'event'])))
      .optional(),
  })
  .strict();

const money = (c: number | null) => (c == null ? '' : ` ($${(c / 100).toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 2 })})`);

/**
 * Everything that happened with one contact, newest first: interactions, jobs,
 * deals, reviews, tasks and the automation/system events about them.
 */
export async function contactTimeline(ctx: AppContext, scope: Scope, contactId: string, query: unknown): Promise<{ data: TimelineItem[]; nextBefore: string | null }> {
  const q = parseInput(timelineQuery, query);
  await getContactRow(ctx.db.kysely, scope.businessId, contactId);
  const want = (t: TimelineItemType) => !q.types || q.types.includes(t);
  const db = ctx.db.kysely;
  const before = q.before;
  const cap = q.limit + 1;
  const biz = scope.businessId;
  const [ints, js, ds, rs, ts, evs] = await Promise.all([
    want('interaction')
      ? db.selectFrom('interactions').selectAll().where('business_id', '=', biz).where('contact_id', '=', contactId).$if(!!before, (b) => b.where('occurred_at', '<', before!)).orderBy('occurred_at', 'desc').limit(cap).execute()
      : [],
    want('job')
      ? db.selectFrom('jobs').selectAll().where('business_id', '=', biz).where('contact_id', '=', contactId).$if(!!before, (b) => b.where('created_at', '<', before!)).orderBy('created_at', 'desc').limit(cap).execute()
      : [],
    want('deal')
      ? db.selectFrom('deals').selectAll().where('business_id', '=', biz).where('contact_id', '=', contactId).$if(!!before, (b) => b.where('created_at', '<', before!)).orderBy('created_at', 'desc').limit(cap).execute()
      : [],
    want('review')
      ? db.selectFrom('reviews').selectAll().where('business_id', '=', biz).where('contact_id', '=', contactId).$if(!!before, (b) => b.where('created_at', '<', before!)).orderBy('created_at', 'desc').limit(cap).execute()
      : [],
    want('task')
      ? db.selectFrom('tasks').selectAll().where('business_id', '=', biz).where('contact_id', '=', contactId).$if(!!before, (b) => b.where('created_at', '<', before!)).orderBy('created_at', 'desc').limit(cap).execute()
      : [],
    want('event')
      ? db
          .selectFrom('events')
          .selectAll()
          .where('business_id', '=', biz)
          .where('contact_id', '=', contactId)
          .where('actor_type', 'in', ['automation', 'system'])
          .$if(!!before, (b) => b.where('occurred_at', '<', before!))
          .orderBy('seq', 'desc')
          .limit(cap)
          .execute()
      : [],
  ]);
  const items: TimelineItem[] = [
    ...ints.map((r) => {
      const i = interactions.toApiRow(r);
      // A message Kinetic sent says why (the automation and step, the person, the flow) and how far it got.
      const sent = typeof i.metadata.outboxId === 'string';
      const why = sent && typeof i.metadata.reason === 'string' ? ` (${i.metadata.reason}${i.outcome ? `; ${i.outcome}` : ''})` : '';
      const what = i.kind === 'call' ? `${i.direction ?? ''} call${i.outcome ? ` (${i.outcome})` : ''}` : i.kind === 'note' ? (sent && i.subject ? i.subject : 'note') : `${i.direction ?? ''} ${i.kind.replace('_', ' ')}`;
      return { type: 'interaction' as const, id: i.id, at: i.occurredAt, summary: `${what.trim()}${why}${i.body ? `: ${i.body.slice(0, 140)}` : ''}`, data: { ...i } };
    }),
    ...js.map((r) => {
      const j = jobs.toApiRow(r);
      // A job sits on the timeline at the moment it matters: when done, else when scheduled, else when booked.
      const at = j.completedAt ?? j.scheduledStart ?? j.createdAt;
      return { type: 'job' as const, id: j.id, at, summary: `${j.serviceType.replace(/_/g, ' ')} job ${j.status.replace('_', ' ')}${money(j.amountCents)}`, data: { ...j } };
    }),
    ...ds.map((r) => {
      const d = deals.toApiRow(r);
      return { type: 'deal' as const, id: d.id, at: d.closedAt ?? d.createdAt, summary: `deal "${d.title}" ${d.stage.replace('_', ' ')}${money(d.amountCents)}`, data: { ...d } };
    }),
    ...rs.map((r) => {
      const v = reviews.toApiRow(r);
      return { type: 'review' as const, id: v.id, at: v.receivedAt ?? v.requestedAt ?? v.createdAt, summary: v.status === 'received' ? `${v.platform} review ${v.rating ?? '?'}★` : `${v.platform} review requested`, data: { ...v } };
    }),
    ...ts.map((r) => {
      const t = tasks.toApiRow(r);
      return { type: 'task' as const, id: t.id, at: t.createdAt, summary: `task "${t.title}" (${t.status})`, data: { ...t } };
    }),
    ...evs.map((e) => ({ type: 'event' as const, id: e.id, at: e.occurred_at, summary: e.type, data: { type: e.type, payload: JSON.parse(e.payload), actorType: e.actor_type } })),
  ];
  items.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1));
  const page = items.slice(0, q.limit);
  return { data: page, nextBefore: items.length > q.limit ? page[page.length - 1].at : null };
}
