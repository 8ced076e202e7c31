import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/database.ts';
import type { MessageAttachment } from '../channels/types.ts';
import { messageIdHostname } from '../channels/registry.ts';
import type { Business, Service } from '../crm/businesses/schema.ts';
import type { Contact } from '../crm/contacts/schema.ts';
import type { Job } from '../crm/jobs/jobs.ts';
import { enqueueMessage, gateCustomerMessage } from '../engine/outbox/enqueue.ts';
import { bookingUrl } from './links.ts';

/** "Tue, Mar 3 at 9:00 AM CST", in the business's time zone. */
export function formatWhen(iso: string, timeZone: string): string {
  return DateTime.fromISO(iso, { zone: timeZone }).toFormat("EEE, MMM d 'at' h:mm a ZZZZ");
}

export interface InviteInput {
  job: Pick<Job, 'id' | 'scheduledStart' | 'scheduledEnd'>;
  business: Pick<Business, 'name' | 'email' | 'phone'>;
  service: Pick<Service, 'name'>;
  contact: Pick<Contact, 'name' | 'email' | 'address'>;
  technicianName: string | null;
  hostname: string;
  now: Date;
}

/** An iCalendar invite (METHOD:REQUEST) for the booked job; the UID is stable per job so a reschedule updates it. */
export function bookingInvite(i: InviteInput): MessageAttachment {
  const cal = ical({ prodId: { company: 'Kinetic', product: 'Booking', language: 'EN' }, method: ICalCalendarMethod.REQUEST, name: i.business.name });
  const where = [i.contact.address.line1, i.contact.address.city, i.contact.address.region, i.contact.address.postalCode].filter(Boolean).join(', ');
  cal.createEvent({
    id: `${i.job.id}@${i.hostname}`,
    start: new Date(i.job.scheduledStart as string),
    end: new Date(i.job.scheduledEnd as string),
    stamp: i.now,
    summary: `${i.service.name} — ${i.business.name}`,
    description: [`${i.service.name} with ${i.business.name}`, i.technicianName ? `Technician: ${i.technicianName}` : null, i.business.phone ? `Questions: ${i.business.phone}` : null].filter(Boolean).join('\n'),
    ...(where ? { location: where } : {}),
    organizer: { name: i.business.name, email: i.business.email ?? `booking@${i.hostname}` },
    attendees: i.contact.email ? [{ name: i.contact.name, email: i.contact.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED }] : [],
  });
  return { filename: 'invite.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST', content: cal.toString() };
}

export type ConfirmationOutcome = { status: 'queued'; outboxId: string } | { status: 'skipped'; reason: string };

export interface ConfirmInput {
  business: Business;
  service: Service;
  contact: Contact;
  job: Job;
  technicianName: string | null;
  now: Date;
}

/**
 * Queues the booking confirmation by SMS and by email (with the invite),
 * through the compliance gate as transactional messages, in the booking's
 * own transaction. Each is skipped (with the reason) where there is no
 * address or the contact opted out of that channel.
 */
export async function queueBookingConfirmations(trx: Executor, ctx: AppContext, c: ConfirmInput): Promise<{ sms: ConfirmationOutcome; email: ConfirmationOutcome }> {
  const when = formatWhen(c.job.scheduledStart as string, c.business.timeZone);
  const link = bookingUrl(ctx, c.business.id, c.contact.id);
  const withTech = c.technicianName ? ` with ${c.technicianName}` : '';
  const nowIso = c.now.toISOString();
  const gateContact = { ...c.contact, address: c.contact.address ?? {} };

  const queue = async (channel: 'sms' | 'email'): Promise<ConfirmationOutcome> => {
    const { decision, address } = await gateCustomerMessage(trx, c.business, gateContact, channel, 'transactional', c.now);
    if (decision.action === 'skip' || !address) return { status: 'skipped', reason: decision.action === 'skip' ? decision.reason : 'no address' };
    const notBefore = decision.action === 'defer' ? decision.until.toISOString() : nowIso;
    const common = { businessId: c.business.id, channel, purpose: 'transactional' as const, to: address, contactId: c.contact.id, idempotencyKey: `booking:${c.job.id}:${c.job.scheduledStart}:${channel}`, notBefore };
    const queued =
      channel === 'sms'
        ? await enqueueMessage(trx, { ...common, body: `${c.business.name}: you're booked for ${c.service.name} on ${when}${withTech}. To change or cancel: ${link}` }, nowIso)
        : await enqueueMessage(
            trx,
            {
              ...common,
              subject: `Booking confirmed: ${c.service.name} on ${when}`,
              body: [
                `Hi ${c.contact.firstName ?? c.contact.name},`,
                '',
                `You're booked with ${c.business.name} for ${c.service.name} on ${when}${withTech}.`,
                'The calendar invite is attached.',
                '',
                `To change or cancel: ${link}`,
                ...(c.business.phone ? ['', `Questions? Call ${c.business.phone}.`] : []),
              ].join('\n'),
              attachments: [bookingInvite({ job: c.job, business: c.business, service: c.service, contact: c.contact, technicianName: c.technicianName, hostname: messageIdHostname(ctx.config.publicUrl), now: c.now })],
            },
            nowIso,
          );
    return { status: 'queued', outboxId: queued.id };
  };
  return { sms: await queue('sms'), email: await queue('email') };
}
