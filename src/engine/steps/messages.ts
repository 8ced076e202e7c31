import { renderTemplate } from '../templates.ts';
import { enqueueMessage, gateCustomerMessage } from '../outbox/enqueue.ts';
import { resolveStaff } from './staff.ts';
import type { StepContext, StepOutcome, StepRunner } from './types.ts';
import type { Contact } from '../../crm/contacts/schema.ts';
import { unsubscribeHeaders, unsubscribeUrl } from '../unsubscribe.ts';
import { bookingUrl } from '../../booking/links.ts';
import { claimContactForMarketing, higherPriorityDue, pickVariant, YIELD_MS } from './contention.ts';

const BUSY_MS = 5_000;

const keyFor = (sc: StepContext, suffix = '') => `enr:${sc.enrollment.id}:${sc.index}:${sc.enrollment.occurrence_key}${suffix}`;

async function sendToContact(sc: StepContext, channel: 'sms' | 'email', message: { body: string; subject: string | null; variant: string | null; purpose: 'marketing' | 'transactional' }): Promise<StepOutcome> {
  const contact = (await sc.facts()).contact as unknown as Contact;
  const { purpose } = message;
  if (purpose === 'marketing' && !(await claimContactForMarketing(sc))) {
    const until = new Date(sc.now.getTime() + BUSY_MS);
    return { next: 'retry_at', until, outcome: 'deferred', detail: { channel, reason: 'another worker is deciding a marketing message for this contact', until: until.toISOString() } };
  }
  const { decision, address } = await gateCustomerMessage(sc.trx, sc.business, contact, channel, purpose, sc.now);
  if (decision.action === 'skip') {
    if (decision.optedOut && sc.def.exitOn.includes('opted_out')) {
      return { next: 'end', status: 'exited', reason: 'opted_out', outcome: 'skipped', detail: { channel, reason: decision.reason } };
    }
    return { next: 'continue', outcome: 'skipped', detail: { channel, reason: decision.reason } };
  }
  if (decision.action === 'defer') {
    return { next: 'retry_at', until: decision.until, outcome: 'deferred', detail: { channel, reason: decision.reason, until: decision.until.toISOString() } };
  }
  if (purpose === 'marketing') {
    const rival = await higherPriorityDue(sc);
    if (rival) {
      const until = new Date(sc.now.getTime() + YIELD_MS);
      return { next: 'retry_at', until, outcome: 'deferred', detail: { channel, reason: `yields to the higher-priority automation "${rival.name}" (priority ${rival.priority}) due for this contact`, until: until.toISOString() } };
    }
  }
  const unsubscribe = channel === 'email' ? await unsubscribeUrl(sc.trx, sc.ctx, sc.business.id, contact.id, address!, sc.now.toISOString()) : null;
  const headers = unsubscribe ? unsubscribeHeaders(unsubscribe) : {};
  const footer = unsubscribe ? emailFooter(sc, unsubscribe) : '';
  const { id, created } = await enqueueMessage(
    sc.trx,
    {
      businessId: sc.business.id,
      channel,
      purpose,
      to: address!,
      subject: message.subject,
      body: message.body + footer,
      headers,
      contactId: contact.id,
      enrollmentId: sc.enrollment.id,
      step: sc.index,
      idempotencyKey: keyFor(sc),
      notBefore: sc.now.toISOString(),
      variant: message.variant,
    },
    sc.now.toISOString(),
  );
  return { next: 'continue', outcome: created ? 'queued' : 'already_queued', detail: { channel, outboxId: id, to: address, body: message.body.slice(0, 320), ...(message.variant ? { variant: message.variant } : {}) } };
}

/** Email must carry the sender's postal address and a way out (CAN-SPAM). */
function emailFooter(sc: StepContext, unsubscribe: string): string {
  const a = sc.business.address;
  const postal = [a.line1, a.city, [a.region, a.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return `\n\n--\n${sc.business.name}${postal ? `, ${postal}` : ''}\nUnsubscribe from these emails: ${unsubscribe}`;
}

/** Template data plus the links a message may carry: `{{ links.booking }}` (signed, per contact) and `{{ links.review }}`. */
async function messageFacts(sc: StepContext): Promise<Record<string, unknown>> {
  const facts = await sc.facts();
  if (!facts.links) facts.links = { booking: bookingUrl(sc.ctx, sc.business.id, sc.enrollment.contact_id), review: sc.business.reviewLink ?? '' };
  return facts;
}

export const sendSms: StepRunner<'send_sms'> = async (step, sc) => {
  const facts = await messageFacts(sc);
  const v = pickVariant(step.variants, sc);
  return sendToContact(sc, 'sms', { body: renderTemplate(v?.body ?? step.body ?? '', facts), subject: null, variant: v?.id ?? null, purpose: step.purpose ?? sc.def.purpose });
};

export const sendEmail: StepRunner<'send_email'> = async (step, sc) => {
  const facts = await messageFacts(sc);
  const v = pickVariant(step.variants, sc);
  return sendToContact(sc, 'email', {
    body: renderTemplate(v?.body ?? step.body ?? '', facts),
    subject: renderTemplate(v?.subject ?? step.subject ?? '', facts),
    variant: v?.id ?? null,
    purpose: step.purpose ?? sc.def.purpose,
  });
};

/** Messages to the team are operational: no consent or quiet hours apply, but each goes through the outbox once. */
export const notifyStaff: StepRunner<'notify_staff'> = async (step, sc) => {
  const users = await resolveStaff(sc, step.to);
  const body = renderTemplate(step.body, await messageFacts(sc));
  const queued: Array<{ userId: string; outboxId: string }> = [];
  const missing: string[] = [];
  for (const u of users.slice(0, 'onCall' in step.to ? 1 : users.length)) {
    const to = step.channel === 'sms' ? u.phone : u.email;
    if (!to) {
      missing.push(u.id);
      continue;
    }
    const { id } = await enqueueMessage(
      sc.trx,
      {
        businessId: sc.business.id,
        channel: step.channel,
        purpose: 'transactional',
        to,
        subject: step.subject ? renderTemplate(step.subject, await sc.facts()) : `${sc.business.name}: ${sc.def.name}`,
        body,
        userId: u.id,
        contactId: sc.enrollment.contact_id,
        enrollmentId: sc.enrollment.id,
        step: sc.index,
        idempotencyKey: keyFor(sc, `:${u.id}`),
        notBefore: sc.now.toISOString(),
      },
      sc.now.toISOString(),
    );
    queued.push({ userId: u.id, outboxId: id });
  }
  if (queued.length === 0) return { next: 'continue', outcome: 'skipped', detail: { reason: 'no team member to notify with a ' + (step.channel === 'sms' ? 'phone' : 'email'), missing } };
  return { next: 'continue', outcome: 'queued', detail: { channel: step.channel, recipients: queued } };
};
