import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';

/**
 * One-click unsubscribe (RFC 8058): every marketing email carries a signed
 * link; a POST to it (or a visit) revokes email consent for that contact.
 */
const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

export function unsubscribeToken(secret: string, businessId: string, contactId: string, address: string): string {
  const payload = Buffer.from(JSON.stringify({ b: businessId, c: contactId, a: address }), 'utf8').toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

export function verifyUnsubscribeToken(secret: string, token: string): { businessId: string; contactId: string; address: string } | null {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) return null;
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { b: string; c: string; a: string };
    return { businessId: p.b, contactId: p.c, address: p.a };
  } catch {
    return null;
  }
}

export function unsubscribeHeaders(ctx: AppContext, businessId: string, contactId: string, address: string): Record<string, string> {
  const url = `${ctx.config.publicUrl}/unsubscribe/${unsubscribeToken(ctx.config.secret ?? '', businessId, contactId, address)}`;
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
