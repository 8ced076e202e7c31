import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { getBusiness } from '../crm/businesses/businesses.ts';
import { isBookableOnline, type Business, type Service } from '../crm/businesses/schema.ts';
import { idField, instant } from '../crm/shared/fields.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { AppError, validationError } from '../lib/errors.ts';
import { computeSlots, type BusyInterval, type Slot } from './availability.ts';
import { loadTechnicians } from './schedules.ts';
import { getBookingSettings, type BookingSettings } from './settings.ts';

const DAY = 86_400_000;
export const MAX_RANGE_DAYS = 31;

export const availabilityQuerySchema = z
  .object({
    serviceType: z.string({ error: (issue) => (issue.input === undefined ? 'is required: one of the business services (see GET /business)' : 'must be text') }).trim().min(1, 'is required').max(60),
    from: instant.optional(),
    to: instant.optional(),
    technicianId: idField.optional(),
  })
  .strict();

export function findService(business: Pick<Business, 'services'>, key: string): Service {
  const service = business.services.find((s) => s.key === key);
  if (!service) {
    const known = business.services.map((s) => s.key).join(', ') || 'none configured';
    throw validationError([{ field: 'serviceType', message: `unknown service "${key}" (this business offers: ${known})` }]);
  }
  return service;
}

/** The services customers may book online, in the business's order. */
export const bookableServices = (business: Business): Service[] => business.services.filter(isBookableOnline);

/** What a customer is told about a service the business books by phone only. */
export function notBookableOnlineMessage(business: Pick<Business, 'name' | 'phone' | 'settings'>, service: Pick<Service, 'name'>): string {
  return `${service.name} cannot be booked online. Please call ${business.name}${business.phone ? ` at ${dialable(business.phone, business.settings.defaultCountry)}` : ''}.`;
}

/** A phone number as a customer dials it: national format at home ("(512) 555-0100"), international otherwise. */
function dialable(phone: string, homeCountry: string): string {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed) return phone;
  return parsed.country === homeCountry ? parsed.formatNational() : parsed.formatInternational();
}

/**
 * A service customers may book online. One the business takes by phone only
 * (an emergency) is refused with a message that says whom to call.
 */
export function findBookableService(business: Pick<Business, 'services' | 'name' | 'phone' | 'settings'>, key: string): Service {
  const service = findService(business, key);
  if (isBookableOnline(service)) return service;
  throw new AppError('VALIDATION_FAILED', notBookableOnlineMessage(business, service), {
    issues: [{ field: 'serviceType', message: `${service.key} is not bookable online` }],
    reason: 'not_bookable_online',
    serviceType: service.key,
    phone: business.phone ?? null,
  });
}

/** Scheduled jobs of the given technicians that may touch [from, to] once durations and buffers are counted. */
async function loadBusy(trx: Executor, business: Business, technicianIds: string[], from: Date, to: Date, marginMs: number, ignoreJobIds: string[] = []): Promise<BusyInterval[]> {
  if (technicianIds.length === 0) return [];
  let q = trx
    .selectFrom('jobs')
    .select(['technician_user_id', 'scheduled_start', 'scheduled_end', 'service_type'])
    .where('business_id', '=', business.id)
    .where('status', '=', 'scheduled')
    .where('technician_user_id', 'in', technicianIds)
    .where('scheduled_start', 'is not', null)
    .where('scheduled_start', '<', new Date(to.getTime() + marginMs).toISOString())
    .where('scheduled_start', '>', new Date(from.getTime() - marginMs - DAY).toISOString());
  if (ignoreJobIds.length) q = q.where('id', 'not in', ignoreJobIds);
  const rows = await q.execute();
  const durationOf = (key: string) => business.services.find((s) => s.key === key)?.durationMinutes ?? 60;
  return rows.map((r) => {
    const start = r.scheduled_start as string;
    const end = r.scheduled_end ?? new Date(Date.parse(start) + durationOf(r.service_type) * 60_000).toISOString();
    return { technicianId: r.technician_user_id as string, start, end };
  });
}

export interface SlotSearch {
  business: Business;
  settings: BookingSettings;
  service: Service;
  from: Date;
  to: Date;
  now: Date;
  technicianIds?: string[];
  /** Jobs that do not count as busy (the booking being moved). */
  ignoreJobIds?: string[];
}

/** Loads technicians and their jobs through `trx` and computes the free slots. */
export async function searchSlots(trx: Executor, q: SlotSearch): Promise<Slot[]> {
  let technicians = await loadTechnicians(trx, q.business.id);
  if (q.technicianIds) technicians = technicians.filter((t) => q.technicianIds!.includes(t.id));
  const margin = (q.service.durationMinutes + q.settings.bufferMinutes) * 60_000 + DAY;
  const busy = await loadBusy(trx, q.business, technicians.map((t) => t.id), q.from, q.to, margin, q.ignoreJobIds);
  return computeSlots({
    timeZone: q.business.timeZone,
    businessHours: q.business.businessHours,
    technicians: technicians.map((t) => ({ id: t.id, weeklyHours: t.schedule.weeklyHours, daysOff: t.schedule.daysOff })),
    busy,
    durationMinutes: q.service.durationMinutes,
    settings: q.settings,
    from: q.from,
    to: q.to,
    now: q.now,
  });
}

/** GET /availability: free slots for a service between `from` (default now) and `to` (default from + horizon). */
export async function findAvailability(ctx: AppContext, scope: Scope, query: unknown): Promise<Slot[]> {
  const q = parseInput(availabilityQuerySchema, query);
  const business = await getBusiness(ctx, scope.businessId);
  const service = findBookableService(business, q.serviceType);
  const settings = await getBookingSettings(ctx, scope);
  const now = ctx.clock.now();
  const from = q.from ? new Date(q.from) : now;
  const to = q.to ? new Date(q.to) : new Date(from.getTime() + settings.horizonDays * DAY);
  if (to <= from) throw validationError([{ field: 'to', message: 'must be after from' }]);
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) throw validationError([{ field: 'to', message: `the range may cover at most ${MAX_RANGE_DAYS} days` }]);
  if (q.technicianId) {
    const tech = await ctx.db.kysely.selectFrom('users').select(['id', 'role']).where('business_id', '=', scope.businessId).where('id', '=', q.technicianId).executeTakeFirst();
    if (!tech || tech.role !== 'technician') throw validationError([{ field: 'technicianId', message: `no technician ${q.technicianId} in this business` }]);
  }
  return searchSlots(ctx.db.kysely, { business, settings, service, from, to, now, technicianIds: q.technicianId ? [q.technicianId] : undefined });
}
