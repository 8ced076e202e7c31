import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { AppError } from '../lib/errors.ts';

/**
 * Signed booking links: one per contact, no login. The token carries the
 * business, the contact and an expiry, signed with HMAC-SHA256 over the
 * configured secret (domain-separated from other signed links).
 */
export const BOOKING_LINK_TTL_DAYS = 30;

interface TokenPayload {
  v: 1;
  b: string;
  c: string;
  /** expiry, seconds since the epoch */
  e: number;
}

export interface BookingLinkClaims {
  businessId: string;
  contactId: string;
  expiresAt: string;
}

export type BookingTokenCheck = { ok: true; claims: BookingLinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

function secretOf(ctx: AppContext): string {
  const secret = ctx.config.secret;
  if (!secret) throw new AppError('CONFIG_INVALID', 'KINETIC_SECRET: a secret is needed to sign booking links');
  return secret;
}

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`booking.${payload}`).digest('base64url');

export function bookingToken(ctx: AppContext, businessId: string, contactId: string, opts: { ttlDays?: number } = {}): string {
  const ttlDays = opts.ttlDays ?? BOOKING_LINK_TTL_DAYS;
  const e = Math.floor(ctx.clock.now().getTime() / 1000) + Math.round(ttlDays * 86_400);
  const body: TokenPayload = { v: 1, b: businessId, c: contactId, e };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${payload}.${mac(secretOf(ctx), payload)}`;
}

/** The public link a contact opens to book: `<publicUrl>/book/<token>`. */
export function bookingUrl(ctx: AppContext, businessId: string, contactId: string, opts: { ttlDays?: number } = {}): string {
  const base = ctx.config.publicUrl.replace(/\/+$/, '');
  return `${base}/book/${bookingToken(ctx, businessId, contactId, opts)}`;
}

/** Checks signature first (a forged token is never decoded), then expiry against ctx.clock. */
export function verifyBookingToken(ctx: AppContext, token: string): BookingTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'invalid' };
  const [payload, given] = parts;
  const expected = Buffer.from(mac(secretOf(ctx), payload));
  const got = Buffer.from(given);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) return { ok: false, reason: 'invalid' };
  let body: TokenPayload;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenPayload;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (body.v !== 1 || typeof body.b !== 'string' || typeof body.c !== 'string' || typeof body.e !== 'number') return { ok: false, reason: 'invalid' };
  if (ctx.clock.now().getTime() >= body.e * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { businessId: body.b, contactId: body.c, expiresAt: new Date(body.e * 1000).toISOString() } };
}
