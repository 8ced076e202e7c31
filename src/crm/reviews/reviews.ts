import { z } from 'zod';
import { event, type PendingEvent } from '../../events/record.ts';
import { idField, instant, longText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';
import { changedFields, checkOwned, defineResource } from '../shared/resource.ts';

export const reviewPlatforms = ['google', 'facebook', 'yelp', 'nextdoor', 'angi', 'internal', 'other'] as const;
export const reviewStatuses = ['requested', 'received'] as const;

export interface Review {
  id: string;
  contactId: string | null;
  jobId: string | null;
  platform: (typeof reviewPlatforms)[number];
  status: (typeof reviewStatuses)[number];
  rating: number | null;
  body: string | null;
  url: string | null;
  requestedAt: string | null;
  receivedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const fields = {
  contactId: idField.nullable().optional(),
  jobId: idField.nullable().optional(),
  platform: z.enum(reviewPlatforms).default('google'),
  status: z.enum(reviewStatuses).default('requested'),
  rating: z.number().int().min(1).max(5).nullable().optional(),
  body: longText.nullable().optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000).nullable().optional(),
  requestedAt: instant.nullable().optional(),
  receivedAt: instant.nullable().optional(),
};
export const reviewInputSchema = z
  .object(fields)
  .strict()
  .refine((r) => r.status !== 'received' || r.rating != null || Boolean(r.body), { message: 'a received review needs a rating or text', path: ['rating'] });
const patchSchema = z.object({ ...fields, platform: z.enum(reviewPlatforms), status: z.enum(reviewStatuses) }).partial().strict();
const filterSchema = z
  .object({
    ...pageQuerySchema,
    contactId: idField.optional(),
    jobId: idField.optional(),
    platform: z.enum(reviewPlatforms).optional(),
    status: z.enum(reviewStatuses).optional(),
    maxRating: z.coerce.number().int().min(1).max(5).optional(),
    receivedAfter: instant.optional(),
  })
  .strict();

const receivedEvent = (r: Review): PendingEvent => event('review.received', { reviewId: r.id, contactId: r.contactId, platform: r.platform, rating: r.rating });

export const reviews = defineResource({
  table: 'reviews',
  entityType: 'review',
  createSchema: reviewInputSchema,
  patchSchema,
  filterSchema,
  toApi: (r): Review => ({
    id: r.id,
    contactId: r.contact_id as string | null,
    jobId: r.job_id as string | null,
    platform: r.platform as Review['platform'],
    status: r.status as Review['status'],
    rating: r.rating as number | null,
    body: r.body as string | null,
    url: r.url as string | null,
    requestedAt: r.requested_at as string | null,
    receivedAt: r.received_at as string | null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  }),
  insertValues: (d, now) => ({
    contact_id: d.contactId ?? null,
    job_id: d.jobId ?? null,
    platform: d.platform,
    status: d.status,
    rating: d.rating ?? null,
    body: d.body ?? null,
    url: d.url ?? null,
    requested_at: d.requestedAt ?? (d.status === 'requested' ? now : null),
    received_at: d.receivedAt ?? (d.status === 'received' ? now : null),
  }),
  updateValues: (d, current, now) => ({
    ...(d.contactId !== undefined && { contact_id: d.contactId }),
    ...(d.jobId !== undefined && { job_id: d.jobId }),
    ...(d.platform !== undefined && { platform: d.platform }),
    ...(d.status !== undefined && { status: d.status }),
    ...(d.rating !== undefined && { rating: d.rating }),
    ...(d.body !== undefined && { body: d.body }),
    ...(d.url !== undefined && { url: d.url }),
    ...(d.requestedAt !== undefined && { requested_at: d.requestedAt }),
    ...(d.receivedAt !== undefined ? { received_at: d.receivedAt } : d.status === 'received' && current.status !== 'received' ? { received_at: now } : {}),
  }),
  checkReferences: (trx, businessId, v) => checkOwned(trx, businessId, [['contactId', 'contacts', v.contact_id], ['jobId', 'jobs', v.job_id]]),
  applyFilter: (q, f) => {
    if (f.contactId) q = q.where('contact_id', '=', f.contactId);
    if (f.jobId) q = q.where('job_id', '=', f.jobId);
    if (f.platform) q = q.where('platform', '=', f.platform);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.maxRating) q = q.where('rating', '<=', f.maxRating);
    if (f.receivedAfter) q = q.where('received_at', '>=', f.receivedAfter);
    return q;
  },
  createdEvents: (r) =>
    r.status === 'received' ? [receivedEvent(r)] : [event('review.requested', { reviewId: r.id, contactId: r.contactId, platform: r.platform })],
  updatedEvents: (b, a) => {
    const changed = changedFields(b, a);
    const events: PendingEvent[] = changed.length ? [event('review.updated', { reviewId: a.id, contactId: a.contactId, changed })] : [];
    if (b.status !== 'received' && a.status === 'received') events.push(receivedEvent(a));
    return events;
  },
  deletedEvents: (r) => [event('review.deleted', { reviewId: r.id, contactId: r.contactId })],
});
