import { z } from 'zod';
import { containsText } from '../../db/database.ts';
import { event, type PendingEvent } from '../../events/record.ts';
import { calendarDate, cents, idField, instant, shortText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';
import { changedFields, checkOwned, defineResource } from '../shared/resource.ts';

/** Quote pipeline stages; won and lost close the deal. */
export const dealStages = ['new', 'qualified', 'quote_sent', 'negotiation', 'won', 'lost'] as const;
export type DealStage = (typeof dealStages)[number];
export type DealStatus = 'open' | 'won' | 'lost';

export interface Deal {
  id: string;
  contactId: string | null;
  companyId: string | null;
  title: string;
  pipeline: string;
  stage: DealStage;
  status: DealStatus;
  amountCents: number | null;
  /** A discount offered on the quote (approvals above a limit go to a manager). */
  discountCents: number | null;
  expectedCloseDate: string | null;
  closedAt: string | null;
  closeReason: string | null;
  ownerUserId: string | null;
  createdAt: string;
  updatedAt: string;
}

const fields = {
  contactId: idField.nullable().optional(),
  companyId: idField.nullable().optional(),
  title: shortText.min(1),
  pipeline: z.string().trim().min(1).max(60).default('default'),
  stage: z.enum(dealStages).default('new'),
  amountCents: cents.nullable().optional(),
  discountCents: cents.nullable().optional(),
  expectedCloseDate: calendarDate.nullable().optional(),
  closeReason: z.string().trim().max(500).nullable().optional(),
  ownerUserId: idField.nullable().optional(),
};
export const dealInputSchema = z.object(fields).strict();
const patchSchema = z.object({ ...fields, pipeline: z.string().trim().min(1).max(60), stage: z.enum(dealStages) }).partial().strict();
const filterSchema = z
  .object({
    ...pageQuerySchema,
    contactId: idField.optional(),
    companyId: idField.optional(),
    stage: z.enum(dealStages).optional(),
    status: z.enum(['open', 'won', 'lost']).optional(),
    pipeline: z.string().max(60).optional(),
    ownerUserId: idField.optional(),
    q: z.string().trim().max(200).optional(),
    /** Won or lost deals closed in [closedAfter, closedBefore). */
    closedAfter: instant.optional(),
    closedBefore: instant.optional(),
  })
  .strict();

const statusOf = (stage: DealStage): DealStatus => (stage === 'won' ? 'won' : stage === 'lost' ? 'lost' : 'open');

function closingEvents(d: Deal): PendingEvent[] {
  if (d.status === 'won') return [event('deal.won', { dealId: d.id, contactId: d.contactId, amountCents: d.amountCents, reason: d.closeReason })];
  if (d.status === 'lost') return [event('deal.lost', { dealId: d.id, contactId: d.contactId, reason: d.closeReason })];
  return [];
}

export const deals = defineResource({
  table: 'deals',
  entityType: 'deal',
  createSchema: dealInputSchema,
  patchSchema,
  filterSchema,
  toApi: (r): Deal => ({
    id: r.id,
    contactId: r.contact_id as string | null,
    companyId: r.company_id as string | null,
    title: r.title as string,
    pipeline: r.pipeline as string,
    stage: r.stage as DealStage,
    status: r.status as DealStatus,
    amountCents: r.amount_cents as number | null,
    discountCents: (r.discount_cents as number | null | undefined) ?? null,
    expectedCloseDate: r.expected_close_date as string | null,
    closedAt: r.closed_at as string | null,
    closeReason: r.close_reason as string | null,
    ownerUserId: r.owner_user_id as string | null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  }),
  insertValues: (d, now) => ({
    contact_id: d.contactId ?? null,
    company_id: d.companyId ?? null,
    title: d.title,
    pipeline: d.pipeline,
    stage: d.stage,
    status: statusOf(d.stage),
    amount_cents: d.amountCents ?? null,
    discount_cents: d.discountCents ?? null,
    expected_close_date: d.expectedCloseDate ?? null,
    closed_at: statusOf(d.stage) === 'open' ? null : now,
    close_reason: d.closeReason ?? null,
    owner_user_id: d.ownerUserId ?? null,
  }),
  updateValues: (d, current, now) => {
    const stageChange = d.stage !== undefined && d.stage !== current.stage;
    const status = d.stage ? statusOf(d.stage) : current.status;
    return {
      ...(d.contactId !== undefined && { contact_id: d.contactId }),
      ...(d.companyId !== undefined && { company_id: d.companyId }),
      ...(d.title !== undefined && { title: d.title }),
      ...(d.pipeline !== undefined && { pipeline: d.pipeline }),
      ...(stageChange && { stage: d.stage, status, closed_at: status === 'open' ? null : current.status === status ? current.closedAt : now }),
      ...(d.amountCents !== undefined && { amount_cents: d.amountCents }),
      ...(d.discountCents !== undefined && { discount_cents: d.discountCents }),
      ...(d.expectedCloseDate !== undefined && { expected_close_date: d.expectedCloseDate }),
      ...(d.closeReason !== undefined && { close_reason: d.closeReason }),
      ...(d.ownerUserId !== undefined && { owner_user_id: d.ownerUserId }),
    };
  },
  checkReferences: (trx, businessId, v) =>
    checkOwned(trx, businessId, [['contactId', 'contacts', v.contact_id], ['companyId', 'companies', v.company_id], ['ownerUserId', 'users', v.owner_user_id]]),
  applyFilter: (q, f, dialect) => {
    if (f.contactId) q = q.where('contact_id', '=', f.contactId);
    if (f.companyId) q = q.where('company_id', '=', f.companyId);
    if (f.stage) q = q.where('stage', '=', f.stage);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.pipeline) q = q.where('pipeline', '=', f.pipeline);
    if (f.ownerUserId) q = q.where('owner_user_id', '=', f.ownerUserId);
    if (f.closedAfter) q = q.where('closed_at', '>=', f.closedAfter);
    if (f.closedBefore) q = q.where('closed_at', '<', f.closedBefore);
    if (f.q) q = q.where(containsText(dialect, 'title', f.q));
    return q;
  },
  createdEvents: (d) => [event('deal.created', { dealId: d.id, contactId: d.contactId, stage: d.stage, amountCents: d.amountCents }), ...closingEvents(d)],
  updatedEvents: (b, a) => {
    const changed = changedFields(b, a);
    const events: PendingEvent[] = changed.length ? [event('deal.updated', { dealId: a.id, contactId: a.contactId, changed })] : [];
    if (b.stage !== a.stage) {
      events.push(event('deal.stage_changed', { dealId: a.id, contactId: a.contactId, from: b.stage, to: a.stage }));
      if (b.status !== a.status) events.push(...closingEvents(a));
    }
    return events;
  },
  deletedEvents: (d) => [event('deal.deleted', { dealId: d.id, contactId: d.contactId })],
});
