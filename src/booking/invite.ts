import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import type { MessageAttachment } from '../channels/types.ts';
import type { Business, Service } from '../crm/businesses/schema.ts';
import type { Contact } from '../crm/contacts/schema.ts';
import type { Job } from '../crm/jobs/jobs.ts';

/** "Tue, Mar 3 at 9:00 AM CST", in the business's time zone. */
export function formatWhen(iso: string, timeZone: string): string {
  return DateTime.fromISO(iso, { zone: timeZone }).toFormat("EEE, MMM d 'at' h:mm a ZZZZ");
}

/** The invite's UID for a job: stable, so every later update of the entry names the same event. */
export const inviteUid = (jobId: string, hostname: string): string => `${jobId}@${hostname}`;

export interface InviteInput {
  job: Pick<Job, 'id' | 'scheduledStart' | 'scheduledEnd'>;
  business: Pick<Business, 'name' | 'email' | 'phone'>;
  service: Pick<Service, 'name'>;
  contact: Pick<Contact, 'name' | 'email' | 'address'>;
  technicianName: string | null;
  hostname: string;
  now: Date;
  /** Default: inviteUid(job.id, hostname). A booking moved through its link keeps the entry it had. */
  uid?: string;
  /** 0 for the first invite; each update of the entry counts on. */
  sequence?: number;
  /** REQUEST adds or moves the entry; CANCEL removes it. */
  method?: 'REQUEST' | 'CANCEL';
}

/** An iCalendar entry for the booked job: METHOD:REQUEST (new or moved) or METHOD:CANCEL with STATUS:CANCELLED. */
export function bookingInvite(i: InviteInput): MessageAttachment {
  const method = i.method ?? 'REQUEST';
  const cal = ical({ prodId: { company: 'Kinetic', product: 'Booking', language: 'EN' }, method: method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST, name: i.business.name });
  const address = i.contact.address ?? {};
  const where = [address.line1, address.city, address.region, address.postalCode].filter(Boolean).join(', ');
  cal.createEvent({
    id: i.uid ?? inviteUid(i.job.id, i.hostname),
    sequence: i.sequence ?? 0,
    ...(method === 'CANCEL' ? { status: ICalEventStatus.CANCELLED } : {}),
    start: new Date(i.job.scheduledStart as string),
    end: new Date(i.job.scheduledEnd as string),
    stamp: i.now,
    summary: `${i.service.name} — ${i.business.name}`,
    description: [`${i.service.name} with ${i.business.name}`, i.technicianName ? `Technician: ${i.technicianName}` : null, i.business.phone ? `Questions: ${i.business.phone}` : null].filter(Boolean).join('\n'),
    ...(where ? { location: where } : {}),
    organizer: { name: i.business.name, email: i.business.email ?? `booking@${i.hostname}` },
    attendees: i.contact.email ? [{ name: i.contact.name, email: i.contact.email, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.ACCEPTED }] : [],
  });
  const filename = method === 'CANCEL' ? 'cancel.ics' : 'invite.ics';
  return { filename, contentType: `text/calendar; charset=utf-8; method=${method}`, content: cal.toString() };
}
