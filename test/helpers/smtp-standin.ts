import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server (smtp-server + mailparser on 127.0.0.1, a free port) that
 * keeps what it receives. Like a real MTA it refuses recipients in the
 * reserved `.invalid` TLD with 550 5.1.1; tests can make the next message fail
 * with any reply code.
 */
export interface ReceivedEmail {
  envelope: { mailFrom: string | null; rcptTo: string[] };
  raw: string;
  parsed: ParsedMail;
}

export interface SmtpStandin {
  url: string;
  port: number;
  messages: ReceivedEmail[];
  /** The next message is refused at the end of DATA with this reply code (e.g. 451, 552, 554). */
  rejectNext(code: number, text?: string): void;
  close(): Promise<void>;
}

export async function startSmtpStandin(): Promise<SmtpStandin> {
  const messages: ReceivedEmail[] = [];
  let nextRejection: { code: number; text: string } | null = null;
  const refuse = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      if (/\.invalid$/i.test(address.address)) return callback(refuse(550, `5.1.1 <${address.address}>: Recipient address rejected: User unknown`));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (nextRejection) {
          const r = nextRejection;
          nextRejection = null;
          return callback(refuse(r.code, r.text));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            messages.push({
              envelope: { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, rcptTo: session.envelope.rcptTo.map((r) => r.address) },
              raw,
              parsed,
            });
            callback(null);
          })
          .catch((err: Error) => callback(refuse(451, `4.3.0 ${err.message}`)));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    rejectNext: (code, text) => {
      nextRejection = { code, text: text ?? (code >= 500 ? '5.7.1 Message rejected' : '4.7.1 Try again later') };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
