import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import { ProviderError, type LookupResult, type MessageProvider, type OutboundMessage, type SendResult } from './types.ts';

/**
 * Email through any SMTP server (a relay such as Postfix, SES/Postmark/Mailgun
 * SMTP endpoints) with nodemailer.
 *
 * The Message-ID is deterministic, `<outboxId@hostname>`: a retried send
 * carries the same id (receivers and relays that de-duplicate on it will), and
 * a customer's reply names it in In-Reply-To/References, which threads the
 * reply back to the outbox row that caused it.
 *
 * `lookup` answers 'unknown': SMTP has no way to ask a server "did you accept
 * the message with this Message-ID?" after the connection is gone. A row left
 * in `sending` by a crash is therefore a decision for a person (or a policy:
 * resend and rely on the stable Message-ID), never a silent resend.
 * For the same reason errors never carry `maybeSent`: nodemailer reports a
 * connection lost before DATA and one lost after the final "." alike, and
 * flagging every dropped connection would send each one to a person.
 */
export interface SmtpEmailOptions {
  /** The right-hand side of every Message-ID: our public host name (e.g. crm.example.com). */
  hostname: string;
  /** Connection, greeting and socket timeouts. Default 30 s. */
  timeoutMs?: number;
}

/** Headers the provider sets itself; an engine-supplied value for one of these is ignored. */
const RESERVED = new Set(['message-id', 'from', 'to', 'cc', 'bcc', 'subject', 'date', 'mime-version', 'content-type', 'content-transfer-encoding']);
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** `<outboxId@hostname>`; an id that is not a valid dot-atom is base64url-encoded so the header stays valid. */
export function messageIdFor(outboxId: string, hostname: string): string {
  const local = DOT_ATOM.test(outboxId) ? outboxId : `b64.${Buffer.from(outboxId, 'utf8').toString('base64url')}`;
  return `<${local}@${hostname}>`;
}

/** Extra headers as given, minus the ones we own; CR/LF are flattened so a value cannot start a new header. */
export function extraHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(name) || RESERVED.has(name.toLowerCase())) continue;
    out[name] = String(value).replace(/[\r\n]+/g, ' ');
  }
  return out;
}

interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
}

/** 5xx replies are final (bad mailbox, policy rejection); 4xx replies and connection trouble may pass on retry. */
export function toSmtpProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpErrorLike;
  const reply = typeof e.responseCode === 'number' ? e.responseCode : null;
  const code = reply ?? (typeof e.code === 'string' ? e.code : null);
  const detail = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  const message = `SMTP send failed${reply ? ` (${reply})` : typeof e.code === 'string' ? ` (${e.code})` : ''}: ${detail}`;
  // Auth failures (535) are configuration, not this message: hold it for retry rather than failing it for good.
  const permanent = reply !== null && reply >= 500 && reply < 600 && reply !== 535 && e.code !== 'EAUTH';
  return new ProviderError({ code, message, permanent });
}

export function createSmtpEmailProvider(cfg: NonNullable<Config['smtp']>, opts: SmtpEmailOptions): MessageProvider {
  if (!HOSTNAME.test(opts.hostname)) throw new Error(`createSmtpEmailProvider: "${opts.hostname}" is not a host name`);
  const timeout = opts.timeoutMs ?? 30_000;
  // nodemailer reads the URL itself (host, port, smtps:// → implicit TLS, user:pass, ?pool=true, ?tls.rejectUnauthorized=…);
  // the options below apply where the URL does not set them.
  const transport = nodemailer.createTransport({
    url: cfg.url,
    name: opts.hostname, // EHLO with our own name rather than the OS host name
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });

  return {
    name: 'smtp',
    channel: 'email',

    async send(msg: OutboundMessage): Promise<SendResult> {
      const messageId = messageIdFor(msg.outboxId, opts.hostname);
      try {
        await transport.sendMail({
          from: msg.from ?? cfg.from,
          to: msg.to,
          subject: msg.subject ?? '',
          text: msg.body,
          ...(msg.html ? { html: msg.html } : {}),
          headers: extraHeaders(msg.headers),
          ...(msg.attachments?.length ? { attachments: msg.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })) } : {}),
          messageId,
        });
      } catch (err) {
        throw toSmtpProviderError(err);
      }
      // Accepted by the relay; delivery to the mailbox is not reported back over SMTP.
      return { providerMessageId: messageId, status: 'sent' };
    },

    async lookup(): Promise<LookupResult> {
      return { found: 'unknown' };
    },

    async close(): Promise<void> {
      transport.close();
    },
  };
}
