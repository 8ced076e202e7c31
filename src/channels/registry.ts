import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import type { TwilioAccount } from './twilio-numbers.ts';
import { createDevProvider, type DevProviderOptions } from './dev-outbox.ts';
import { createSmtpEmailProvider } from './smtp-email.ts';
import { createTwilioSmsProvider } from './twilio-sms.ts';
import type { MessageProvider } from './types.ts';

/**
 * Picks each channel's provider once at start-up: Twilio / SMTP when
 * configured, otherwise the dev outbox (records, never sends). The result goes
 * into the app context; domain code never chooses a provider itself.
 */
export interface Providers {
  /** The install's SMS provider: Twilio with TWILIO_* settings, else the dev outbox. */
  sms: MessageProvider;
  email: MessageProvider;
  /** Twilio through a business's own (sub)account: one client per account, kept for reuse. */
  smsFor(account: TwilioAccount): MessageProvider;
  close(): Promise<void>;
}

export interface ProviderRegistryOptions {
  /** Host name for Message-IDs; default: the host of config.publicUrl. */
  hostname?: string;
  /** Request timeout for real providers (ms); the outbox lease must be longer. */
  timeoutMs?: number;
  /** Passed to the dev provider(s) when they are chosen. */
  dev?: DevProviderOptions;
}

/** The host part of our public URL, fit for a Message-ID ("localhost" when it is an IP literal or unparsable). */
export function messageIdHostname(publicUrl: string): string {
  try {
    const host = new URL(publicUrl).hostname;
    return /^[A-Za-z0-9.-]+$/.test(host) && /[A-Za-z]/.test(host) ? host : 'localhost';
  } catch {
    return 'localhost';
  }
}

/** Where Twilio API calls go for any account: TWILIO_API_BASE_URL (or the install account's own setting); null → Twilio. */
export const twilioApiBase = (config: Pick<Config, 'twilio' | 'twilioApiBaseUrl'>): string | null => config.twilioApiBaseUrl ?? config.twilio?.apiBaseUrl ?? null;

export function createProviders(config: Config, opts: ProviderRegistryOptions = {}): Providers {
  const sms = config.twilio ? createTwilioSmsProvider(config.twilio, { timeoutMs: opts.timeoutMs }) : createDevProvider('sms', opts.dev);
  const own = new Map<string, MessageProvider>();
  const smsFor = (account: TwilioAccount): MessageProvider => {
    const key = `${account.accountSid}:${createHash('sha256').update(account.authToken).digest('hex')}`;
    let provider = own.get(key);
    if (!provider) {
      provider = createTwilioSmsProvider({ accountSid: account.accountSid, authToken: account.authToken, fromNumber: null, messagingServiceSid: null, apiBaseUrl: twilioApiBase(config) }, { timeoutMs: opts.timeoutMs });
      own.set(key, provider);
    }
    return provider;
  };
  const email = config.smtp
    ? createSmtpEmailProvider(config.smtp, { hostname: opts.hostname ?? messageIdHostname(config.publicUrl), timeoutMs: opts.timeoutMs })
    : createDevProvider('email', opts.dev);
  return {
    sms,
    email,
    smsFor,
    async close() {
      await Promise.allSettled([sms.close?.(), email.close?.(), ...[...own.values()].map((p) => p.close?.())]);
    },
  };
}
