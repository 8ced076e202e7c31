import type { AppContext, Scope } from '../context.ts';
import { classifyKeyword } from '../compliance/keywords.ts';
import { appendConsents } from '../crm/contacts/consent.ts';
import { creationEvents } from '../crm/contacts/contacts.ts';
import { prepareNewContact } from '../crm/contacts/prepare.ts';
import { interactions } from '../crm/interactions/interactions.ts';
import { loadBusiness, toBusiness } from '../crm/businesses/businesses.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { AppError } from '../lib/errors.ts';
import { isoNow } from '../lib/clock.ts';
import { newId } from '../lib/ids.ts';
import type { Executor } from '../db/database.ts';
import { markOptedOut } from './outbox/opt-out.ts';
import { rememberSender } from './outbox/sender.ts';
import { recordDelivery } from './outbox/on-record.ts';
import { noteInbound, ownerOfNumber } from '../crm/businesses/numbers.ts';
import { handleStaffText, teamMemberByPhone } from '../voice/acknowledge.ts';
import { InboundEmailRejection, repliedOutboxIds, type InboundEmail } from '../channels/inbound-email.ts';

/** The business that owns a phone number (business_numbers: one owner per number). */
export async function businessByNumber(ctx: AppContext, number: string): Promise<Business | null> {
  const row = await ctx.db.kysely
    .selectFrom('business_numbers')
    .innerJoin('businesses', 'businesses.id', 'business_numbers.business_id')
    .selectAll('businesses')
    .where('business_numbers.number', '=', number.trim())
    .executeTakeFirst();
  return row ? toBusiness(row) : null;
}

/** Finds the contact with this phone, or creates a lead (source "inbound_sms" / "inbound_call"). */
export async function contactForPhone(trx: Executor, business: Business, phone: string, source: string, now: string): Promise<{ id: string; created: boolean }> {
  const hit = await trx.selectFrom('contact_identities').select('contact_id').where('business_id', '=', business.id).where('kind', '=', 'phone').where('value', '=', phone).orderBy('contact_id').executeTakeFirst();
  if (hit) return { id: hit.contact_id, created: false };
  const id = newId();
  const prepared = await prepareNewContact(business, { phone, source }, id, now);
  await trx.insertInto('contacts').values(prepared.row).execute();
  await trx.insertInto('contact_identities').values(prepared.identities).execute();
  await recordChange(trx, { businessId: business.id, actor: { type: 'system', id: null } }, now, { entityType: 'contact', entityId: id, action: 'create', after: { phone, source }, events: creationEvents(id, 'lead', source) });
  return { id, created: true };
}

/** A text to one of the business's numbers (`to`: which one, when known). */
export interface InboundText {
  from: string;
  to?: string | null;
  body: string;
  messageSid: string;
}

export interface InboundSmsResult {
  contactId: string;
  intent: 'opt_out' | 'opt_in' | 'help' | 'message';
  /** A reply to send straight back in the TwiML response (keyword confirmations). */
  reply: string | null;
}

/**
 * A text arrived at a business number. From a team member's phone it is
 * theirs, not a customer's: a reply such as 1 or OK takes the on-call page
 * they were sent (voice/acknowledge.ts), and no contact or lead is made of
 * it. Anything else is a customer's text (handleInboundSms).
 */
export async function handleInboundText(ctx: AppContext, business: Business, msg: InboundText): Promise<{ from: 'staff'; reply: string | null } | ({ from: 'customer' } & InboundSmsResult)> {
  if (msg.to) await noteInbound(ctx.db.kysely, business.id, msg.to, isoNow(ctx.clock));
  const staffReply = await ctx.db.transaction(async (trx) => {
    const staff = await teamMemberByPhone(trx, business.id, msg.from);
    return staff ? (await handleStaffText(trx, business, staff, msg.body, ctx.clock.now())).reply : undefined;
  });
  if (staffReply !== undefined) return { from: 'staff', reply: staffReply };
  return { from: 'customer', ...(await handleInboundSms(ctx, business, msg)) };
}

/**
 * A customer's text. STOP-style words (and plain "please stop texting me")
 * revoke SMS consent and get exactly one confirmation; START re-subscribes;
 * HELP answers with the business's contact details. Anything else is a reply:
 * logged on the timeline, which ends sequences that stop on a reply.
 */
export async function handleInboundSms(ctx: AppContext, business: Business, msg: InboundText): Promise<InboundSmsResult> {
  const intent = classifyKeyword(msg.body);
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    const scope: Scope = { businessId: business.id, actor: { type: 'system', id: null } };
    const duplicate = await trx.selectFrom('interactions').select(['contact_id']).where('business_id', '=', business.id).where('external_id', '=', msg.messageSid).executeTakeFirst();
    if (duplicate) return { contactId: duplicate.contact_id, intent: intent ?? 'message', reply: null }; // Twilio retried the webhook
    const contact = await contactForPhone(trx, business, msg.from, 'inbound_sms', now);
    // They texted this number: the business answers them from it from now on (sticky sender).
    if (msg.to && (await ownerOfNumber(trx, msg.to))?.businessId === business.id) await rememberSender(trx, business.id, msg.from, msg.to, now);
    const at = msg.to ? ` to ${msg.to}` : '';
    await interactions.createIn(trx, scope, { contactId: contact.id, kind: 'sms', direction: 'inbound', body: msg.body, externalId: msg.messageSid, metadata: intent ? { keyword: intent } : {} }, now);
    let reply: string | null = null;
    if (intent === 'opt_out') {
      await markOptedOut(trx, business.id, contact.id, 'sms', msg.from, `inbound SMS${at}: "${msg.body.slice(0, 100)}"`, now);
      reply = `${business.name}: you are unsubscribed and will get no more texts from us. Reply START to opt back in.`;
    } else if (intent === 'opt_in') {
      const events = await appendConsents(trx, scope, contact.id, [{ channel: 'sms', status: 'granted', method: 'sms_keyword', evidence: `inbound SMS${at}: "${msg.body.slice(0, 100)}"` }], now);
      await trx.deleteFrom('suppressions').where('business_id', '=', business.id).where('channel', '=', 'sms').where('address', '=', msg.from).execute();
      await recordChange(trx, scope, now, { entityType: 'contact', entityId: contact.id, action: 'update', before: {}, after: { consent: { channel: 'sms', status: 'granted' } }, events });
      reply = `${business.name}: you are subscribed to texts again. Reply STOP to opt out, HELP for help.`;
    } else if (intent === 'help') {
      reply = `${business.name}: ${[business.phone, business.email].filter(Boolean).join(' · ') || 'reply here and we will get back to you'}. Reply STOP to opt out. Msg & data rates may apply.`;
    }
    return { contactId: contact.id, intent: intent ?? 'message', reply };
  });
}

/** A delivery update from the SMS provider: move the outbox row forward, and an opted-out carrier error revokes consent. */
export async function handleSmsStatus(ctx: AppContext, update: { messageSid: string; status: string; errorCode: number | null; errorMessage: string | null }): Promise<boolean> {
  return ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('outbox').selectAll().where('provider_message_id', '=', update.messageSid).executeTakeFirst();
    if (!row) return false;
    const now = isoNow(ctx.clock);
    const state = update.status === 'delivered' ? 'delivered' : update.status === 'failed' || update.status === 'undelivered' ? 'failed' : null;
    if (state && row.state !== 'delivered') {
      await trx
        .updateTable('outbox')
        .set({ state, delivered_at: state === 'delivered' ? now : row.delivered_at, last_error: update.errorCode ? `${update.errorCode} ${update.errorMessage ?? ''}`.trim() : row.last_error, updated_at: now })
        .where('id', '=', row.id)
        .execute();
      await recordDelivery(trx, row.business_id, row.id, state);
    }
    if (update.errorCode === 21610 && row.contact_id) {
      await markOptedOut(trx, row.business_id, row.contact_id, 'sms', row.to_address, 'carrier reported the recipient unsubscribed (21610)', now);
    }
    return true;
  });
}

export function assertKnownBusiness(b: Business | null, number: string): Business {
  if (!b) throw new AppError('NOT_FOUND', `no business uses the number ${number}`);
  return b;
}

/**
 * An email arrived (SMTP receiver or the raw-MIME webhook). The business is
 * the one whose message it answers (In-Reply-To/References → our Message-ID),
 * else the one whose address it was sent to. Replies end sequences that stop
 * on a reply; automatic replies are only noted.
 */
export async function handleInboundEmail(ctx: AppContext, email: InboundEmail, hostname: string, forBusinessId?: string): Promise<{ businessId: string; contactId: string } | null> {
  if (!email.from?.address) throw new InboundEmailRejection('the message has no From address', { permanent: true });
  const from = email.from.address.toLowerCase();
  let business: Business | null = forBusinessId
    ? await loadBusiness(ctx.db.kysely, forBusinessId)
    : null;
  const outboxIds = repliedOutboxIds(email, hostname);
  if (!business && outboxIds.length) {
    const row = await ctx.db.kysely.selectFrom('outbox').select('business_id').where('id', 'in', outboxIds).executeTakeFirst();
    if (row) business = await loadBusiness(ctx.db.kysely, row.business_id);
  }
  if (!business) {
    for (const r of await ctx.db.kysely.selectFrom('businesses').selectAll().execute()) {
      const b = toBusiness(r);
      const inboxes = [b.email, ...(Array.isArray(b.settings.inboundEmails) ? (b.settings.inboundEmails as string[]) : [])].filter(Boolean).map((a) => a!.toLowerCase());
      if (email.to.some((t) => inboxes.includes(t)) || email.cc.some((t) => inboxes.includes(t))) {
        business = b;
        break;
      }
    }
  }
  if (!business) throw new InboundEmailRejection('no business receives mail at this address', { permanent: true });
  const biz = business;
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    const scope: Scope = { businessId: biz.id, actor: { type: 'system', id: null } };
    if (email.messageId) {
      const dup = await trx.selectFrom('interactions').select('contact_id').where('business_id', '=', biz.id).where('external_id', '=', email.messageId).executeTakeFirst();
      if (dup) return { businessId: biz.id, contactId: dup.contact_id };
    }
    const hit = await trx.selectFrom('contact_identities').select('contact_id').where('business_id', '=', biz.id).where('kind', '=', 'email').where('value', '=', from).orderBy('contact_id').executeTakeFirst();
    let contactId = hit?.contact_id;
    if (!contactId) {
      contactId = newId();
      const prepared = await prepareNewContact(biz, { email: from, name: email.from?.name ?? null, source: 'inbound_email' }, contactId, now);
      await trx.insertInto('contacts').values(prepared.row).execute();
      await trx.insertInto('contact_identities').values(prepared.identities).execute();
      await recordChange(trx, scope, now, { entityType: 'contact', entityId: contactId, action: 'create', after: { email: from, source: 'inbound_email' }, events: creationEvents(contactId, 'lead', 'inbound_email') });
    }
    const body = (email.text ?? '').slice(0, 100_000);
    if (email.automated) {
      await interactions.createIn(trx, scope, { contactId, kind: 'note', subject: `Automatic reply: ${email.subject ?? ''}`.slice(0, 200), body, externalId: email.messageId, metadata: { automated: true } }, now);
    } else {
      await interactions.createIn(trx, scope, { contactId, kind: 'email', direction: 'inbound', subject: email.subject?.slice(0, 200) ?? null, body, externalId: email.messageId, metadata: outboxIds.length ? { inReplyTo: outboxIds.join(' ') } : {} }, now);
    }
    return { businessId: biz.id, contactId };
  });
}
