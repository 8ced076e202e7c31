import { z } from 'zod';
import { event, type PendingEvent } from '../../events/record.ts';
import { idField, instant, longText, shortText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';
import { changedFields, checkOwned, defineResource } from '../shared/resource.ts';

export const taskStatuses = ['open', 'done', 'cancelled'] as const;
export const taskOrigins = ['manual', 'automation', 'ai', 'system', 'import'] as const;

export interface Task {
  id: string;
  title: string;
  description: string | null;
  contactId: string | null;
  dealId: string | null;
  jobId: string | null;
  assigneeUserId: string | null;
  dueAt: string | null;
  status: (typeof taskStatuses)[number];
  origin: (typeof taskOrigins)[number];
  originRef: string | null;
  /** What kind of follow-up (cold_lead, lead_replied, negative_review, …), so exceptions can be found. */
  kind: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const fields = {
  title: shortText.min(1),
  description: longText.nullable().optional(),
  contactId: idField.nullable().optional(),
  dealId: idField.nullable().optional(),
  jobId: idField.nullable().optional(),
  assigneeUserId: idField.nullable().optional(),
  dueAt: instant.nullable().optional(),
  status: z.enum(taskStatuses).default('open'),
  origin: z.enum(taskOrigins).default('manual'),
  originRef: z.string().max(200).nullable().optional(),
  kind: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be a short snake_case word such as cold_lead').nullable().optional(),
};
export const taskInputSchema = z.object(fields).strict();
const patchSchema = z.object({ ...fields, status: z.enum(taskStatuses) }).omit({ origin: true, originRef: true }).partial().strict();
const filterSchema = z
  .object({
    ...pageQuerySchema,
    status: z.enum(taskStatuses).optional(),
    assigneeUserId: idField.optional(),
    contactId: idField.optional(),
    dealId: idField.optional(),
    origin: z.enum(taskOrigins).optional(),
    kind: z.string().max(40).optional(),
    dueBefore: instant.optional(),
    /** Due at or after this instant (with dueBefore: due today, due this week). */
    dueAfter: instant.optional(),
  })
  .strict();

export const tasks = defineResource({
  table: 'tasks',
  entityType: 'task',
  createSchema: taskInputSchema,
  patchSchema,
  filterSchema,
  toApi: (r): Task => ({
    id: r.id,
    title: r.title as string,
    description: r.description as string | null,
    contactId: r.contact_id as string | null,
    dealId: r.deal_id as string | null,
    jobId: r.job_id as string | null,
    assigneeUserId: r.assignee_user_id as string | null,
    dueAt: r.due_at as string | null,
    status: r.status as Task['status'],
    origin: r.origin as Task['origin'],
    originRef: r.origin_ref as string | null,
    kind: (r.kind as string | null | undefined) ?? null,
    completedAt: r.completed_at as string | null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  }),
  insertValues: (d, now) => ({
    title: d.title,
    description: d.description ?? null,
    contact_id: d.contactId ?? null,
    deal_id: d.dealId ?? null,
    job_id: d.jobId ?? null,
    assignee_user_id: d.assigneeUserId ?? null,
    due_at: d.dueAt ?? null,
    status: d.status,
    origin: d.origin,
    origin_ref: d.originRef ?? null,
    kind: d.kind ?? null,
    completed_at: d.status === 'done' ? now : null,
  }),
  updateValues: (d, current, now) => ({
    ...(d.title !== undefined && { title: d.title }),
    ...(d.description !== undefined && { description: d.description }),
    ...(d.contactId !== undefined && { contact_id: d.contactId }),
    ...(d.dealId !== undefined && { deal_id: d.dealId }),
    ...(d.jobId !== undefined && { job_id: d.jobId }),
    ...(d.assigneeUserId !== undefined && { assignee_user_id: d.assigneeUserId }),
    ...(d.dueAt !== undefined && { due_at: d.dueAt }),
    ...(d.kind !== undefined && { kind: d.kind }),
    ...(d.status !== undefined && d.status !== current.status && { status: d.status, completed_at: d.status === 'done' ? now : null }),
  }),
  checkReferences: (trx, businessId, v) =>
    checkOwned(trx, businessId, [['contactId', 'contacts', v.contact_id], ['dealId', 'deals', v.deal_id], ['jobId', 'jobs', v.job_id], ['assigneeUserId', 'users', v.assignee_user_id]]),
  applyFilter: (q, f) => {
    if (f.status) q = q.where('status', '=', f.status);
    if (f.assigneeUserId) q = q.where('assignee_user_id', '=', f.assigneeUserId);
    if (f.contactId) q = q.where('contact_id', '=', f.contactId);
    if (f.dealId) q = q.where('deal_id', '=', f.dealId);
    if (f.origin) q = q.where('origin', '=', f.origin);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.dueBefore) q = q.where('due_at', '<', f.dueBefore);
    if (f.dueAfter) q = q.where('due_at', '>=', f.dueAfter);
    return q;
  },
  createdEvents: (t) => [event('task.created', { taskId: t.id, contactId: t.contactId, assigneeUserId: t.assigneeUserId })],
  updatedEvents: (b, a) => {
    const changed = changedFields(b, a);
    const events: PendingEvent[] = changed.length ? [event('task.updated', { taskId: a.id, contactId: a.contactId, changed })] : [];
    if (b.status !== 'done' && a.status === 'done') events.push(event('task.completed', { taskId: a.id, contactId: a.contactId }));
    return events;
  },
  deletedEvents: (t) => [event('task.deleted', { taskId: t.id, contactId: t.contactId })],
  afterWrite: async (trx, scope, now, after, before) => {
    // An emergency call's urgent task marked done, or taken by a user assigning it to themselves, acknowledges the page.
    if (!after || !before || !after.originRef?.startsWith('call:')) return;
    const done = before.status !== 'done' && after.status === 'done';
    const taken = after.status === 'open' && scope.actor.type === 'user' && after.assigneeUserId === scope.actor.id && before.assigneeUserId !== after.assigneeUserId;
    if (!done && !taken) return;
    // Loaded when needed: the CRM does not depend on the voice module to load.
    const { acknowledgeFromTask } = await import('../../voice/acknowledge.ts');
    await acknowledgeFromTask(trx, scope, after, now);
  },
});
