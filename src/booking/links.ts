import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { AppError } from '../lib/errors.ts';

/**
 * Signed booking links: one per contact, no login. The token carries the
 * business, the contact and an expiry, signed with HMAC-SHA256 over the
 * configured secret (domain-separated from other signed links).
 */
export const BOOKING_LINK_TTL_DAYS = 30;

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

/** 128-bit truncated HMAC-SHA256: keeps the link short enough for a text message and a URL path segment. */
const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`booking.${payload}`).digest().subarray(0, 16).toString('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidText = (b: Buffer) => {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * Payload: format 1 packs two UUIDs and the expiry (seconds) into 37 bytes;
 * format 2 carries other ids as JSON. Either way the token stays URL-safe.
 */
function encodePayload(businessId: string, contactId: string, expiry: number): string {
  if (UUID.test(businessId) && UUID.test(contactId)) {
    const buf = Buffer.alloc(37);
    buf[0] = 1;
    uuidBytes(businessId).copy(buf, 1);
    uuidBytes(contactId).copy(buf, 17);
    buf.writeUInt32BE(expiry, 33);
    return buf.toString('base64url');
  }
  return Buffer.concat([Buffer.from([2]), Buffer.from(JSON.stringify([businessId, contactId, expiry]), 'utf8')]).toString('base64url');
}

function decodePayload(payload: string): { b: string; c: string; e: number } | null {
  const buf = Buffer.from(payload, 'base64url');
  if (buf[0] === 1 && buf.length === 37) return { b: uuidText(buf.subarray(1, 17)), c: uuidText(buf.subarray(17, 33)), e: buf.readUInt32BE(33) };
  if (buf[0] === 2) {
    try {
      const [b, c, e] = JSON.parse(buf.subarray(1).toString('utf8')) as unknown[];
      if (typeof b === 'string' && typeof c === 'string' && typeof e === 'number') return { b, c, e };
    } catch {
      return null;
    }
  }
  return null;
}

export function bookingToken(ctx: AppContext, businessId: string, contactId: string, opts: { ttlDays?: number } = {}): string {
  const ttlDays = opts.ttlDays ?? BOOKING_LINK_TTL_DAYS;
  const expiry = Math.floor(ctx.clock.now().getTime() / 1000) + Math.round(ttlDays * 86_400);
  const payload = encodePayload(businessId, contactId, expiry);
  return `${payload}.${mac(secretOf(ctx), payload)}`;
}

export function bookingUrl(ctx: AppContext, businessId: string, contactId: string, opts: { ttlDays?: number } = {}): string {
  const base = ctx.config.publicUrl.replace(/\/+$/, '');
  return `${base}/book/${bookingToken(ctx, businessId, contactId, opts)}`;
}

/** Checks the signature first (a forged token is never decoded), then the expiry against ctx.clock. */
export function verifyBookingToken(ctx: AppContext, token: string): BookingTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'invalid' };
  const [payload, given] = parts;
  const expected = Buffer.from(mac(secretOf(ctx), payload));
  const got = Buffer.from(given);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) return { ok: false, reason: 'invalid' };
  const body = decodePayload(payload);
  if (!body) return { ok: false, reason: 'invalid' };
  if (ctx.clock.now().getTime() >= body.e * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { businessId: body.b, contactId: body.c, expiresAt: new Date(body.e * 1000).toISOString() } };
}
