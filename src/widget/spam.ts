/**
 * Spam defences that need no third-party CAPTCHA. Pure functions of their
 * inputs (the secret and the clock come in), tested with tables of cases:
 *
 * - a form token, signed when the widget opens: a submission must carry one
 *   that is this business's, at least MIN_FILL_SECONDS old (people take longer
 *   than that to type a name and a phone; scripts that post at once do not)
 *   and at most MAX_FORM_AGE_HOURS old (not replayed for days);
 * - a honeypot field, hidden from people and assistive technology, that
 *   form-filling robots fill in.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const MIN_FILL_SECONDS = 3;
export const MAX_FORM_AGE_HOURS = 24;

const sign = (secret: string, businessId: string, issuedAt: number, nonce: string) =>
  createHmac('sha256', secret).update(`widget-form:${businessId}:${issuedAt}:${nonce}`).digest('base64url');

/** A token the widget sends back with the form or the first chat message. */
export function issueFormToken(secret: string, businessId: string, now: Date): string {
  const issuedAt = now.getTime();
  const nonce = randomBytes(9).toString('base64url');
  return `${issuedAt}.${nonce}.${sign(secret, businessId, issuedAt, nonce)}`;
}

export type FormTokenVerdict = { ok: true } | { ok: false; reason: 'invalid' | 'too_fast' | 'expired'; message: string; retryAfterSeconds?: number };

/** Whether a submission's token is this business's, and the form was open long enough (but not too long). */
export function checkFormToken(secret: string, businessId: string, token: string, now: Date): FormTokenVerdict {
  const [at, nonce, mac, extra] = token.split('.');
  const issuedAt = Number(at);
  const expected = at && nonce && mac && extra === undefined && Number.isSafeInteger(issuedAt) ? sign(secret, businessId, issuedAt, nonce) : null;
  if (!expected || expected.length !== mac.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(mac))) {
    return { ok: false, reason: 'invalid', message: 'not a form token of this business; reload the page and send again' };
  }
  const ageMs = now.getTime() - issuedAt;
  if (ageMs < MIN_FILL_SECONDS * 1000) {
    return { ok: false, reason: 'too_fast', message: `sent too soon after the form opened; wait ${MIN_FILL_SECONDS} seconds and send again`, retryAfterSeconds: Math.max(1, Math.ceil((MIN_FILL_SECONDS * 1000 - ageMs) / 1000)) };
  }
  if (ageMs > MAX_FORM_AGE_HOURS * 3_600_000) return { ok: false, reason: 'expired', message: 'the form has been open too long; reload the page and send again' };
  return { ok: true };
}

/** The honeypot: any text in the hidden field means a robot filled the form. */
export const honeypotFilled = (value: string | null | undefined): boolean => typeof value === 'string' && value.trim().length > 0;
