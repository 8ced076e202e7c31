import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import {
  InboundEmailRejection,
  parseInboundEmail,
  repliedOutboxIds,
  startSmtpReceiver,
  type InboundEmail,
  type SmtpEnvelope,
} from '../../src/channels/inbound-email.ts';
import { messageIdFor, toSmtpProviderError } from '../../src/channels/smtp-email.ts';
import { AppError } from '../../src/lib/errors.ts';

// A reply as a mail client writes it: encoded-word subject, quoted-printable text, an HTML part, threading headers.
const sample = [
  'Return-Path: <dana@example.com>',
  'From: =?UTF-8?Q?Dana_M=C3=BCller?= <Dana@Example.com>',
  'To: "Comfort Pro" <hello@comfortpro.test>, office@comfortpro.test',
  'Cc: undisclosed-recipients:;',
  'Subject: =?UTF-8?B?UmU6IFlvdXIgdHVuZS11cCDinIU=?=',
  'Date: Tue, 13 Jan 2026 15:04:05 -0600',
  'Message-ID: <CAF=reply-123@mail.example.com>',
  'In-Reply-To: <0190b7e2-7c1a-7000-8000-000000000001@crm.comfortpro.test>',
  'References: <welcome-1@crm.comfortpro.test>',
  ' <0190b7e2-7c1a-7000-8000-000000000001@crm.comfortpro.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/alternative; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Tuesday works =E2=80=94 see you at 9.',
  '',
  '> On Mon, Comfort Pro wrote:',
  '--b1',
  'Content-Type: text/html; charset=UTF-8',
  '',
  '<p>Tuesday works &mdash; see you at 9.</p>',
  '--b1--',
  '',
].join('\r\n');

describe('inbound email parsing', () => {
  test('a raw MIME reply becomes a typed InboundEmail', async () => {
    const email = await parseInboundEmail(sample);
    assert.deepEqual(email.from, { address: 'dana@example.com', name: 'Dana Müller' });
    assert.deepEqual(email.to, ['hello@comfortpro.test', 'office@comfortpro.test']);
    assert.deepEqual(email.cc, []);
    assert.equal(email.subject, 'Re: Your tune-up ✅');
    assert.match(email.text ?? '', /^Tuesday works — see you at 9\./);
    assert.equal(email.html, '<p>Tuesday works &mdash; see you at 9.</p>');
    assert.equal(email.messageId, '<CAF=reply-123@mail.example.com>');
    assert.equal(email.inReplyTo, '<0190b7e2-7c1a-7000-8000-000000000001@crm.comfortpro.test>');
    assert.deepEqual(email.references, ['<welcome-1@crm.comfortpro.test>', '<0190b7e2-7c1a-7000-8000-000000000001@crm.comfortpro.test>']);
    assert.equal(email.date?.toISOString(), '2026-01-13T21:04:05.000Z');
    assert.equal(email.automated, false);
    assert.deepEqual(email.attachments, []);
  });

  test('the reply threads back to the outbox rows our Message-IDs name, newest first, our host only', async () => {
    const email = await parseInboundEmail(sample);
    assert.deepEqual(repliedOutboxIds(email, 'crm.comfortpro.test'), ['0190b7e2-7c1a-7000-8000-000000000001', 'welcome-1']);
    assert.deepEqual(repliedOutboxIds(email, 'other.test'), []);
    const odd = 'outbox id with spaces';
    assert.deepEqual(repliedOutboxIds({ inReplyTo: messageIdFor(odd, 'crm.comfortpro.test'), references: [] }, 'crm.comfortpro.test'), [odd]);
  });

  const automated: Array<[header: string, isAutomated: boolean]> = [
    ['Auto-Submitted: auto-replied', true],
    ['Auto-Submitted: no', false],
    ['Precedence: bulk', true],
    ['X-Autoreply: yes', true],
    ['List-Id: <news.example.com>', true],
    ['X-Mailer: Outlook', false],
  ];
  for (const [header, isAutomated] of automated) {
    test(`automated mail detection: ${header} → ${isAutomated}`, async () => {
      const email = await parseInboundEmail(`From: a@example.com\r\nTo: b@example.com\r\nSubject: Out of office\r\n${header}\r\n\r\nAway until Monday.\r\n`);
      assert.equal(email.automated, isAutomated);
    });
  }
});

describe('SMTP receiver', () => {
  async function receiver(onMessage: (e: InboundEmail, env: SmtpEnvelope) => Promise<void>, maxBytes?: number) {
    const r = await startSmtpReceiver({ port: 0, host: '127.0.0.1', onMessage, ...(maxBytes ? { maxBytes } : {}) });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: r.port, secure: false, ignoreTLS: true });
    return { r, transport, cleanup: async () => { transport.close(); await r.close(); } };
  }
  const mail = {
    from: 'Dana <dana@example.com>',
    to: 'hello@comfortpro.test',
    bcc: 'archive@comfortpro.test',
    subject: 'Can you come Thursday?',
    text: 'The furnace is making a noise again.',
    inReplyTo: '<o_42@crm.comfortpro.test>',
    references: ['<o_42@crm.comfortpro.test>'],
  };

  test('accepts a message sent with nodemailer and hands over the parsed email and envelope', async () => {
    const got: Array<[InboundEmail, SmtpEnvelope]> = [];
    const { transport, cleanup } = await receiver(async (e, env) => void got.push([e, env]));
    try {
      const info = await transport.sendMail(mail);
      assert.match(info.response, /^250/);
      assert.equal(got.length, 1);
      const [email, envelope] = got[0];
      assert.deepEqual([email.from?.address, email.subject, email.text?.trim()], ['dana@example.com', mail.subject, mail.text]);
      assert.deepEqual(repliedOutboxIds(email, 'crm.comfortpro.test'), ['o_42']);
      assert.deepEqual(envelope.rcptTo, ['hello@comfortpro.test', 'archive@comfortpro.test']);
      assert.equal(envelope.mailFrom, 'dana@example.com');
      assert.equal(envelope.remoteAddress, '127.0.0.1');
    } finally {
      await cleanup();
    }
  });

  const refusals: Array<[name: string, error: Error, code: number, permanent: boolean]> = [
    ['a permanent rejection bounces (5xx)', new InboundEmailRejection('No business uses this address', { permanent: true }), 550, true],
    ['a temporary rejection defers (4xx)', new InboundEmailRejection('Busy', { permanent: false }), 451, false],
    ['a validation error bounces (5xx)', new AppError('VALIDATION_FAILED', 'not a reply we understand'), 550, true],
    ['an unexpected error defers without leaking details', new Error('database is locked at /var/lib/kinetic.db'), 451, false],
  ];
  for (const [name, error, code, permanent] of refusals) {
    test(`onMessage throws: ${name}`, async () => {
      const { transport, cleanup } = await receiver(async () => { throw error; });
      try {
        await assert.rejects(transport.sendMail(mail), (err: unknown) => {
          const mapped = toSmtpProviderError(err);
          assert.equal(mapped.info.code, code);
          assert.equal(mapped.info.permanent, permanent);
          assert.doesNotMatch(mapped.info.message, /var\/lib/);
          return true;
        });
      } finally {
        await cleanup();
      }
    });
  }

  test('a message over the size limit is refused with 552 and never reaches onMessage', async () => {
    let called = false;
    const { transport, cleanup } = await receiver(async () => { called = true; }, 2_000);
    try {
      await assert.rejects(transport.sendMail({ ...mail, text: 'x'.repeat(10_000) }), (err: unknown) => toSmtpProviderError(err).info.code === 552);
      assert.equal(called, false);
    } finally {
      await cleanup();
    }
  });
});
