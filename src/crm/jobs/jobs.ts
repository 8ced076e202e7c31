import { z } from 'zod';
import type { Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { event, type PendingEvent } from '../../events/record.ts';
import { queueCalendarCancellationOnDelete, queueCalendarUpdate } from '../../booking/calendar.ts';
import { AppError } from '../../lib/errors.ts';
import { cents, idField, instant, longText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';
import { changedFields, checkOwned, defineResource } from '../shared/resource.ts';
import { refuseDoubleBooking, takesNewSlot } from './overlap.ts';

export const jobStatuses = ['scheduled', 'completed', 'cancelled', 'no_show'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export interface Job {
  id: string;
  contactId: string | null;
  companyId: string | null;
  serviceType: string;
  status: JobStatus;
  scheduledStart: string | null;
  scheduledEnd: string | null;
  completedAt: string | null;
  amountCents: number | null;
  technicianUserId: string | null;
  notes: string | null;
  externalId: string | null;
  /** `booking` for jobs booked through the public booking page; null when entered by staff or imported. */
  source: string | null;
  /** When the customer confirmed the appointment (a reply to a reminder, or recorded by the office); null until then. */
  confirmedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const fields = {
  contactId: idField.nullable().optional(),
  companyId: idField.nullable().optional(),
  serviceType: z.string().trim().min(1).max(60),
  status: z.enum(jobStatuses).default('scheduled'),
  scheduledStart: instant.nullable().optional(),
  scheduledEnd: instant.nullable().optional(),
  completedAt: instant.nullable().optional(),
  amountCents: cents.nullable().optional(),
  technicianUserId: idField.nullable().optional(),
  notes: longText.nullable().optional(),
  externalId: z.string().max(200).nullable().optional(),
  source: z.string().trim().min(1).max(40).nullable().optional(),
  confirmedAt: instant.nullable().optional(),
};
const orderedTimes = (j: { scheduledStart?: string | null; scheduledEnd?: string | null }) => !j.scheduledStart || !j.scheduledEnd || j.scheduledStart < j.scheduledEnd;

export const jobInputSchema = z.object(fields).strict().refine(orderedTimes, { message: 'scheduledEnd must be after scheduledStart', path: ['scheduledEnd'] });
const patchSchema = z
  .object({ ...fields, status: z.enum(jobStatuses) })
  .partial()
  .strict()
  .refine(orderedTimes, { message: 'scheduledEnd must be after scheduledStart', path: ['scheduledEnd'] });
const filterSchema = z
  .object({
    ...pageQuerySchema,
    contactId: idField.optional(),
    companyId: idField.optional(),
    status: z.enum(jobStatuses).optional(),
    serviceType: z.string().max(60).optional(),
    technicianUserId: idField.optional(),
    scheduledAfter: instant.optional(),
    scheduledBefore: instant.optional(),
    completedAfter: instant.optional(),
    completedBefore: instant.optional(),
  })
  .strict();

const statusEvent: Record<JobStatus, (j: Job) => PendingEvent> = {
  scheduled: (j) => event('job.scheduled', { jobId: j.id, contactId: j.contactId, serviceType: j.serviceType, scheduledStart: j.scheduledStart }),
  completed: (j) => event('job.completed', { jobId: j.id, contactId: j.contactId, serviceType: j.serviceType, amountCents: j.amountCents }),
  cancelled: (j) => event('job.cancelled', { jobId: j.id, contactId: j.contactId }),
  no_show: (j) => event('job.no_show', { jobId: j.id, contactId: j.contactId }),
};

/** A completed job turns a lead, dormant or lost contact into a customer. */
async function promoteToCustomer(trx: Executor, scope: Scope, now: string, job: Job): Promise<PendingEvent[]> {
  if (job.status !== 'completed' || !job.contactId) return [];
  const contact = await trx.selectFrom('contacts').select(['lifecycle_stage']).where('business_id', '=', scope.businessId).where('id', '=', job.contactId).executeTakeFirst();
  if (!contact || contact.lifecycle_stage === 'customer') return [];
  await trx.updateTable('contacts').set({ lifecycle_stage: 'customer', updated_at: now }).where('business_id', '=', scope.businessId).where('id', '=', job.contactId).execute();
  return [event('contact.stage_changed', { contactId: job.contactId, from: contact.lifecycle_stage, to: 'customer' })];
}

export const jobs = defineResource({
  table: 'jobs',
  entityType: 'job',
  createSchema: jobInputSchema,
  patchSchema,
  filterSchema,
  toApi: (r): Job => ({
    id: r.id,
    contactId: r.contact_id as string | null,
    companyId: r.company_id as string | null,
    serviceType: r.service_type as string,
    status: r.status as JobStatus,
    scheduledStart: r.scheduled_start as string | null,
    scheduledEnd: r.scheduled_end as string | null,
    completedAt: r.completed_at as string | null,
    amountCents: r.amount_cents as number | null,
    technicianUserId: r.technician_user_id as string | null,
    notes: r.notes as string | null,
    externalId: r.external_id as string | null,
    source: (r.source as string | null) ?? null,
    confirmedAt: (r.confirmed_at as string | null | undefined) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  }),
  insertValues: (d, now) => ({
    contact_id: d.contactId ?? null,
    company_id: d.companyId ?? null,
    service_type: d.serviceType,
    status: d.status,
    scheduled_start: d.scheduledStart ?? null,
    scheduled_end: d.scheduledEnd ?? null,
    completed_at: d.status === 'completed' ? (d.completedAt ?? now) : (d.completedAt ?? null),
    amount_cents: d.amountCents ?? null,
    technician_user_id: d.technicianUserId ?? null,
    notes: d.notes ?? null,
    external_id: d.externalId ?? null,
    source: d.source ?? null,
    confirmed_at: d.confirmedAt ?? null,
  }),
  updateValues: (d, current, now) => {
    const start = d.scheduledStart !== undefined ? d.scheduledStart : current.scheduledStart;
    const end = d.scheduledEnd !== undefined ? d.scheduledEnd : current.scheduledEnd;
    if (start && end && start >= end) throw new AppError('VALIDATION_FAILED', 'scheduledEnd must be after scheduledStart', { issues: [{ field: 'scheduledEnd', message: 'must be after scheduledStart' }] });
    const completing = d.status === 'completed' && current.status !== 'completed';
    return {
      ...(d.contactId !== undefined && { contact_id: d.contactId }),
      ...(d.companyId !== undefined && { company_id: d.companyId }),
      ...(d.serviceType !== undefined && { service_type: d.serviceType }),
      ...(d.status !== undefined && { status: d.status }),
      ...(d.scheduledStart !== undefined && { scheduled_start: d.scheduledStart }),
      ...(d.scheduledEnd !== undefined && { scheduled_end: d.scheduledEnd }),
      ...(d.completedAt !== undefined ? { completed_at: d.completedAt } : completing ? { completed_at: now } : {}),
      ...(d.amountCents !== undefined && { amount_cents: d.amountCents }),
      ...(d.technicianUserId !== undefined && { technician_user_id: d.technicianUserId }),
      ...(d.notes !== undefined && { notes: d.notes }),
      ...(d.externalId !== undefined && { external_id: d.externalId }),
      ...(d.source !== undefined && { source: d.source }),
      ...(d.confirmedAt !== undefined && { confirmed_at: d.confirmedAt }),
    };
  },
  checkReferences: (trx, businessId, v) =>
    checkOwned(trx, businessId, [['contactId', 'contacts', v.contact_id], ['companyId', 'companies', v.company_id], ['technicianUserId', 'users', v.technician_user_id]]),
  applyFilter: (q, f) => {
    if (f.contactId) q = q.where('contact_id', '=', f.contactId);
    if (f.companyId) q = q.where('company_id', '=', f.companyId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.serviceType) q = q.where('service_type', '=', f.serviceType);
    if (f.technicianUserId) q = q.where('technician_user_id', '=', f.technicianUserId);
    if (f.scheduledAfter) q = q.where('scheduled_start', '>=', f.scheduledAfter);
    if (f.scheduledBefore) q = q.where('scheduled_start', '<', f.scheduledBefore);
    if (f.completedAfter) q = q.where('completed_at', '>=', f.completedAfter);
    if (f.completedBefore) q = q.where('completed_at', '<', f.completedBefore);
    return q;
  },
  createdEvents: (j) => [statusEvent[j.status](j)],
  updatedEvents: (b, a) => {
    const changed = changedFields(b, a);
    const events: PendingEvent[] = changed.length ? [event('job.updated', { jobId: a.id, contactId: a.contactId, changed })] : [];
    const rescheduled = a.status === 'scheduled' && b.scheduledStart !== a.scheduledStart;
    if (b.status !== a.status || rescheduled) events.push(statusEvent[a.status](a));
    return events;
  },
  deletedEvents: (j) => [event('job.deleted', { jobId: j.id, contactId: j.contactId })],
  // An upcoming booked job deleted: the customer's calendar entry is cancelled, as for `status: cancelled`.
  beforeDelete: async (trx, scope, now, before) => {
    await queueCalendarCancellationOnDelete(trx, scope, now, before);
  },
  afterWrite: async (trx, scope, now, after, before) => {
    if (after && takesNewSlot(after, before)) await refuseDoubleBooking(trx, scope.businessId, after);
    // A booked job moved or cancelled: the customer's calendar entry is updated in the same transaction.
    if (after && before) await queueCalendarUpdate(trx, scope, now, after);
    return after && before?.status !== 'completed' ? promoteToCustomer(trx, scope, now, after) : [];
  },
});
