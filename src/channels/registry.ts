import type { Config } from '../config.ts';
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
  sms: MessageProvider;
  email: MessageProvider;
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

export function createProviders(config: Config, opts: ProviderRegistryOptions = {}): Providers {
  const sms = config.twilio ? createTwilioSmsProvider(config.twilio, { timeoutMs: opts.timeoutMs }) : createDevProvider('sms', opts.dev);
  const email = config.smtp
    ? createSmtpEmailProvider(config.smtp, { hostname: opts.hostname ?? messageIdHostname(config.publicUrl), timeoutMs: opts.timeoutMs })
    : createDevProvider('email', opts.dev);
  return {
    sms,
    email,
    async close() {
      await Promise.allSettled([sms.close?.(), email.close?.()]);
    },
  };
}
