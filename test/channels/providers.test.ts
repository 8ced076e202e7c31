import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import twilio from 'twilio';
import { createDevProvider } from '../../src/channels/dev-outbox.ts';
import { messageIdHostname, createProviders } from '../../src/channels/registry.ts';
import { createSmtpEmailProvider } from '../../src/channels/smtp-email.ts';
import { createTwilioSmsProvider, RedirectingRequestClient, sameSmsBody, type TwilioSmsOptions } from '../../src/channels/twilio-sms.ts';
import { ProviderError, type MessageProvider, type OutboundMessage } from '../../src/channels/types.ts';
import type { Config } from '../../src/config.ts';
import { startSmtpStandin } from '../helpers/smtp-standin.ts';
import { startTwilioStandin, type StoredMessage, type TwilioStandinOptions } from '../helpers/twilio-standin.ts';
import { outbound, runProviderContract } from './contract.ts';

const accountSid = `AC${'a1'.repeat(16)}`;
const authToken = 'twilio-test-auth-token-0001';
const fromNumber = '+15125550100';
const phone = (n: number) => `+1512555${String(2000 + n).padStart(4, '0')}`;

async function twilioSetup(standin: Partial<TwilioStandinOptions> = {}, cfg: Partial<NonNullable<Config['twilio']>> = {}, opts: TwilioSmsOptions = {}) {
  const s = await startTwilioStandin({ accountSid, authToken, ...standin });
  const provider = createTwilioSmsProvider({ accountSid, authToken, fromNumber, messagingServiceSid: null, apiBaseUrl: s.baseUrl, ...cfg }, opts);
  return { s, provider, cleanup: async () => { await provider.close?.(); await s.close(); } };
}

async function sendError(provider: MessageProvider, msg: OutboundMessage): Promise<ProviderError> {
  try {
    await provider.send(msg);
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected ProviderError, got ${String(err)}`);
    return err;
  }
  throw new Error('send was expected to fail');
}

runProviderContract(
  'twilio (stand-in)',
  async () => {
    const { s, provider, cleanup } = await twilioSetup();
    return { provider, cleanup, delivered: async () => s.messages.map((m) => ({ to: m.to, body: m.body })) };
  },
  { recipient: phone, invalidRecipient: '555-0100', lookup: 'exact' },
);

runProviderContract(
  'smtp (stand-in)',
  async () => {
    const s = await startSmtpStandin();
    const provider = createSmtpEmailProvider({ url: s.url, from: 'Comfort Pro HVAC <hello@comfortpro.test>' }, { hostname: 'crm.comfortpro.test' });
    return {
      provider,
      cleanup: () => s.close(),
      delivered: async () => s.messages.map((m) => ({ to: m.envelope.rcptTo.join(','), body: (m.parsed.text ?? '').trim() })),
    };
  },
  { recipient: (n) => `customer${n}@example.com`, invalidRecipient: 'nobody@mailbox.invalid', lookup: 'cannot-tell' },
);

for (const channel of ['sms', 'email'] as const) {
  runProviderContract(
    `dev outbox (${channel})`,
    async () => {
      const seen: OutboundMessage[] = [];
      const provider = createDevProvider(channel, { onSend: (m) => seen.push(m) });
      return { provider, cleanup: async () => {}, delivered: async () => seen.map((m) => ({ to: m.to, body: m.body })) };
    },
    channel === 'sms'
      ? { recipient: phone, invalidRecipient: 'not-a-number', lookup: 'idempotent' }
      : { recipient: (n) => `customer${n}@example.com`, invalidRecipient: 'not-an-address', lookup: 'idempotent' },
  );
}

describe('twilio sms', () => {
  test('21610 (recipient replied STOP) is permanent and marks the contact opted out', async () => {
    const { s, provider, cleanup } = await twilioSetup();
    try {
      s.optedOut.add(phone(1));
      const err = await sendError(provider, outbound(provider, phone(1), 'Spring tune-up special'));
      assert.deepEqual({ code: err.info.code, permanent: err.info.permanent, optedOut: err.info.optedOut }, { code: 21610, permanent: true, optedOut: true });
      assert.equal(s.messages.length, 0);
    } finally {
      await cleanup();
    }
  });

  test('a wrong auth token is an error (20003), retryable because it is configuration, and sends nothing', async () => {
    const s = await startTwilioStandin({ accountSid, authToken });
    const provider = createTwilioSmsProvider({ accountSid, authToken: 'wrong-token-000000000', fromNumber, messagingServiceSid: null, apiBaseUrl: s.baseUrl });
    try {
      const err = await sendError(provider, outbound(provider, phone(1), 'Hello'));
      assert.equal(err.info.code, 20003);
      assert.equal(err.info.permanent, false);
      assert.doesNotMatch(err.message, /wrong-token/);
      await assert.rejects(provider.lookup(outbound(provider, phone(1), 'Hello')), ProviderError);
      assert.equal(s.messages.length, 0);
    } finally {
      await provider.close?.();
      await s.close();
    }
  });

  test("the stand-in's JSON reads back through twilio-node (create, fetch, dates as RFC 2822)", async () => {
    const { s, provider, cleanup } = await twilioSetup();
    const client = twilio(accountSid, authToken, { httpClient: new RedirectingRequestClient(s.baseUrl, { timeout: 2000 }) });
    try {
      const { providerMessageId } = await provider.send(outbound(provider, phone(1), 'Fetch me'));
      const fetched = await client.messages(providerMessageId).fetch();
      assert.equal(fetched.sid, providerMessageId);
      assert.ok(fetched.dateCreated instanceof Date && !Number.isNaN(fetched.dateCreated.getTime()), String(fetched.dateCreated));
      assert.deepEqual([fetched.to, fetched.from, fetched.body, fetched.direction, fetched.numSegments], [phone(1), fromNumber, 'Fetch me', 'outbound-api', '1']);
      await assert.rejects(client.messages(`SM${'0'.repeat(32)}`).fetch(), (err: { status?: number; code?: number }) => err.status === 404 && err.code === 20404);
    } finally {
      (client.httpClient as RedirectingRequestClient).close();
      await cleanup();
    }
  });

  test('apiBaseUrl sends every call (create, list, next page) to the stand-in', async () => {
    const { s, provider, cleanup } = await twilioSetup();
    try {
      const msg = outbound(provider, phone(1), 'Redirect me');
      await provider.send(msg);
      await provider.lookup({ ...msg, body: 'not there' });
      assert.equal(s.requests[0], `POST /2010-04-01/Accounts/${accountSid}/Messages.json`);
      assert.ok(s.requests.slice(1).every((r) => r.startsWith(`GET /2010-04-01/Accounts/${accountSid}/Messages.json?`)), s.requests.join('\n'));
      assert.match(s.requests[1], /To=%2B15125552001/);
      assert.match(s.requests[1], /DateSent%3E=/);
    } finally {
      await cleanup();
    }
  });

  const rewrites: Array<[base: string | null, uri: string, expected: string]> = [
    ['http://127.0.0.1:4010', 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json', 'http://127.0.0.1:4010/2010-04-01/Accounts/AC1/Messages.json'],
    ['http://127.0.0.1:4010/', 'https://api.twilio.com/2010-04-01/A.json?Page=1&PageToken=PA1', 'http://127.0.0.1:4010/2010-04-01/A.json?Page=1&PageToken=PA1'],
    ['https://proxy.internal/twilio', 'https://api.dublin.ie1.twilio.com/2010-04-01/x.json', 'https://proxy.internal/twilio/2010-04-01/x.json'],
    ['http://127.0.0.1:4010', 'https://example.com/https://api.twilio.com/x', 'https://example.com/https://api.twilio.com/x'],
    ['http://127.0.0.1:4010', 'https://api.twilio.com.evil.com/x', 'https://api.twilio.com.evil.com/x'],
    [null, 'https://api.twilio.com/2010-04-01/x.json', 'https://api.twilio.com/2010-04-01/x.json'],
  ];
  for (const [base, uri, expected] of rewrites) {
    test(`redirect ${base ?? '(none)'}: ${uri}`, () => {
      const client = new RedirectingRequestClient(base, { timeout: 1000 });
      assert.equal(client.rewrite(uri), expected);
      client.close();
    });
  }

  const failures: Array<[name: string, code: number | null, status: number, permanent: boolean, maybeSent: boolean]> = [
    ['500: retry after a lookup', null, 500, false, true],
    ['503: retry, Twilio did not take it', null, 503, false, false],
    ['429 rate limited: retry', 20429, 429, false, false],
    ['21614 not a mobile number: permanent', 21614, 400, true, false],
    ['21612 unreachable: permanent', 21612, 400, true, false],
    ['21606 From is not ours: configuration, retry', 21606, 400, false, false],
  ];
  for (const [name, code, status, permanent, maybeSent] of failures) {
    test(`error mapping: ${name}`, async () => {
      const { s, provider, cleanup } = await twilioSetup();
      try {
        s.failNext(code, status);
        const err = await sendError(provider, outbound(provider, phone(1), 'Hello'));
        assert.deepEqual({ permanent: err.info.permanent, maybeSent: !!err.info.maybeSent, optedOut: !!err.info.optedOut }, { permanent, maybeSent, optedOut: false });
        assert.equal(err.info.code, code ?? status);
      } finally {
        await cleanup();
      }
    });
  }

  test('a send that times out after Twilio took it reports maybeSent, and lookup then finds it', async () => {
    const { s, provider, cleanup } = await twilioSetup({}, {}, { timeoutMs: 150 });
    try {
      s.delayNext(600);
      const msg = outbound(provider, phone(1), 'Your invoice is ready');
      const err = await sendError(provider, msg);
      assert.equal(err.info.permanent, false);
      assert.equal(err.info.maybeSent, true);
      const found = await provider.lookup(msg);
      assert.equal(found.found === true && found.providerMessageId, s.messages[0].sid);
    } finally {
      await cleanup();
    }
  });

  test('connection refused is retryable and certainly not sent', async () => {
    const { s, provider } = await twilioSetup();
    await s.close();
    const err = await sendError(provider, outbound(provider, phone(1), 'Hello'));
    assert.deepEqual({ permanent: err.info.permanent, maybeSent: !!err.info.maybeSent, code: err.info.code }, { permanent: false, maybeSent: false, code: 'ECONNREFUSED' });
    await provider.close?.();
  });

  test('lookup finds a message Twilio accepted but has not sent yet (no date_sent)', async () => {
    const { s, provider, cleanup } = await twilioSetup({ holdQueued: true });
    try {
      const msg = outbound(provider, phone(1), 'Queued behind the throughput limit');
      const { providerMessageId } = await provider.send(msg);
      assert.equal(s.messages[0].date_sent, null);
      assert.deepEqual(await provider.lookup(msg), { found: true, providerMessageId, status: 'queued' });
    } finally {
      await cleanup();
    }
  });

  function filler(count: number, to: string): StoredMessage[] {
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return Array.from({ length: count }, (_, i) => ({
      sid: `SM${i.toString(16).padStart(32, '0')}`, account_sid: accountSid, api_version: '2010-04-01' as const, body: `Filler ${i}`,
      date_created: now, date_sent: now, date_updated: now, direction: 'outbound-api' as const, error_code: null, error_message: null,
      from: fromNumber, messaging_service_sid: null, num_media: '0', num_segments: '1', price: null, price_unit: 'USD', status: 'delivered',
      subresource_uris: { media: '', feedback: '' }, to, uri: '',
    }));
  }

  test('lookup pages through next_page_uri, and says unknown rather than guess past its page limit', async () => {
    const { s, provider, cleanup } = await twilioSetup();
    const limited = createTwilioSmsProvider({ accountSid, authToken, fromNumber, messagingServiceSid: null, apiBaseUrl: s.baseUrl }, { lookupMaxPages: 1 });
    try {
      const msg = outbound(provider, phone(1), 'Find me on page two');
      const { providerMessageId } = await provider.send(msg);
      await new Promise((r) => setTimeout(r, 20));
      s.messages.push(...filler(150, phone(1))); // newer, so ours is on the second page of 100
      const found = await provider.lookup(msg);
      assert.equal(found.found === true && found.providerMessageId, providerMessageId);
      assert.ok(s.requests.some((r) => /Page=1&PageToken=/.test(r)), 'read the second page through next_page_uri');
      assert.deepEqual(await provider.lookup({ ...msg, body: 'never sent' }), { found: false });
      assert.deepEqual(await limited.lookup({ ...msg, body: 'never sent' }), { found: 'unknown' });
    } finally {
      await limited.close?.();
      await cleanup();
    }
  });

  test('with only a messaging service: sends MessagingServiceSid, and lookup works without a From', async () => {
    const service = `MG${'b2'.repeat(16)}`;
    const { s, provider, cleanup } = await twilioSetup({ serviceNumber: '+15125550199' }, { fromNumber: null, messagingServiceSid: service });
    try {
      const msg = outbound(provider, phone(1), 'Sent through the service');
      const { providerMessageId } = await provider.send(msg);
      assert.equal(s.messages[0].messaging_service_sid, service);
      const found = await provider.lookup(msg);
      assert.equal(found.found === true && found.providerMessageId, providerMessageId);
      assert.doesNotMatch(s.requests.at(-1) ?? '', /From=/);
    } finally {
      await cleanup();
    }
  });

  const bodies: Array<[ours: string, theirs: string | null, same: boolean]> = [
    ['See you at 9', 'See you at 9', true],
    ['See you at 9', 'Sent from your Twilio trial account - See you at 9', true],
    ['It’s “ready” — call us…', 'It\'s "ready" - call us...', true],
    ['See you at 9', 'See you at 10', false],
    ['See you at 9', null, false],
  ];
  for (const [ours, theirs, same] of bodies) {
    test(`same SMS body? ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)} → ${same}`, () => assert.equal(sameSmsBody(ours, theirs), same));
  }
});

describe('smtp email', () => {
  test('Message-ID, List-Unsubscribe and List-Unsubscribe-Post arrive; html goes along; our Message-ID wins', async () => {
    const s = await startSmtpStandin();
    const provider = createSmtpEmailProvider({ url: s.url, from: 'Comfort Pro HVAC <hello@comfortpro.test>' }, { hostname: 'crm.comfortpro.test' });
    try {
      const msg = outbound(provider, 'dana@example.com', 'Your tune-up is due.', {
        html: '<p>Your tune-up is due.</p>',
        headers: {
          'List-Unsubscribe': '<https://crm.comfortpro.test/u/tok123>, <mailto:unsubscribe@crm.comfortpro.test?subject=tok123>',
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'Message-ID': '<forged@elsewhere.test>',
          'X-Kinetic-Note': 'line one\r\nBcc: victim@example.com',
        },
      });
      const result = await provider.send(msg);
      assert.equal(result.providerMessageId, `<${msg.outboxId}@crm.comfortpro.test>`);
      const [got] = s.messages;
      assert.equal(got.parsed.messageId, result.providerMessageId);
      // mailparser folds List-* headers into one structured `list` header.
      assert.deepEqual(got.parsed.headers.get('list'), {
        unsubscribe: { url: 'https://crm.comfortpro.test/u/tok123', mail: 'unsubscribe@crm.comfortpro.test?subject=tok123' },
        'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
      });
      assert.match(got.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
      assert.match(got.raw, /^List-Unsubscribe: <https:\/\/crm\.comfortpro\.test\/u\/tok123>,/m);
      assert.equal(got.parsed.html, '<p>Your tune-up is due.</p>');
      assert.equal(got.parsed.subject, 'Your appointment');
      assert.equal(got.parsed.from?.value[0].address, 'hello@comfortpro.test');
      assert.deepEqual(got.envelope.rcptTo, ['dana@example.com']);
      assert.doesNotMatch(got.raw, /^Bcc:/im, 'a header value cannot inject another header');
      // A retry of the same outbox row carries the same Message-ID.
      assert.equal((await provider.send(msg)).providerMessageId, result.providerMessageId);
      assert.equal(s.messages[1].parsed.messageId, result.providerMessageId);
    } finally {
      await provider.close?.();
      await s.close();
    }
  });

  const replies: Array<[code: number, permanent: boolean]> = [[451, false], [452, false], [421, false], [550, true], [552, true], [554, true]];
  for (const [code, permanent] of replies) {
    test(`SMTP ${code} after DATA → ${permanent ? 'permanent' : 'temporary'}`, async () => {
      const s = await startSmtpStandin();
      const provider = createSmtpEmailProvider({ url: s.url, from: 'hello@comfortpro.test' }, { hostname: 'crm.comfortpro.test' });
      try {
        s.rejectNext(code);
        const err = await sendError(provider, outbound(provider, 'dana@example.com', 'Hello'));
        assert.equal(err.info.permanent, permanent);
        assert.equal(err.info.code, code);
      } finally {
        await provider.close?.();
        await s.close();
      }
    });
  }

  test('an unreachable SMTP server is temporary', async () => {
    const s = await startSmtpStandin();
    await s.close();
    const provider = createSmtpEmailProvider({ url: s.url, from: 'hello@comfortpro.test' }, { hostname: 'crm.comfortpro.test', timeoutMs: 2000 });
    const err = await sendError(provider, outbound(provider, 'dana@example.com', 'Hello'));
    assert.equal(err.info.permanent, false);
    await provider.close?.();
  });
});

describe('provider registry', () => {
  const base = { publicUrl: 'https://crm.comfortpro.test', twilio: null, smtp: null } as Pick<Config, 'publicUrl' | 'twilio' | 'smtp'>;
  const cases: Array<[name: string, cfg: Pick<Config, 'publicUrl' | 'twilio' | 'smtp'>, sms: string, email: string]> = [
    ['no credentials → dev outbox for both', base, 'dev', 'dev'],
    ['twilio configured', { ...base, twilio: { accountSid, authToken, fromNumber, messagingServiceSid: null, apiBaseUrl: 'http://127.0.0.1:9' } }, 'twilio', 'dev'],
    ['smtp configured', { ...base, smtp: { url: 'smtp://127.0.0.1:9', from: 'hello@comfortpro.test' } }, 'dev', 'smtp'],
  ];
  for (const [name, cfg, sms, email] of cases) {
    test(name, async () => {
      const providers = createProviders(cfg as Config);
      assert.deepEqual([providers.sms.name, providers.sms.channel, providers.email.name, providers.email.channel], [sms, 'sms', email, 'email']);
      await providers.close();
    });
  }

  const hosts: Array<[string, string]> = [['https://crm.comfortpro.test', 'crm.comfortpro.test'], ['http://localhost:3000', 'localhost'], ['http://127.0.0.1:3000', 'localhost'], ['http://[::1]:3000', 'localhost']];
  for (const [url, host] of hosts) test(`Message-ID host for ${url} is ${host}`, () => assert.equal(messageIdHostname(url), host));
});
