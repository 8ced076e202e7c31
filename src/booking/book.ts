import { z } from 'zod';
import type { Actor, AppContext, Scope } from '../context.ts';
import { getBusiness } from '../crm/businesses/businesses.ts';
import { loadContact } from '../crm/contacts/contacts.ts';
import { jobs, type Job } from '../crm/jobs/jobs.ts';
import { idField, instant } from '../crm/shared/fields.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, fromDatabaseError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { distinctStarts } from './availability.ts';
import { loadCalendarInvite, saveCalendarInvite } from './calendar.ts';
import { claimSlot, claimUnits, releaseJobClaims, releaseStaleClaims } from './claims.ts';
import { queueBookingConfirmations, type ConfirmationOutcome } from './confirm.ts';
import { findBookableService, findService, searchSlots } from './find-slots.ts';
import { getBookingSettings } from './settings.ts';

export const bookingRequestSchema = z
  .object({
    serviceType: z.string({ error: (issue) => (issue.input === undefined ? 'is required: choose a service' : 'must be text') }).trim().min(1, 'is required').max(60),
    start: instant,
    technicianId: idField.optional(),
    notes: z.string().trim().max(1000).optional(),
  })
  .strict();

export interface BookingResult {
  job: Job;
  technicianName: string | null;
  confirmations: { sms: ConfirmationOutcome; email: ConfirmationOutcome };
}

/** The public booking page acts as the system on the contact's behalf. */
export const bookingActor: Actor = { type: 'system', id: null };
const FRESH_SLOTS = 12;

/** Thrown inside an attempt when a technician turned out to be busy: try the next one. */
class TechnicianTaken extends Error {}

async function freshSlots(ctx: AppContext, scope: Scope, serviceType: string, now: Date) {
  const business = await getBusiness(ctx, scope.businessId);
  const settings = await getBookingSettings(ctx, scope);
  const service = findService(business, serviceType);
  const slots = await searchSlots(ctx.db.kysely, { business, settings, service, from: now, to: new Date(now.getTime() + settings.horizonDays * 86_400_000), now });
  return distinctStarts(slots, FRESH_SLOTS);
}

/**
 * Books `start` for the contact: picks a technician free at that time, holds
 * the time in booking_slot_claims (unique per technician and unit, so a
 * second booking of the same time fails in the database), creates the job
 * through the CRM (status scheduled, source booking: `job.scheduled` fires in
 * this transaction and ends sequences that exit on "booked"), and queues the
 * confirmations. If the time is gone: CONFLICT (409) with fresh slots.
 */
export async function bookSlot(ctx: AppContext, businessId: string, contactId: string, input: unknown, opts: { replacesJobId?: string; actor?: Actor } = {}): Promise<BookingResult> {
  const req = parseInput(bookingRequestSchema, input);
  const scope: Scope = { businessId, actor: opts.actor ?? bookingActor };
  const business = await getBusiness(ctx, businessId);
  const service = findBookableService(business, req.serviceType);
  const settings = await getBookingSettings(ctx, scope);
  const contact = await loadContact(ctx.db.kysely, businessId, contactId);
  const now = ctx.clock.now();
  const start = new Date(req.start);
  const ignoreJobIds = opts.replacesJobId ? [opts.replacesJobId] : [];
  const search = { business, settings, service, from: start, to: new Date(start.getTime() + 60_000), now, ignoreJobIds };

  const candidates = (await searchSlots(ctx.db.kysely, { ...search, technicianIds: req.technicianId ? [req.technicianId] : undefined })).filter((s) => s.start === req.start);
  for (const candidate of candidates) {
    try {
      return await ctx.db.transaction(async (trx) => {
        // Re-check inside the transaction (jobs entered by staff meanwhile), then claim: the claim is what makes it exclusive.
        const still = await searchSlots(trx, { ...search, technicianIds: [candidate.technicianId] });
        if (!still.some((s) => s.start === req.start)) throw new TechnicianTaken();
        const nowIso = isoNow(ctx.clock);
        const units = claimUnits(candidate.start, candidate.end, settings.bufferMinutes);
        // A booking being moved gives up its own time first, so the new time may overlap the old one.
        if (opts.replacesJobId) await releaseJobClaims(trx, businessId, opts.replacesJobId);
        await releaseStaleClaims(trx, businessId, candidate.technicianId, units, settings.bufferMinutes);
        const hold = newId();
        await claimSlot(trx, businessId, candidate.technicianId, units, hold, nowIso);
        const job = await jobs.createIn(
          trx,
          scope,
          {
            contactId,
            serviceType: service.key,
            status: 'scheduled',
            scheduledStart: candidate.start,
            scheduledEnd: candidate.end,
            technicianUserId: candidate.technicianId,
            source: 'booking',
            notes: `${opts.replacesJobId ? `Rescheduled online (was job ${opts.replacesJobId}).` : 'Booked online.'}${req.notes ? ` Customer note: ${req.notes}` : ''}`,
          },
          nowIso,
        );
        await trx.updateTable('booking_slot_claims').set({ job_id: job.id }).where('business_id', '=', businessId).where('job_id', '=', hold).execute();
        const tech = await trx.selectFrom('users').select('name').where('business_id', '=', businessId).where('id', '=', candidate.technicianId).executeTakeFirst();
        const technicianName = tech?.name ?? null;
        // A booking moved through its link carries its calendar entry over: the customer's calendar moves the event instead of gaining a second one.
        const replaces = opts.replacesJobId ? await loadCalendarInvite(trx, businessId, opts.replacesJobId) : null;
        const confirmations = await queueBookingConfirmations(trx, ctx, { business, service, contact, job, technicianName, now, replaces });
        if (replaces && confirmations.email.status === 'queued') await saveCalendarInvite(trx, businessId, opts.replacesJobId!, null);
        return { job, technicianName, confirmations };
      });
    } catch (err) {
      if (err instanceof TechnicianTaken || fromDatabaseError(err)) continue;
      throw err;
    }
  }
  throw new AppError('CONFLICT', 'Sorry, that time was just booked or is no longer available. Please choose another time.', {
    field: 'start',
    slots: await freshSlots(ctx, scope, service.key, now),
  });
}
