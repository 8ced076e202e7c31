import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
// mailparser and smtp-server load on first use: most processes (the CLI, an API without inbound email) never need them.
import type { AddressObject, EmailAddress, ParsedMail } from 'mailparser';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { AppError } from '../lib/errors.ts';
import { ProviderError } from './types.ts';

/**
 * Inbound email: a MIME parser (mailparser) and a small SMTP receiver
 * (smtp-server) meant to sit behind the business's MX/relay on loopback or a
 * private network. It has no AUTH and no STARTTLS: the public-facing MTA
 * (Postfix, a provider's inbound route) handles TLS, spam and relaying.
 */
export interface InboundEmail {
  from: { address: string; name: string | null } | null;
  replyTo: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  text: string | null;
  html: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  date: Date | null;
  /** An auto-reply, bounce or list mail (Auto-Submitted, Precedence, X-Autoreply): never answer it automatically. */
  automated: boolean;
  attachments: Array<{ filename: string | null; contentType: string; size: number }>;
}

const addresses = (field: AddressObject | AddressObject[] | undefined): string[] => {
  const flat = (list: EmailAddress[]): string[] => list.flatMap((a) => (a.group ? flat(a.group) : a.address ? [a.address.toLowerCase()] : []));
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((f) => flat(f.value));
};

const headerText = (v: unknown): string | null => (typeof v === 'string' ? v : v && typeof v === 'object' && 'value' in v ? String((v as { value: unknown }).value) : null);

const isListMail = (list: unknown): boolean => typeof list === 'object' && list !== null && 'id' in list;

/** Parses one raw RFC 5322 message (as received over SMTP, or from a file). */
export async function parseInboundEmail(raw: Buffer | string | Readable): Promise<InboundEmail> {
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    // RFC 5322: a message starts with a header field ("Name: value"); anything else is not mail.
    const head = (typeof raw === 'string' ? raw : raw.subarray(0, 1000).toString('latin1')).replace(/^\s+/, '');
    if (!/^[!-9;-~]+:/.test(head)) throw new AppError('BAD_REQUEST', 'the body is not a MIME message: it must start with header fields such as "From: …" (RFC 5322)');
  }
  const { simpleParser } = await import('mailparser');
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  } catch (err) {
    throw new AppError('BAD_REQUEST', `the message is not valid MIME: ${(err as Error).message}`);
  }
  const sender = mail.from?.value.find((a) => a.address) ?? null;
  const refs = Array.isArray(mail.references) ? mail.references : mail.references ? mail.references.split(/\s+/) : [];
  const autoSubmitted = headerText(mail.headers.get('auto-submitted'))?.toLowerCase() ?? 'no';
  const precedence = headerText(mail.headers.get('precedence'))?.toLowerCase() ?? '';
  return {
    from: sender?.address ? { address: sender.address.toLowerCase(), name: sender.name || null } : null,
    replyTo: addresses(mail.replyTo)[0] ?? null,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject ?? null,
    text: mail.text ?? null,
    html: typeof mail.html === 'string' ? mail.html : null,
    messageId: mail.messageId ?? null,
    inReplyTo: mail.inReplyTo?.trim() || null,
    references: refs.filter(Boolean),
    date: mail.date ?? null,
    automated:
      !autoSubmitted.startsWith('no') ||
      ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence) ||
      mail.headers.has('x-autoreply') ||
      mail.headers.has('x-autorespond') ||
      // mailparser folds List-* headers into one `list` object; List-Id marks mailing-list traffic (RFC 3834: never auto-answer it).
      isListMail(mail.headers.get('list')),
    attachments: mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
  };
}

/**
 * Outbox ids this email replies to: the local parts of In-Reply-To/References
 * ids minted by smtp-email's messageIdFor (`<outboxId@hostname>`) for our host.
 * Most recent first (In-Reply-To, then References from last to first).
 */
export function repliedOutboxIds(email: Pick<InboundEmail, 'inReplyTo' | 'references'>, hostname: string): string[] {
  const ids = [email.inReplyTo, ...[...email.references].reverse()].filter((v): v is string => !!v);
  const out: string[] = [];
  const host = hostname.toLowerCase();
  for (const id of ids) {
    const m = /^<?([^<>@\s]+)@([^<>@\s]+?)>?$/.exec(id.trim());
    if (!m || m[2].toLowerCase() !== host) continue;
    const local = m[1].startsWith('b64.') ? Buffer.from(m[1].slice(4), 'base64url').toString('utf8') : m[1];
    if (!out.includes(local)) out.push(local);
  }
  return out;
}

/** Throw from onMessage to refuse a message: permanent → the sender's server bounces it (5xx); otherwise it retries later (4xx). */
export class InboundEmailRejection extends Error {
  readonly permanent: boolean;
  constructor(message: string, opts: { permanent: boolean }) {
    super(message);
    this.name = 'InboundEmailRejection';
    this.permanent = opts.permanent;
  }
}

export interface SmtpEnvelope {
  mailFrom: string | null;
  rcptTo: string[];
  remoteAddress: string;
}

export interface SmtpReceiverOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Largest message accepted, in bytes. Default 10 MiB. */
  maxBytes?: number;
  onMessage(email: InboundEmail, envelope: SmtpEnvelope): Promise<void>;
}

export interface SmtpReceiver {
  port: number;
  close(): Promise<void>;
}

type SmtpReplyError = Error & { responseCode?: number };

const reply = (code: number, message: string): SmtpReplyError => Object.assign(new Error(message), { responseCode: code });

/** A handler error → the SMTP reply. Only our own rejection texts reach the remote side; anything else is a generic 451. */
export function smtpReplyFor(err: unknown): SmtpReplyError {
  if (err instanceof InboundEmailRejection) return err.permanent ? reply(550, `5.7.1 ${err.message}`) : reply(451, `4.3.0 ${err.message}`);
  if (err instanceof ProviderError && err.info.permanent) return reply(550, '5.7.1 Message refused');
  if (err instanceof AppError && err.httpStatus < 500) return reply(550, `5.6.0 ${err.message}`);
  return reply(451, '4.3.0 Temporary failure, please try again later');
}

export async function startSmtpReceiver(opts: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const maxBytes = opts.maxBytes ?? 10 * 1024 * 1024;
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer({
    banner: 'Kinetic inbound mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    closeTimeout: 2_000,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes <= maxBytes) chunks.push(chunk); // keep draining past the limit so the client gets our answer
      });
      stream.on('error', (err) => callback(smtpReplyFor(err)));
      stream.on('end', () => {
        if (stream.sizeExceeded || bytes > maxBytes) return callback(reply(552, '5.3.4 Message exceeds fixed maximum message size'));
        const envelope: SmtpEnvelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address || null : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          remoteAddress: session.remoteAddress,
        };
        parseInboundEmail(Buffer.concat(chunks))
          .then((email) => opts.onMessage(email, envelope))
          .then(() => callback(null), (err: unknown) => callback(smtpReplyFor(err)));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {}); // a client's broken connection must not crash the process
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
