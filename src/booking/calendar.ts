import type { Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { loadContact } from '../crm/contacts/contacts.ts';
import type { Contact } from '../crm/contacts/schema.ts';
import type { Job } from '../crm/jobs/jobs.ts';
import { enqueueMessage, gateCustomerMessage } from '../engine/outbox/enqueue.ts';
import { bookingInvite, formatWhen } from './invite.ts';

/**
 * The calendar entry a customer holds for a booked job, as last sent: the
 * confirmation's invite (SEQUENCE 0), then one update per move or
 * cancellation. Stored on the job (jobs.calendar_invite) so an update reuses
 * the UID, counts the SEQUENCE on and is written once with the change.
 */
export interface CalendarInvite {
  uid: string;
  sequence: number;
  /** The confirmation also went by text: updates send a short text too. */
  sms: boolean;
  start: string;
  end: string;
  technicianId: string | null;
  cancelled: boolean;
}

export type CalendarChange = { kind: 'moved'; start: string; end: string; technicianId: string | null } | { kind: 'cancelled' };

export function parseCalendarInvite(raw: string | null | undefined): CalendarInvite | null {
  if (!raw) return null;
  const v = JSON.parse(raw) as Partial<CalendarInvite>;
  if (typeof v.uid !== 'string' || typeof v.sequence !== 'number' || typeof v.start !== 'string' || typeof v.end !== 'string') return null;
  return { uid: v.uid, sequence: v.sequence, sms: v.sms === true, start: v.start, end: v.end, technicianId: v.technicianId ?? null, cancelled: v.cancelled === true };
}

export async function loadCalendarInvite(trx: Executor, businessId: string, jobId: string): Promise<CalendarInvite | null> {
  const row = await trx.selectFrom('jobs').select('calendar_invite').where('business_id', '=', businessId).where('id', '=', jobId).executeTakeFirst();
  return parseCalendarInvite(row?.calendar_invite);
}

export async function saveCalendarInvite(trx: Executor, businessId: string, jobId: string, invite: CalendarInvite | null): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({ calendar_invite: invite ? JSON.stringify(invite) : null })
    .where('business_id', '=', businessId)
    .where('id', '=', jobId)
    .execute();
}

/**
 * What the customer's calendar needs after a change to the job: the entry
 * moved (new time or technician, or a cancelled job scheduled again),
 * cancelled, or nothing. Compared with what was last sent, not with the
 * previous row, so edits that leave the appointment as it was send nothing.
 * Completed and no-show jobs keep their entry.
 */
export function calendarChange(invite: CalendarInvite | null, job: Pick<Job, 'status' | 'scheduledStart' | 'scheduledEnd' | 'technicianUserId'>, durationMinutes: number): CalendarChange | null {
  if (!invite) return null;
  if (job.status === 'cancelled') return invite.cancelled ? null : { kind: 'cancelled' };
  if (job.status !== 'scheduled' || !job.scheduledStart) return null;
  const start = new Date(job.scheduledStart).toISOString();
  const end = job.scheduledEnd ? new Date(job.scheduledEnd).toISOString() : new Date(Date.parse(start) + durationMinutes * 60_000).toISOString();
  const technicianId = job.technicianUserId ?? null;
  if (!invite.cancelled && invite.start === start && invite.end === end && invite.technicianId === technicianId) return null;
  return { kind: 'moved', start, end, technicianId };
}

/**
 * What the customer's calendar needs when the job is deleted: a cancellation
 * if the entry is still upcoming (the job scheduled, the entry not cancelled
 * and its start after now), else nothing: a past appointment, a completed or
 * no-show job keeps its entry, and a cancelled one was already cancelled.
 */
export function calendarChangeOnDelete(invite: CalendarInvite | null, job: Pick<Job, 'status'>, now: Date): CalendarChange | null {
  if (!invite || invite.cancelled || job.status !== 'scheduled') return null;
  return Date.parse(invite.start) > now.getTime() ? { kind: 'cancelled' } : null;
}

export type UpdateOutcome = { status: 'queued'; outboxId: string } | { status: 'skipped'; reason: string };

export interface CalendarUpdateResult {
  change: CalendarChange;
  sequence: number;
  email: UpdateOutcome;
  sms: UpdateOutcome | null;
}

interface UpdateMessage {
  subject: string;
  email: string[];
  sms: string;
}

function updateMessage(business: Business, serviceName: string, contact: Contact, change: CalendarChange, was: CalendarInvite, technicianName: string | null): UpdateMessage {
  const tz = business.timeZone;
  const call = business.phone ? ` Questions? Call ${business.phone}.` : '';
  const hi = `Hi ${contact.firstName ?? contact.name},`;
  if (change.kind === 'cancelled') {
    const when = formatWhen(was.start, tz);
    return {
      subject: `Booking cancelled: ${serviceName} on ${when}`,
      email: [hi, '', `Your ${serviceName} appointment with ${business.name} on ${when} is cancelled.`, 'The attached calendar update removes it from your calendar.', ...(business.phone ? ['', `To book another time, call ${business.phone}.`] : [])],
      sms: `${business.name}: your ${serviceName} appointment on ${when} is cancelled.${call}`,
    };
  }
  const when = formatWhen(change.start, tz);
  const withTech = technicianName ? ` with ${technicianName}` : '';
  return {
    subject: `Booking changed: ${serviceName} on ${when}`,
    email: [hi, '', `Your ${serviceName} appointment with ${business.name} is now on ${when}${withTech}.`, 'The attached calendar update moves it in your calendar.', ...(business.phone ? ['', `Questions? Call ${business.phone}.`] : [])],
    sms: `${business.name}: your ${serviceName} appointment is now on ${when}${withTech}.${call}`,
  };
}

/**
 * After a booked job was moved or cancelled (any route: the jobs API, the
 * booking link, the engine), queues the calendar update in the same
 * transaction: an email with the entry (same UID, SEQUENCE + 1; REQUEST with
 * the new time, or CANCEL), and a short text where the confirmation sent one,
 * each through the compliance gate. Only jobs whose confirmation sent an
 * invite have an entry to update. The outbox keys carry the job and the
 * SEQUENCE, so a retried transaction writes each message once.
 */
export async function queueCalendarUpdate(trx: Executor, scope: Scope, nowIso: string, job: Job): Promise<CalendarUpdateResult | null> {
  const invite = await loadCalendarInvite(trx, scope.businessId, job.id);
  if (!invite) return null;
  const business = await loadBusiness(trx, scope.businessId);
  const service = business.services.find((s) => s.key === job.serviceType);
  const change = calendarChange(invite, job, service?.durationMinutes ?? 60);
  if (!change) return null;
  return sendCalendarUpdate(trx, business, nowIso, job, invite, change);
}

/**
 * A booked job about to be deleted (DELETE /jobs/:id): while its row still
 * exists, in the delete's transaction, an upcoming entry gets the same
 * cancellation as `status: cancelled` (CANCEL, same UID, SEQUENCE + 1, keyed
 * like any update so it is queued once).
 */
export async function queueCalendarCancellationOnDelete(trx: Executor, scope: Scope, nowIso: string, job: Job): Promise<CalendarUpdateResult | null> {
  const invite = await loadCalendarInvite(trx, scope.businessId, job.id);
  const change = calendarChangeOnDelete(invite, job, new Date(nowIso));
  if (!invite || !change) return null;
  const business = await loadBusiness(trx, scope.businessId);
  return sendCalendarUpdate(trx, business, nowIso, job, invite, change);
}

async function sendCalendarUpdate(trx: Executor, business: Business, nowIso: string, job: Job, invite: CalendarInvite, change: CalendarChange): Promise<CalendarUpdateResult> {
  const service = business.services.find((s) => s.key === job.serviceType);
  const next: CalendarInvite = change.kind === 'cancelled' ? { ...invite, sequence: invite.sequence + 1, cancelled: true } : { ...invite, ...change, sequence: invite.sequence + 1, cancelled: false };
  await saveCalendarInvite(trx, business.id, job.id, next);
  const contact = job.contactId ? await loadContact(trx, business.id, job.contactId).catch(() => null) : null;
  if (!contact) return { change, sequence: next.sequence, email: { status: 'skipped', reason: 'no contact' }, sms: null };

  const tech = next.technicianId ? await trx.selectFrom('users').select('name').where('business_id', '=', business.id).where('id', '=', next.technicianId).executeTakeFirst() : undefined;
  const technicianName = tech?.name ?? null;
  const serviceName = service?.name ?? job.serviceType.replace(/_/g, ' ');
  const message = updateMessage(business, serviceName, contact, change, invite, technicianName);
  const now = new Date(nowIso);
  const gateContact = { ...contact, address: contact.address ?? {} };

  const queue = async (channel: 'sms' | 'email'): Promise<UpdateOutcome> => {
    const { decision, address } = await gateCustomerMessage(trx, business, gateContact, channel, 'transactional', now);
    if (decision.action === 'skip' || !address) return { status: 'skipped', reason: decision.action === 'skip' ? decision.reason : 'no address' };
    const common = {
      businessId: business.id,
      channel,
      purpose: 'transactional' as const,
      to: address,
      contactId: contact.id,
      idempotencyKey: `booking:${job.id}:calendar:${next.sequence}:${channel}`,
      notBefore: decision.action === 'defer' ? decision.until.toISOString() : nowIso,
      why: { reason: change.kind === 'cancelled' ? 'booking cancelled: calendar update' : 'booking moved: calendar update' },
    };
    const draft =
      channel === 'sms'
        ? { ...common, body: message.sms }
        : {
            ...common,
            subject: message.subject,
            body: message.email.join('\n'),
            attachments: [
              bookingInvite({
                job: { id: job.id, scheduledStart: next.start, scheduledEnd: next.end },
                business,
                service: { name: serviceName },
                contact,
                technicianName,
                hostname: invite.uid.slice(invite.uid.indexOf('@') + 1),
                now,
                uid: next.uid,
                sequence: next.sequence,
                method: change.kind === 'cancelled' ? 'CANCEL' : 'REQUEST',
              }),
            ],
          };
    const queued = await enqueueMessage(trx, draft, nowIso);
    return { status: 'queued', outboxId: queued.id };
  };
  return { change, sequence: next.sequence, email: await queue('email'), sms: invite.sms ? await queue('sms') : null };
}
