import { ProviderError, type ChannelKind, type LookupResult, type MessageProvider, type OutboundMessage, type SendResult } from './types.ts';

/**
 * The provider used when no Twilio/SMTP credentials are configured. It sends
 * nothing: the outbox row already records exactly what would have gone out
 * (recipient, body, headers), and the API/CLI browse those rows. `send` only
 * stamps a deterministic id, so "sending" twice is the same no-op and `lookup`
 * can answer `found` for any message: the dev provider is idempotent by
 * construction, so crash recovery never needs a person.
 *
 * It still refuses an address no real provider would take, so flows that
 * handle a permanent failure behave the same in development.
 */
export interface DevProviderOptions {
  /** Called for every accepted message (tests, or a debug log line). Never given credentials: there are none. */
  onSend?: (message: OutboundMessage) => void;
}

const E164 = /^\+[1-9]\d{6,14}$/;
// Deliberately loose: one @, something on each side, a dot in the domain, no spaces or angle brackets.
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export const devMessageId = (outboxId: string): string => `dev_${outboxId}`;

export function createDevProvider(channel: ChannelKind, opts: DevProviderOptions = {}): MessageProvider {
  const validTo = channel === 'sms' ? (to: string) => E164.test(to) : (to: string) => EMAIL.test(to);
  return {
    name: 'dev',
    channel,
    async send(message: OutboundMessage): Promise<SendResult> {
      if (!validTo(message.to)) {
        throw new ProviderError({
          code: 'INVALID_TO',
          message: channel === 'sms' ? `"${message.to}" is not an E.164 phone number (like +15125550100)` : `"${message.to}" is not an email address`,
          permanent: true,
        });
      }
      opts.onSend?.(message);
      return { providerMessageId: devMessageId(message.outboxId), status: 'delivered' };
    },
    async lookup(message: OutboundMessage): Promise<LookupResult> {
      return { found: true, providerMessageId: devMessageId(message.outboxId), status: 'delivered' };
    },
  };
}
