import type { Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { interactionRow, refreshLastInteraction } from '../../crm/interactions/interactions.ts';
import { appendEvents, event } from '../../events/record.ts';
import { newId } from '../../lib/ids.ts';

/**
 * Every message Kinetic sends about a contact is written back to the record,
 * in the transaction that queues it: an outbound text or email on the
 * contact's timeline (a page or alert to a team member about the contact is a
 * note), saying who or what sent it and why — the automation and its step,
 * the person who replied or approved a draft, or the system flow (booking
 * confirmation, missed-call text-back). `external_id` is `outbox:<id>`, and
 * the interaction's outcome follows the message: queued → sent → delivered,
 * or failed / cancelled.
 */
export interface MessageOrigin {
  /** Why it was sent, in words ("reply from the inbox", "booking confirmation"). */
  reason: string;
  /** The team member who sent it (a typed reply, an approved draft). */
  actorUserId?: string | null;
}

export interface OutboundRecordInput {
  businessId: string;
  outboxId: string;
  channel: 'sms' | 'email';
  purpose: string;
  contactId: string;
  /** Set when the message goes to a team member (about this contact), not to the contact. */
  toUserId: string | null;
  to: string;
  from: string | null;
  subject: string | null;
  body: string;
  enrollmentId: string | null;
  step: number | null;
  variant: string | null;
  why: MessageOrigin | null;
}

export const outboxRef = (outboxId: string): string => `outbox:${outboxId}`;

export async function recordOutbound(trx: Executor, m: OutboundRecordInput, now: string): Promise<void> {
  const automation = m.enrollmentId
    ? await trx
        .selectFrom('enrollments')
        .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
        .select(['automations.id', 'automations.name'])
        .where('enrollments.id', '=', m.enrollmentId)
        .where('enrollments.business_id', '=', m.businessId)
        .executeTakeFirst()
    : undefined;
  // The person who sent it, when they are a user of this business (an API key or the CLI acting is "system").
  const actor = m.why?.actorUserId
    ? ((await trx.selectFrom('users').select('id').where('id', '=', m.why.actorUserId).where('business_id', '=', m.businessId).executeTakeFirst())?.id ?? null)
    : null;
  const by = actor ? 'person' : automation ? 'automation' : 'system';
  const reason = m.why?.reason ?? (automation ? `automation "${automation.name}"` : 'sent by Kinetic');
  const scope: Scope = { businessId: m.businessId, actor: actor ? { type: 'user', id: actor } : { type: automation ? 'automation' : 'system', id: null } };
  const metadata: Record<string, unknown> = {
    outboxId: m.outboxId,
    by,
    reason,
    purpose: m.purpose,
    ...(automation ? { automationId: automation.id, automationName: automation.name, enrollmentId: m.enrollmentId, step: m.step } : {}),
    ...(m.variant ? { variant: m.variant } : {}),
    ...(m.from ? { from: m.from } : {}),
  };
  // Written directly rather than through the interactions resource: the contact and the person were
  // checked by the caller, and the outbox row is this message's audit record. Its event is the usual one.
  const input = m.toUserId
    ? {
        contactId: m.contactId,
        kind: 'note' as const,
        subject: `${m.channel === 'sms' ? 'Texted' : 'Emailed'} ${(await trx.selectFrom('users').select('name').where('id', '=', m.toUserId).where('business_id', '=', m.businessId).executeTakeFirst())?.name ?? 'a team member'} about this contact`,
        body: m.body,
        outcome: 'queued',
        externalId: outboxRef(m.outboxId),
        metadata: { ...metadata, toUserId: m.toUserId },
      }
    : { contactId: m.contactId, kind: m.channel, direction: 'outbound' as const, subject: m.subject, body: m.body, outcome: 'queued', userId: actor, externalId: outboxRef(m.outboxId), metadata: { ...metadata, to: m.to } };
  const id = newId();
  const row = { ...interactionRow(input, now), id, business_id: m.businessId, created_at: now };
  await trx.insertInto('interactions').values(row).execute();
  // A person's message touches the contact; one Kinetic sent by itself does not (see refreshLastInteraction).
  if (actor) await refreshLastInteraction(trx, m.businessId, m.contactId);
  await appendEvents(trx, m.businessId, scope.actor, now, [event('interaction.logged', { contactId: m.contactId, interactionId: id, kind: row.kind, direction: row.direction, outcome: row.outcome })]);
}

/** The message's new state on its interaction; `at` (when sent) moves the interaction to the time it really went out. */
export async function recordDelivery(trx: Executor, businessId: string, outboxId: string, state: string, at: string | null = null): Promise<void> {
  await trx
    .updateTable('interactions')
    .set({ outcome: state, ...(at ? { occurred_at: at } : {}) })
    .where('business_id', '=', businessId)
    .where('external_id', '=', outboxRef(outboxId))
    .execute();
}
