import { wakeWorkersOnCommit, type Executor } from '../../db/database.ts';
import { complianceSettings, decideSend, type SendDecision } from '../../compliance/gate.ts';
import type { Business } from '../../crm/businesses/schema.ts';
import type { MessageAttachment } from '../../channels/types.ts';
import { newId } from '../../lib/ids.ts';
import { emailSenderFor, smsSenderFor } from './sender.ts';
import { recordOutbound, type MessageOrigin } from './on-record.ts';

export interface MessageDraft {
  businessId: string;
  channel: 'sms' | 'email';
  purpose: 'transactional' | 'marketing';
  to: string;
  subject?: string | null;
  body: string;
  html?: string | null;
  headers?: Record<string, string>;
  /** Email only: files sent with the message (a calendar invite). */
  attachments?: MessageAttachment[];
  contactId?: string | null;
  userId?: string | null;
  enrollmentId?: string | null;
  step?: number | null;
  /** The A/B variant of the step this message came from. */
  variant?: string | null;
  /** Unique per intended message: a retry of the same step reuses it, so the row is written once. */
  idempotencyKey: string;
  notBefore: string;
  /** A test send from Settings (to the team): marked on the row, never a customer message. */
  isTest?: boolean;
  /** Who or what sent it and why, for the contact's timeline (an automation step is found from enrollmentId). */
  why?: MessageOrigin;
}

/**
 * Writes one outbox row (queued), with the business's own sender on it (see
 * sender.ts). Returns its id, or the existing row's id when the key was already used.
 */
export async function enqueueMessage(trx: Executor, m: MessageDraft, now: string): Promise<{ id: string; created: boolean }> {
  const existing = await trx.selectFrom('outbox').select('id').where('idempotency_key', '=', m.idempotencyKey).executeTakeFirst();
  if (existing) return { id: existing.id, created: false };
  const id = newId();
  let from: string | null;
  let headers = m.headers ?? {};
  if (m.channel === 'sms') from = await smsSenderFor(trx, m.businessId, m.to, now);
  else {
    const sender = await emailSenderFor(trx, m.businessId);
    from = sender.from;
    if (sender.replyTo && !Object.keys(headers).some((h) => h.toLowerCase() === 'reply-to')) headers = { ...headers, 'Reply-To': sender.replyTo };
  }
  await trx
    .insertInto('outbox')
    .values({
      id,
      business_id: m.businessId,
      contact_id: m.contactId ?? null,
      user_id: m.userId ?? null,
      enrollment_id: m.enrollmentId ?? null,
      step: m.step ?? null,
      idempotency_key: m.idempotencyKey,
      channel: m.channel,
      purpose: m.purpose,
      to_address: m.to,
      from_address: from,
      subject: m.subject ?? null,
      body: m.body,
      html: m.html ?? null,
      headers: JSON.stringify(headers),
      ...(m.attachments?.length ? { attachments: JSON.stringify(m.attachments) } : {}),
      state: 'queued',
      provider: null,
      provider_message_id: null,
      attempts: 0,
      not_before: m.notBefore,
      last_error: null,
      locked_by: null,
      locked_until: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
      delivered_at: null,
      variant: m.variant ?? null,
      is_test: m.isTest ? 1 : 0,
    })
    .execute();
  // Sent as soon as this commits (by this process's worker; another process's when this one runs none).
  await wakeWorkersOnCommit(trx, { remote: 'if-no-local-worker' });
  if (m.contactId) {
    await recordOutbound(
      trx,
      { businessId: m.businessId, outboxId: id, channel: m.channel, purpose: m.purpose, contactId: m.contactId, toUserId: m.userId ?? null, to: m.to, from, subject: m.subject ?? null, body: m.body, enrollmentId: m.enrollmentId ?? null, step: m.step ?? null, variant: m.variant ?? null, why: m.why ?? null },
      now,
    );
  }
  return { id, created: true };
}

/** Reads what the compliance gate needs about one contact and decides. */
export async function gateCustomerMessage(
  trx: Executor,
  business: Business,
  contact: { id: string; phone: string | null; email: string | null; timeZone: string | null; address: { region?: string }; consent: Record<string, { status: string }> },
  channel: 'sms' | 'email',
  purpose: 'transactional' | 'marketing',
  now: Date,
  opts: { answersTheirMessage?: boolean } = {},
): Promise<{ decision: SendDecision; address: string | null }> {
  const address = channel === 'sms' ? contact.phone : contact.email;
  const suppressed = address
    ? Boolean(await trx.selectFrom('suppressions').select('address').where('business_id', '=', business.id).where('channel', '=', channel).where('address', '=', address).executeTakeFirst())
    : false;
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString();
  const recent = purpose === 'marketing'
    ? await trx
        .selectFrom('outbox')
        .select('created_at')
        .where('business_id', '=', business.id)
        .where('contact_id', '=', contact.id)
        .where('purpose', '=', 'marketing')
        .where('state', 'not in', ['failed', 'cancelled'])
        .where('created_at', '>', weekAgo)
        .execute()
    : [];
  const decision = decideSend({
    channel,
    purpose,
    now,
    address,
    consent: (contact.consent[channel]?.status ?? 'unknown') as 'granted' | 'revoked' | 'unknown',
    suppressed,
    timeZone: contact.timeZone ?? business.timeZone,
    state: contact.address.region ?? null,
    settings: complianceSettings(business.settings),
    recentMarketingSends: recent.map((r) => new Date(r.created_at)),
    answersTheirMessage: opts.answersTheirMessage ?? false,
  });
  return { decision, address };
}
