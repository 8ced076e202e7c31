/**
 * A channel provider delivers one outbound message and can say afterwards
 * whether a message reached it (for reconciling sends interrupted by a crash).
 * Every provider passes the same contract suite (test/channels/contract.ts).
 */
export type ChannelKind = 'sms' | 'email';

export interface OutboundMessage {
  /** The outbox row id: unique, stable across retries of the same send. */
  outboxId: string;
  businessId: string;
  channel: ChannelKind;
  to: string; // E.164 for sms, address for email
  from: string | null; // provider default when null
  body: string;
  subject?: string | null;
  html?: string | null;
  /** Extra headers (email): List-Unsubscribe, etc. */
  headers?: Record<string, string>;
  /** Files to attach (email), e.g. a calendar invite. */
  attachments?: MessageAttachment[];
  /** Where the provider should post delivery updates (Twilio StatusCallback). */
  statusCallbackUrl?: string | null;
  /** When this attempt started (used by lookups to bound the search). */
  attemptStartedAt: Date;
  /**
   * Provider message ids already recorded on other outbox rows (same recipient,
   * around the same time). A lookup never claims one of these as this message's,
   * so a legitimately repeated identical text ("Reply YES to confirm") sent
   * earlier is not mistaken for this one. Optional; used by lookup only.
   */
  knownProviderIds?: string[];
}

export interface MessageAttachment {
  filename: string;
  /** MIME type, e.g. `text/calendar; charset=utf-8; method=REQUEST`. */
  contentType: string;
  /** UTF-8 text content. */
  content: string;
}

export type ProviderStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'undelivered';

export interface SendResult {
  providerMessageId: string;
  status: ProviderStatus;
}

export interface ProviderErrorInfo {
  /** Provider's own error code, e.g. Twilio 21610 (recipient unsubscribed). */
  code: string | number | null;
  message: string;
  /** A permanent error will not succeed on retry (bad number, opted out). */
  permanent: boolean;
  /** The recipient has opted out at the carrier (Twilio 21610): mark the contact opted out. */
  optedOut?: boolean;
  /**
   * The request may have reached the provider before it failed (timeout, reset
   * connection, 5xx): call lookup before retrying, exactly as after a crash.
   * Absent/false: as far as the provider can tell it did not take the message
   * (SMTP cannot tell a connection lost after DATA from one lost before it).
   */
  maybeSent?: boolean;
}

export class ProviderError extends Error {
  readonly info: ProviderErrorInfo;
  constructor(info: ProviderErrorInfo) {
    super(info.message);
    this.name = 'ProviderError';
    this.info = info;
  }
}

export type LookupResult =
  | { found: true; providerMessageId: string; status: ProviderStatus }
  | { found: false }
  /** The provider cannot tell (e.g. plain SMTP): a person must decide. */
  | { found: 'unknown' };

export interface MessageProvider {
  readonly name: string;
  readonly channel: ChannelKind;
  send(message: OutboundMessage): Promise<SendResult>;
  lookup(message: OutboundMessage): Promise<LookupResult>;
  close?(): Promise<void>;
}
