import { createHash, createHmac } from 'node:crypto';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/database.ts';

/**
 * One-click unsubscribe (RFC 8058, CAN-SPAM). Every marketing email carries
 * `List-Unsubscribe: <…/unsubscribe/TOKEN>` with `List-Unsubscribe-Post`,
 * and the same link in its footer. TOKEN is 22 characters: 128 bits that
 * only this server can produce (HMAC of business + contact + channel +
 * address under KINETIC_SECRET), stored as a SHA-256 hash with its scope —
 * so the link stays short, a database copy does not reveal working links,
 * and one contact gets one link however many emails it is in.
 * A POST unsubscribes at once (mail clients, no cookie or session); a GET only
 * shows a page with a button, because link scanners and prefetchers GET.
 */
export type UnsubscribeChannel = 'email';

export const unsubscribeTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export function unsubscribeToken(secret: string, businessId: string, contactId: string, channel: UnsubscribeChannel, address: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:v2\n${businessId}\n${contactId}\n${channel}\n${address.toLowerCase()}`).digest().subarray(0, 16).toString('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** The link for this contact and address, stored (once) so a click can be checked against it. */
export async function unsubscribeUrl(trx: Executor, ctx: Pick<AppContext, 'config'>, businessId: string, contactId: string, address: string, now: string): Promise<string> {
  const token = unsubscribeToken(ctx.config.secret ?? '', businessId, contactId, 'email', address);
  await trx
    .insertInto('unsubscribe_tokens')
    .values({ token_hash: unsubscribeTokenHash(token), business_id: businessId, contact_id: contactId, channel: 'email', address: address.toLowerCase(), created_at: now, used_at: null })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
  return `${ctx.config.publicUrl}/unsubscribe/${token}`;
}

export const unsubscribeHeaders = (url: string): Record<string, string> => ({ 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

export interface UnsubscribeTarget {
  businessId: string;
  businessName: string;
  contactId: string;
  channel: UnsubscribeChannel;
  address: string;
  usedAt: string | null;
}

/** What a token unsubscribes, or null for a token this server never issued. */
export async function findUnsubscribeTarget(trx: Executor, token: string): Promise<UnsubscribeTarget | null> {
  if (!TOKEN.test(token)) return null;
  const r = await trx
    .selectFrom('unsubscribe_tokens')
    .innerJoin('businesses', 'businesses.id', 'unsubscribe_tokens.business_id')
    .select(['unsubscribe_tokens.business_id', 'businesses.name', 'unsubscribe_tokens.contact_id', 'unsubscribe_tokens.channel', 'unsubscribe_tokens.address', 'unsubscribe_tokens.used_at'])
    .where('unsubscribe_tokens.token_hash', '=', unsubscribeTokenHash(token))
    .executeTakeFirst();
  return r ? { businessId: r.business_id, businessName: r.name, contactId: r.contact_id, channel: r.channel as UnsubscribeChannel, address: r.address, usedAt: r.used_at } : null;
}

export async function markTokenUsed(trx: Executor, token: string, at: string): Promise<void> {
  await trx.updateTable('unsubscribe_tokens').set({ used_at: at }).where('token_hash', '=', unsubscribeTokenHash(token)).where('used_at', 'is', null).execute();
}
