import type { AppContext } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { messageIdHostname } from '../channels/registry.ts';
import type { Business, Service } from '../crm/businesses/schema.ts';
import type { Contact } from '../crm/contacts/schema.ts';
import type { Job } from '../crm/jobs/jobs.ts';
import { enqueueMessage, gateCustomerMessage } from '../engine/outbox/enqueue.ts';
import { saveCalendarInvite, type CalendarInvite } from './calendar.ts';
import { bookingInvite, formatWhen, inviteUid } from './invite.ts';
import { bookingUrl } from './links.ts';

export { bookingInvite, formatWhen, type InviteInput } from './invite.ts';

export type ConfirmationOutcome = { status: 'queued'; outboxId: string } | { status: 'skipped'; reason: string };

export interface ConfirmInput {
  business: Business;
  service: Service;
  contact: Contact;
  job: Job;
  technicianName: string | null;
  now: Date;
  /**
   * The calendar entry of the booking this one replaces (moved through the
   * booking link): the invite updates that entry (same UID, next SEQUENCE)
   * instead of adding a second one.
   */
  replaces?: CalendarInvite | null;
}

/**
 * Queues the booking confirmation by SMS and by email (with the invite),
 * through the compliance gate as transactional messages, in the booking's
 * own transaction. Each is skipped (with the reason) where there is no
 * address or the contact opted out of that channel. When the invite is
 * queued, the job remembers the calendar entry (jobs.calendar_invite) so a
 * later move or cancellation updates it (calendar.ts).
 */
export async function queueBookingConfirmations(trx: Executor, ctx: AppContext, c: ConfirmInput): Promise<{ sms: ConfirmationOutcome; email: ConfirmationOutcome }> {
  const when = formatWhen(c.job.scheduledStart as string, c.business.timeZone);
  const link = bookingUrl(ctx, c.business.id, c.contact.id);
  const withTech = c.technicianName ? ` with ${c.technicianName}` : '';
  const nowIso = c.now.toISOString();
  const gateContact = { ...c.contact, address: c.contact.address ?? {} };
  const hostname = messageIdHostname(ctx.config.publicUrl);
  const moved = Boolean(c.replaces && !c.replaces.cancelled);
  const uid = moved ? c.replaces!.uid : inviteUid(c.job.id, hostname);
  const sequence = moved ? c.replaces!.sequence + 1 : 0;

  const queue = async (channel: 'sms' | 'email'): Promise<ConfirmationOutcome> => {
    const { decision, address } = await gateCustomerMessage(trx, c.business, gateContact, channel, 'transactional', c.now);
    if (decision.action === 'skip' || !address) return { status: 'skipped', reason: decision.action === 'skip' ? decision.reason : 'no address' };
    const notBefore = decision.action === 'defer' ? decision.until.toISOString() : nowIso;
    const common = { businessId: c.business.id, channel, purpose: 'transactional' as const, to: address, contactId: c.contact.id, idempotencyKey: `booking:${c.job.id}:${c.job.scheduledStart}:${channel}`, notBefore, why: { reason: moved ? 'booking moved: confirmation' : 'booking confirmation' } };
    const queued =
      channel === 'sms'
        ? await enqueueMessage(trx, { ...common, body: `${c.business.name}: ${moved ? `your ${c.service.name} is moved to` : `you're booked for ${c.service.name} on`} ${when}${withTech}. To change or cancel: ${link}` }, nowIso)
        : await enqueueMessage(
            trx,
            {
              ...common,
              subject: `${moved ? 'Booking moved' : 'Booking confirmed'}: ${c.service.name} on ${when}`,
              body: [
                `Hi ${c.contact.firstName ?? c.contact.name},`,
                '',
                `You're booked with ${c.business.name} for ${c.service.name} on ${when}${withTech}.`,
                moved ? 'The attached calendar update moves your appointment in your calendar.' : 'The calendar invite is attached.',
                '',
                `To change or cancel: ${link}`,
                ...(c.business.phone ? ['', `Questions? Call ${c.business.phone}.`] : []),
              ].join('\n'),
              attachments: [bookingInvite({ job: c.job, business: c.business, service: c.service, contact: c.contact, technicianName: c.technicianName, hostname, now: c.now, uid, sequence })],
            },
            nowIso,
          );
    return { status: 'queued', outboxId: queued.id };
  };
  const sms = await queue('sms');
  const email = await queue('email');
  if (email.status === 'queued') {
    await saveCalendarInvite(trx, c.business.id, c.job.id, {
      uid,
      sequence,
      sms: sms.status === 'queued',
      start: new Date(c.job.scheduledStart as string).toISOString(),
      end: new Date(c.job.scheduledEnd as string).toISOString(),
      technicianId: c.job.technicianUserId,
      cancelled: false,
    });
  }
  return { sms, email };
}
