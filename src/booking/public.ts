import type { AppContext, Scope } from '../context.ts';
import { getBusiness } from '../crm/businesses/businesses.ts';
import type { Business, Service } from '../crm/businesses/schema.ts';
import { loadContact } from '../crm/contacts/contacts.ts';
import type { Contact } from '../crm/contacts/schema.ts';
import { jobs, type Job } from '../crm/jobs/jobs.ts';
import { AppError, validationError } from '../lib/errors.ts';
import { distinctStarts } from './availability.ts';
import { bookingActor, bookSlot, type BookingResult } from './book.ts';
import { releaseJobClaims } from './claims.ts';
import { bookableServices, findBookableService, notBookableOnlineMessage, searchSlots } from './find-slots.ts';
import { verifyBookingToken } from './links.ts';
import { getBookingSettings, type BookingSettings } from './settings.ts';

/** What a valid booking link opens: the business, the contact, and the booking rules. */
export interface OpenedLink {
  token: string;
  business: Business;
  contact: Contact;
  settings: BookingSettings;
  scope: Scope;
}

export const PAGE_SLOTS = 36;
/** A link cannot fill the calendar: past this many upcoming online bookings, change or cancel one first. */
export const MAX_UPCOMING_PER_CONTACT = 3;

/** Verifies the token: forged → 403, expired → 403 (says so), business or contact gone → 404. */
export async function openBookingLink(ctx: AppContext, token: string): Promise<OpenedLink> {
  const check = verifyBookingToken(ctx, token);
  if (!check.ok) {
    throw new AppError(
      'FORBIDDEN',
      check.reason === 'expired'
        ? 'This booking link has expired. Please contact us for a new one.'
        : 'This booking link is not valid. Please use the link exactly as you received it, or contact us for a new one.',
      { reason: check.reason },
    );
  }
  const { businessId, contactId } = check.claims;
  const business = await getBusiness(ctx, businessId).catch(() => null);
  const contact = business ? await loadContact(ctx.db.kysely, businessId, contactId).catch(() => null) : null;
  if (!business || !contact) throw new AppError('NOT_FOUND', 'This booking link no longer leads anywhere. Please contact us to book.');
  const scope: Scope = { businessId, actor: bookingActor };
  return { token, business, contact, settings: await getBookingSettings(ctx, scope), scope };
}

/**
 * The service the booking page shows times for: the one asked for if
 * customers may book it online, else the first that is. Asking for one the
 * business takes by phone only explains whom to call instead.
 */
export function pageService(business: Business, key: string | undefined): { selected: Service | null; alert?: string } {
  const bookable = bookableServices(business);
  const asked = key ? business.services.find((s) => s.key === key) : undefined;
  if (asked && !bookable.includes(asked)) return { selected: bookable[0] ?? null, alert: notBookableOnlineMessage(business, asked) };
  return { selected: asked ?? bookable[0] ?? null };
}

/** The next free start times for a service, over the business's booking horizon. */
export async function publicSlots(ctx: AppContext, link: OpenedLink, serviceType: string, limit = PAGE_SLOTS, movingJobId?: string): Promise<Array<{ start: string; end: string }>> {
  const service = findBookableService(link.business, serviceType);
  const now = ctx.clock.now();
  const slots = await searchSlots(ctx.db.kysely, { business: link.business, settings: link.settings, service, from: now, to: new Date(now.getTime() + link.settings.horizonDays * 86_400_000), now, ignoreJobIds: movingJobId ? [movingJobId] : [] });
  return distinctStarts(slots, limit);
}

/** The contact's upcoming scheduled jobs (they can cancel the ones booked online). */
export async function upcomingBookings(ctx: AppContext, link: OpenedLink): Promise<Job[]> {
  const page = await jobs.list(ctx, link.scope, { contactId: link.contact.id, status: 'scheduled', scheduledAfter: ctx.clock.now().toISOString(), limit: 20 });
  return page.data.filter((j) => j.source === 'booking').sort((a, b) => ((a.scheduledStart ?? '') < (b.scheduledStart ?? '') ? -1 : 1));
}

async function ownUpcoming(ctx: AppContext, link: OpenedLink, jobId: unknown, field: string): Promise<Job> {
  if (typeof jobId !== 'string' || !jobId) throw validationError([{ field, message: 'is required' }]);
  const mine = (await upcomingBookings(ctx, link)).find((j) => j.id === jobId);
  if (!mine) throw new AppError('NOT_FOUND', 'That booking was not found, or it can no longer be changed online.');
  return mine;
}

async function cancelJob(ctx: AppContext, link: OpenedLink, job: Job, note: string): Promise<Job> {
  const cancelled = await jobs.update(ctx, link.scope, job.id, { status: 'cancelled', notes: `${job.notes ?? ''}\n${note}`.trim() });
  await ctx.db.transaction((trx) => releaseJobClaims(trx, link.business.id, job.id));
  return cancelled;
}

/** Cancels one of the contact's upcoming online bookings (job.cancelled fires) and frees its time. */
export async function cancelBooking(ctx: AppContext, link: OpenedLink, jobId: unknown): Promise<Job> {
  return cancelJob(ctx, link, await ownUpcoming(ctx, link, jobId, 'jobId'), 'Cancelled online by the customer.');
}

/** A new booking from the link (at most MAX_UPCOMING_PER_CONTACT upcoming at a time). */
export async function bookFromLink(ctx: AppContext, link: OpenedLink, input: unknown): Promise<BookingResult> {
  const upcoming = await upcomingBookings(ctx, link);
  if (upcoming.length >= MAX_UPCOMING_PER_CONTACT) {
    throw new AppError('CONFLICT', `You already have ${upcoming.length} upcoming appointments. Please change or cancel one of them, or call us.`);
  }
  return bookSlot(ctx, link.business.id, link.contact.id, input);
}

/**
 * Moves one of the contact's upcoming online bookings: the new time is booked
 * (the old booking's own time does not count as busy), then the old job is
 * cancelled. If the new time is gone, nothing changes (409).
 */
export async function rescheduleBooking(ctx: AppContext, link: OpenedLink, jobId: unknown, input: unknown): Promise<BookingResult & { replaced: Job }> {
  const old = await ownUpcoming(ctx, link, jobId, 'rescheduleJobId');
  // A booking of a service the business now takes by phone only is moved by phone (it can still be cancelled here).
  const service = link.business.services.find((s) => s.key === old.serviceType);
  if (service) findBookableService(link.business, service.key);
  const result = await bookSlot(ctx, link.business.id, link.contact.id, input, { replacesJobId: old.id });
  const replaced = await cancelJob(ctx, link, old, `Rescheduled online to job ${result.job.id}.`);
  return { ...result, replaced };
}
