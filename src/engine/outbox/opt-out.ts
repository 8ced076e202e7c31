import type { Executor } from '../../db/database.ts';
import { appendConsents } from '../../crm/contacts/consent.ts';
import { recordChange } from '../../crm/shared/audit.ts';
import { cancelQueuedMessages } from './cancel.ts';

/**
 * A contact said no (STOP, unsubscribe link, carrier error 21610): record the
 * revocation as consent evidence, suppress the address, and cancel anything
 * still queued for it. The consent event ends sequences that exit on opt-out.
 */
export async function markOptedOut(trx: Executor, businessId: string, contactId: string, channel: 'sms' | 'email', address: string, evidence: string, at: string): Promise<void> {
  const scope = { businessId, actor: { type: 'system' as const, id: null } };
  const method = channel === 'sms' ? 'sms_keyword' : 'email_link';
  const events = await appendConsents(trx, scope, contactId, [{ channel, status: 'revoked', method, evidence }], at);
  await trx
    .insertInto('suppressions')
    .values({ business_id: businessId, channel, address, reason: evidence.slice(0, 200), created_at: at })
    .onConflict((oc) => oc.columns(['business_id', 'channel', 'address']).doNothing())
    .execute();
  // Only messages to the customer: a team member sharing the address still gets their operational texts.
  await cancelQueuedMessages(trx, businessId, { toAddress: address, customersOnly: true }, 'recipient opted out', at);
  await recordChange(trx, scope, at, { entityType: 'contact', entityId: contactId, action: 'update', before: {}, after: { consent: { channel, status: 'revoked', method } }, events });
}
