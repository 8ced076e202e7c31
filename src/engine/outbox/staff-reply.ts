import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { getContact } from '../../crm/contacts/contacts.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { enqueueMessage, gateCustomerMessage } from './enqueue.ts';

const replyInput = z
  .object({
    channel: z.enum(['sms', 'email']),
    body: z.string().trim().min(1, 'write a message').max(1600),
    subject: z.string().trim().min(1).max(200).optional(),
    /** Sent by the dashboard per reply, so a double click or a retried request queues one message. */
    idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  })
  .strict()
  .refine((r) => r.channel === 'sms' || Boolean(r.subject), { message: 'an email needs a subject', path: ['subject'] });

/**
 * A person's reply to a contact, typed in the inbox. It goes through the same
 * compliance gate as automated messages (an opted-out contact cannot be
 * texted; quiet hours delay it) and into the outbox.
 */
export async function sendStaffReply(ctx: AppContext, scope: Scope, contactId: string, input: unknown) {
  const r = parseInput(replyInput, input);
  return ctx.db.transaction(async (trx) => {
    const contact = await getContact(ctx, scope, contactId, trx);
    const business = await getBusiness(ctx, scope.businessId, trx);
    const now = ctx.clock.now();
    const { decision, address } = await gateCustomerMessage(trx, business, { ...contact, address: contact.address ?? {} }, r.channel, 'transactional', now);
    if (decision.action === 'skip') throw new AppError('CONFLICT', `cannot send this ${r.channel === 'sms' ? 'text' : 'email'}: ${decision.reason}`, { reason: decision.reason, optedOut: decision.optedOut ?? false });
    const notBefore = decision.action === 'defer' ? decision.until.toISOString() : now.toISOString();
    const { id } = await enqueueMessage(
      trx,
      {
        businessId: scope.businessId,
        channel: r.channel,
        purpose: 'transactional',
        to: address!,
        subject: r.channel === 'email' ? r.subject : null,
        body: r.body,
        contactId: contact.id,
        why: { reason: 'reply from the inbox', actorUserId: scope.actor.type === 'user' ? scope.actor.id : null },
        idempotencyKey: `reply:${scope.businessId}:${r.idempotencyKey ?? newId()}`,
        notBefore,
      },
      now.toISOString(),
    );
    return { id, state: 'queued', notBefore, deferredBecause: decision.action === 'defer' ? decision.reason : null };
  });
}
