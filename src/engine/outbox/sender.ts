import type { Executor } from '../../db/database.ts';

/**
 * Who a message is from, decided when it is queued and written on its outbox
 * row, so the row says what the provider will be asked to do.
 *
 * SMS: the business's Messaging Service when it has one (Twilio then keeps a
 * sticky sender within the pool); else one of its own numbers — those
 * verified on its Twilio account first — and always the same one for a
 * recipient (sticky sender: the number they last texted, or the one first
 * used for them). A business with no number of its own gets null, and the
 * send is refused with an error that says so: it never borrows another
 * business's number. (Whether an unverified number may send depends on the
 * provider: the dev outbox takes any, Twilio only the account's own; dispatch
 * checks that before calling Twilio.)
 *
 * Email: the business's own From (name and address) when it has one, else
 * null — the provider then sends as "Business name <SMTP_FROM address>" and
 * the row records it at send time. Reply-To is the business's reply-to
 * address or its email, so replies reach the business, not the install.
 */
const E164 = /^\+[1-9]\d{6,14}$/;

export async function channelsRow(trx: Executor, businessId: string) {
  return trx.selectFrom('business_channels').selectAll().where('business_id', '=', businessId).executeTakeFirst();
}

/** The numbers this business may send from: verified ones first, each group oldest first. */
export async function sendingNumbers(trx: Executor, businessId: string): Promise<string[]> {
  const rows = await trx.selectFrom('business_numbers').select('number').where('business_id', '=', businessId).orderBy('verified', 'desc').orderBy('created_at').orderBy('number').execute();
  return rows.map((r) => r.number).filter((n) => E164.test(n));
}

/** The From of a text from this business to `to` (E.164 number or MG… sid), or null when it has no sender. Records the sticky choice. */
export async function smsSenderFor(trx: Executor, businessId: string, to: string, now: string): Promise<string | null> {
  const channels = await channelsRow(trx, businessId);
  if (channels?.messaging_service_sid) return channels.messaging_service_sid;
  const numbers = await sendingNumbers(trx, businessId);
  if (!numbers.length) return null;
  const sticky = await trx.selectFrom('sms_senders').select('number').where('business_id', '=', businessId).where('address', '=', to).executeTakeFirst();
  if (sticky && numbers.includes(sticky.number)) return sticky.number;
  const chosen = numbers[0];
  await rememberSender(trx, businessId, to, chosen, now);
  return chosen;
}

/** Texts to `address` from this business come from `number` from now on (a customer texted it, or it was chosen for them). */
export async function rememberSender(trx: Executor, businessId: string, address: string, number: string, now: string): Promise<void> {
  await trx
    .insertInto('sms_senders')
    .values({ business_id: businessId, address, number, updated_at: now })
    .onConflict((oc) => oc.columns(['business_id', 'address']).doUpdateSet({ number, updated_at: now }))
    .execute();
}

export const emailDisplayName = (s: string): string => s.replace(/["\\\r\n<>]/g, '').trim().slice(0, 100);
export const emailAddressOf = (from: string): string => (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
export const formatFrom = (name: string, address: string): string => (emailDisplayName(name) ? `"${emailDisplayName(name)}" <${address}>` : address);

/** The business's own From (or null: the install's address under the business's name, at send time) and its Reply-To. */
export async function emailSenderFor(trx: Executor, businessId: string): Promise<{ from: string | null; replyTo: string | null }> {
  const channels = await channelsRow(trx, businessId);
  const biz = await trx.selectFrom('businesses').select(['name', 'email']).where('id', '=', businessId).executeTakeFirstOrThrow();
  const own = channels?.email_from_address ?? null;
  const replyTo = channels?.email_reply_to ?? biz.email ?? null;
  return { from: own ? formatFrom(channels?.email_from_name ?? biz.name, own) : null, replyTo: replyTo && replyTo.toLowerCase() !== own?.toLowerCase() ? replyTo : null };
}
