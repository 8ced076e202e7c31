import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Outbound webhook signatures, Stripe-style: the header carries the unix
 * timestamp and an HMAC-SHA256 of "<timestamp>.<body>", so a receiver can
 * check that the body came from us, unaltered, and recently (a captured
 * request replayed later fails the timestamp check). The secret itself never
 * travels with the request.
 */
export const SIGNATURE_HEADER = 'Kinetic-Signature';
export const EVENT_HEADER = 'Kinetic-Event';
/** The delivery id: stable across retries, so receivers can drop duplicates. */
export const DELIVERY_HEADER = 'Kinetic-Delivery';
export const USER_AGENT = 'Kinetic-Webhooks/1';
export const DEFAULT_TOLERANCE_SECONDS = 300;

const hmacHex = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');

/** The Kinetic-Signature header value: `t=<unix seconds>,v1=<hex hmac-sha256 of "<t>.<body>">`. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be whole unix seconds');
  return `t=${timestamp},v1=${hmacHex(secret, timestamp, body)}`;
}

export interface ParsedSignature {
  timestamp: number;
  /** Several v1 values are allowed, so a sender can sign with an old and a new secret while rotating. */
  signatures: string[];
}

/** Parses a Kinetic-Signature header; null when it is not well formed. */
export function parseSignatureHeader(header: string): ParsedSignature | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return null;
      signatures.push(value);
    }
    // Unknown schemes (v0, v2 …) are ignored, as Stripe receivers do.
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

/**
 * Checks a Kinetic-Signature header against the raw body, in constant time.
 * `now` is a Date or unix seconds. Timestamps further than `toleranceSeconds`
 * from now (either way) are refused: that is the replay protection.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string, now: Date | number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  if (!header) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  const nowSeconds = typeof now === 'number' ? now : Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  let ok = false;
  for (const candidate of parsed.signatures) {
    // Both are 32 bytes (the header parser only admits 64 hex digits), as timingSafeEqual requires.
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) ok = true;
  }
  return ok;
}

/**
 * The secret that signs a business's automation `webhook` steps (deliveries
 * with no subscription): HMAC-SHA256(config.secret, "webhooks:" + businessId),
 * hex. Derived rather than stored, so it needs no table and differs per
 * business; it changes if KINETIC_SECRET changes.
 */
export function deriveBusinessSecret(masterSecret: string, businessId: string): string {
  return createHmac('sha256', masterSecret).update(`webhooks:${businessId}`, 'utf8').digest('hex');
}
