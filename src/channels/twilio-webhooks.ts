import twilio from 'twilio';
import { z } from 'zod';
import { validationError, zodIssues } from '../lib/errors.ts';
import { mapTwilioStatus } from './twilio-status.ts';
import type { ProviderStatus } from './types.ts';

/**
 * Twilio webhooks: signature verification and typed parsing of the two
 * callbacks Kinetic receives for SMS (delivery status, inbound message). The
 * Fastify routes are thin wrappers: verify → parse → hand to the domain.
 */

/** Form fields as a body parser gives them (repeated keys become arrays). */
export type WebhookParams = Record<string, string | string[] | undefined>;

/**
 * The URL Twilio signed: our public base URL plus the request's path and query
 * exactly as received. Behind a proxy the Host header is not what Twilio used,
 * so the route passes `config.publicUrl` and the raw request URL (`req.url`).
 */
export function publicRequestUrl(publicUrl: string, requestUrl: string): string {
  return publicUrl.replace(/\/+$/, '') + (requestUrl.startsWith('/') ? requestUrl : `/${requestUrl}`);
}

/**
 * Parses an application/x-www-form-urlencoded body the way Twilio signs it:
 * every key kept, repeated keys as arrays (Object.fromEntries would drop them
 * and break the signature). For a Fastify content-type parser with parseAs: 'string'.
 */
export function parseTwilioForm(rawBody: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawBody)) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function signatureOf(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string' || header.length === 0) return null; // missing or repeated: never valid
  return header;
}

/**
 * True when X-Twilio-Signature is the HMAC-SHA1 (auth token) of the URL plus the
 * sorted POST params. twilio.validateRequest also accepts the URL with and
 * without an explicit port, as Twilio's signers differ on that.
 */
export function verifyTwilioSignature(
  authToken: string,
  publicUrlOfRequest: string,
  params: WebhookParams,
  signatureHeader: string | string[] | undefined,
): boolean {
  const signature = signatureOf(signatureHeader);
  if (!signature || !authToken) return false;
  const clean: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) clean[k] = v;
  try {
    return twilio.validateRequest(authToken, signature, publicUrlOfRequest, clean);
  } catch {
    return false; // an unparsable URL is not a valid request
  }
}

/**
 * For webhooks Twilio sends with a JSON body (e.g. Event Streams, some newer
 * products): the URL carries `bodySHA256`, the signature covers the URL only,
 * and the hash pins the raw body. Pass the body exactly as received.
 */
export function verifyTwilioJsonSignature(
  authToken: string,
  publicUrlOfRequest: string,
  rawBody: string,
  signatureHeader: string | string[] | undefined,
): boolean {
  const signature = signatureOf(signatureHeader);
  if (!signature || !authToken) return false;
  try {
    if (!new URL(publicUrlOfRequest).searchParams.get('bodySHA256')) return false;
    return twilio.validateRequestWithBody(authToken, signature, publicUrlOfRequest, rawBody);
  } catch {
    return false;
  }
}

const one = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const str = z.preprocess(one, z.string());
const optStr = z.preprocess((v) => { const x = one(v); return x === '' ? undefined : x; }, z.string().optional());
const sid = (prefix: string) => z.preprocess(one, z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be a Twilio ${prefix} sid`));
const count = z.preprocess((v) => { const x = one(v); return x === undefined || x === '' ? '0' : x; }, z.string().regex(/^\d+$/, 'must be a whole number').transform(Number));

const statusSchema = z.object({
  MessageSid: sid('(?:SM|MM)'),
  MessageStatus: str.pipe(z.string().min(1)),
  AccountSid: optStr,
  From: optStr,
  To: optStr,
  ErrorCode: optStr,
  ErrorMessage: optStr,
});

/** A delivery update for a message we sent (Twilio StatusCallback). */
export interface TwilioStatusUpdate {
  messageSid: string;
  accountSid: string | null;
  /** Twilio's own status word (sent, delivered, undelivered, failed, read, …). */
  twilioStatus: string;
  /** The same, in the provider contract's vocabulary. */
  status: ProviderStatus;
  /** Carrier/Twilio error, e.g. 30003 unreachable, 30005 unknown number, 30007 filtered. */
  errorCode: number | null;
  errorMessage: string | null;
  to: string | null;
  from: string | null;
}

/** Parses a status callback's form params; throws AppError VALIDATION_FAILED naming the bad field. */
export function parseStatusCallback(params: WebhookParams): TwilioStatusUpdate {
  const r = statusSchema.safeParse(params);
  if (!r.success) throw validationError(zodIssues(r.error), `Not a Twilio status callback: ${zodIssues(r.error).map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  const p = r.data;
  const code = p.ErrorCode !== undefined && /^\d+$/.test(p.ErrorCode) ? Number(p.ErrorCode) : null;
  return {
    messageSid: p.MessageSid,
    accountSid: p.AccountSid ?? null,
    twilioStatus: p.MessageStatus,
    status: mapTwilioStatus(p.MessageStatus),
    errorCode: code === 0 ? null : code,
    errorMessage: p.ErrorMessage ?? null,
    to: p.To ?? null,
    from: p.From ?? null,
  };
}

const inboundSchema = z.object({
  MessageSid: sid('(?:SM|MM)'),
  AccountSid: optStr,
  MessagingServiceSid: optStr,
  From: str.pipe(z.string().min(1, 'is required')),
  To: str.pipe(z.string().min(1, 'is required')),
  Body: z.preprocess((v) => one(v) ?? '', z.string()),
  NumMedia: count,
  FromCity: optStr,
  FromState: optStr,
  FromZip: optStr,
  FromCountry: optStr,
});

/** A text message someone sent to one of our numbers. */
export interface InboundSms {
  messageSid: string;
  accountSid: string | null;
  messagingServiceSid: string | null;
  from: string;
  to: string;
  body: string;
  numMedia: number;
  /** MediaUrl0..n with their content types (MMS). */
  media: Array<{ url: string; contentType: string | null }>;
  /** Twilio's geographic hints about the sender's number, when present. */
  fromLocation: { city: string | null; state: string | null; zip: string | null; country: string | null };
}

/** Parses an inbound-message webhook's form params; throws AppError VALIDATION_FAILED naming the bad field. */
export function parseInboundSms(params: WebhookParams): InboundSms {
  const r = inboundSchema.safeParse(params);
  if (!r.success) throw validationError(zodIssues(r.error), `Not a Twilio inbound message: ${zodIssues(r.error).map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  const p = r.data;
  const media: InboundSms['media'] = [];
  for (let i = 0; i < Math.min(p.NumMedia, 10); i++) {
    const url = one(params[`MediaUrl${i}`]);
    if (typeof url !== 'string' || !url) continue;
    const type = one(params[`MediaContentType${i}`]);
    media.push({ url, contentType: typeof type === 'string' && type ? type : null });
  }
  return {
    messageSid: p.MessageSid,
    accountSid: p.AccountSid ?? null,
    messagingServiceSid: p.MessagingServiceSid ?? null,
    from: p.From,
    to: p.To,
    body: p.Body,
    numMedia: p.NumMedia,
    media,
    fromLocation: { city: p.FromCity ?? null, state: p.FromState ?? null, zip: p.FromZip ?? null, country: p.FromCountry ?? null },
  };
}
