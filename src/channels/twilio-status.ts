import { ProviderError, type ProviderStatus } from './types.ts';

/**
 * Twilio's message statuses and error codes, mapped once onto the provider
 * contract's vocabulary. Shared by the SMS provider and the webhook parsers.
 */

/** Twilio message status → ProviderStatus. Unknown statuses count as still queued (never as delivered). */
export function mapTwilioStatus(status: string | null | undefined): ProviderStatus {
  switch (status) {
    case 'sent':
    case 'partially_delivered':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default: // accepted, scheduled, queued, sending, and anything new
      return 'queued';
  }
}

/** 21610: the recipient replied STOP to this sender; Twilio refuses until they reply START. */
export const TWILIO_UNSUBSCRIBED = 21610;

/**
 * Errors about this message or this recipient: retrying the same message cannot
 * succeed. Configuration problems (bad credentials 20003, a From number that is
 * not ours 21606/21659, a bad messaging service 21705) are deliberately NOT here:
 * they hold messages as retryable until someone fixes the config instead of
 * failing every queued message for good.
 */
const PERMANENT_CODES = new Set<number>([
  21211, // invalid 'To' number
  21612, // 'To' not currently reachable via SMS / cannot route
  21614, // 'To' is not a valid mobile number
  21408, // permission to send to this region is not enabled
  21610, // unsubscribed recipient
  21602, // message body required
  21617, // body exceeds the 1600 character limit
  21635, // 'To' cannot be a landline
  30004, // message blocked
  30006, // landline or unreachable carrier
]);

/** Account/sender configuration errors: every message fails the same way until someone fixes the config. */
const CONFIG_CODES = new Set<number>([
  20003, // authentication failed
  20404, // account (or resource) not found: wrong account sid or base URL
  21212, // invalid 'From' number
  21603, // 'From' required
  21606, // 'From' is not a valid, SMS-capable number for this account
  21659, // 'From' is not a Twilio number on this account
  21701, // messaging service not found / invalid
  21703, // messaging service has no phone numbers in its sender pool
  21705, // invalid messaging service sid
]);

/** Network failures after which the request may or may not have reached Twilio. */
const AMBIGUOUS_NETWORK = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'ERR_BAD_RESPONSE']);

interface RestLike {
  status: number;
  code?: number;
  message?: string;
}

function isRestException(err: unknown): err is RestLike {
  return typeof err === 'object' && err !== null && typeof (err as RestLike).status === 'number' && (err as Error).name !== 'AxiosError';
}

/** Maps anything twilio-node throws (RestException, axios network errors) to a ProviderError. Never includes credentials. */
export function toProviderError(err: unknown, action = 'Twilio request'): ProviderError {
  if (err instanceof ProviderError) return err;
  if (isRestException(err)) {
    const code = typeof err.code === 'number' ? err.code : null;
    const message = `${action} failed: HTTP ${err.status}${code ? ` Twilio error ${code}` : ''}: ${err.message ?? 'no message'}`;
    if (code === TWILIO_UNSUBSCRIBED) return new ProviderError({ code, message, permanent: true, optedOut: true });
    if (code !== null && PERMANENT_CODES.has(code)) return new ProviderError({ code, message, permanent: true });
    if (code !== null && CONFIG_CODES.has(code)) return new ProviderError({ code, message, permanent: false });
    if (err.status >= 500) {
      // 503 is "try later"; other 5xx leave it open whether Twilio queued the message.
      return new ProviderError({ code: code ?? err.status, message, permanent: false, maybeSent: err.status !== 503 });
    }
    if ([401, 403, 404, 408, 409, 429].includes(err.status)) {
      return new ProviderError({ code: code ?? err.status, message, permanent: false });
    }
    // Any other 4xx: Twilio rejected this request as malformed; sending it again fails the same way.
    return new ProviderError({ code: code ?? err.status, message, permanent: err.status >= 400 && err.status < 500 });
  }
  const e = err as { code?: unknown; message?: unknown } | null;
  const netCode = typeof e?.code === 'string' ? e.code : null;
  const text = typeof e?.message === 'string' ? e.message : String(err);
  const maybeSent = netCode === null ? /socket hang up|timeout/i.test(text) : AMBIGUOUS_NETWORK.has(netCode);
  return new ProviderError({ code: netCode, message: `${action} failed: ${text}`, permanent: false, maybeSent });
}
