import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { Business } from '../../crm/businesses/schema.ts';
import { getContact } from '../../crm/contacts/contacts.ts';
import { tasks } from '../../crm/tasks/tasks.ts';
import { enqueueMessage, gateCustomerMessage } from '../../engine/outbox/enqueue.ts';
import { appendEvents, event } from '../../events/record.ts';
import { installPlaybook } from '../../playbooks/install.ts';
import { safetyMessage, type Hazard } from './safety.ts';

/**
 * An emergency that arrives by text, email or voicemail is routed like an emergency
 * call: the customer is sent the safety message for their hazard at once (no
 * approval: it promises only what is already happening), and on-call is paged
 * through the "Emergencies by text and email" automation — escalation down
 * the chain, acknowledgement by a reply of 1 or OK, the unacknowledged
 * emergency at the top of Today. A business that never installed that
 * automation gets it, enabled, with its first emergency message; one that
 * turned it off gets an urgent callback task for the owner instead, so the
 * emergency is never only a draft waiting in a queue.
 */
export const EMERGENCY_PLAYBOOK = 'emergency-messages';

export interface EmergencyRouting {
  hazard: Hazard;
  safetyOutboxId: string | null;
  paged: boolean;
  taskId: string | null;
}

const excerptOf = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 160);

export async function routeEmergencyMessage(
  trx: Executor,
  ctx: AppContext,
  business: Business,
  /** channel: where the safety message goes; via: how the emergency came in, when not that channel (a voicemail, answered by text). */
  m: { contactId: string; interactionId: string; classificationId: string; channel: 'sms' | 'email'; via?: 'voicemail'; text: string; subject: string | null },
  now: string,
): Promise<EmergencyRouting> {
  const scope: Scope = { businessId: business.id, actor: { type: 'system', id: null } };
  let automation = await trx.selectFrom('automations').select(['id', 'status']).where('business_id', '=', business.id).where('trigger_event', '=', 'intake.emergency').orderBy('created_at').executeTakeFirst();
  if (!automation) {
    const installed = await installPlaybook(ctx, scope, EMERGENCY_PLAYBOOK, { enable: true }, trx);
    automation = { id: installed.id, status: 'enabled' };
  }
  const paging = automation.status === 'enabled' && business.onCall.rotation.length > 0;

  // The safety message first, on the channel they used, through the compliance gate (an opt-out still holds).
  const contact = await getContact(ctx, scope, m.contactId, trx);
  const safety = safetyMessage(business.name, m.text, paging);
  const gateContact = { ...contact, address: contact.address ?? {} };
  // They wrote to us minutes ago about an emergency: the answer is not held for quiet hours (consent and opt-outs still apply).
  const { decision, address } = await gateCustomerMessage(trx, business, gateContact, m.channel, 'transactional', new Date(now), { answersTheirMessage: true });
  let safetyOutboxId: string | null = null;
  if (decision.action !== 'skip' && address) {
    const queued = await enqueueMessage(
      trx,
      {
        businessId: business.id,
        channel: m.channel,
        purpose: 'transactional',
        to: address,
        subject: m.channel === 'email' ? `Re: ${m.subject?.replace(/^re:\s*/i, '') || 'your emergency'}` : null,
        body: safety.body,
        contactId: contact.id,
        idempotencyKey: `emergency:${m.interactionId}:safety`,
        notBefore: decision.action === 'defer' ? decision.until.toISOString() : now,
        why: { reason: `emergency (${safety.hazard.replace(/_/g, ' ')}): safety advice` },
      },
      now,
    );
    safetyOutboxId = queued.id;
  }

  await appendEvents(trx, business.id, scope.actor, now, [
    event('intake.emergency', { contactId: contact.id, interactionId: m.interactionId, classificationId: m.classificationId, channel: m.via ?? m.channel, hazard: safety.hazard, excerpt: excerptOf(m.text), safetyOutboxId }),
  ]);

  let taskId: string | null = null;
  if (!paging) {
    const owner = await trx.selectFrom('users').select('id').where('business_id', '=', business.id).where('role', '=', 'owner').where('disabled_at', 'is', null).orderBy('created_at').executeTakeFirst();
    const task = await tasks.createIn(
      trx,
      scope,
      { title: `Call back now: emergency ${m.via ?? (m.channel === 'sms' ? 'text' : 'email')}`, description: excerptOf(m.text), contactId: contact.id, assigneeUserId: owner?.id ?? null, dueAt: now, status: 'open', origin: 'automation', originRef: `emergency:${m.interactionId}`, kind: 'emergency' },
      now,
    );
    taskId = task.id;
  }
  return { hazard: safety.hazard, safetyOutboxId, paged: paging, taskId };
}
