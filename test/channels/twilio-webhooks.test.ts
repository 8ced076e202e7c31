import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import twilio from 'twilio';
import {
  parseInboundSms,
  parseStatusCallback,
  parseTwilioForm,
  publicRequestUrl,
  verifyTwilioJsonSignature,
  verifyTwilioSignature,
  type WebhookParams,
} from '../../src/channels/twilio-webhooks.ts';
import { createTwilioSmsProvider } from '../../src/channels/twilio-sms.ts';
import { AppError } from '../../src/lib/errors.ts';
import { startTwilioStandin } from '../helpers/twilio-standin.ts';
import { outbound } from './contract.ts';

const authToken = 'twilio-test-auth-token-0001';
const accountSid = `AC${'c3'.repeat(16)}`;
const messageSid = `SM${'d4'.repeat(16)}`;
const url = 'https://crm.comfortpro.test/webhooks/twilio/sms?business=b_1';
const params = { AccountSid: accountSid, Body: 'Yes, Tuesday works', From: '+15125550123', MessageSid: messageSid, NumMedia: '0', To: '+15125550100' };
const sign = (u: string, p: Record<string, string | string[]>, token = authToken) => twilio.getExpectedTwilioSignature(token, u, p);
const good = sign(url, params);

describe('twilio signature verification', () => {
  const cases: Array<[name: string, url: string, params: WebhookParams, header: string | string[] | undefined, valid: boolean]> = [
    ['correctly signed request', url, params, good, true],
    ['Twilio signed with the default port, we know the URL without it', url, params, sign('https://crm.comfortpro.test:443/webhooks/twilio/sms?business=b_1', params), true],
    ['repeated form keys are signed as sorted pairs', url, { ...params, MediaUrl: ['b', 'a'] }, sign(url, { ...params, MediaUrl: ['b', 'a'] }), true],
    ['altered body', url, { ...params, Body: 'STOP' }, good, false],
    ['extra parameter added', url, { ...params, Extra: '1' }, good, false],
    ['parameter removed', url, { ...params, NumMedia: undefined }, good, false],
    ['different URL (other business)', url.replace('b_1', 'b_2'), params, good, false],
    ['http instead of https', url.replace('https:', 'http:'), params, good, false],
    ['signed with another auth token (forged)', url, params, sign(url, params, 'someone-elses-token-0000'), false],
    ['unsigned (no header)', url, params, undefined, false],
    ['empty header', url, params, '', false],
    ['header sent twice', url, params, [good, good], false],
    ['garbage header', url, params, 'not-a-signature', false],
    ['unparsable URL', 'not a url', params, good, false],
  ];
  for (const [name, u, p, header, valid] of cases) {
    test(`${valid ? 'accepts' : 'rejects'}: ${name}`, () => assert.equal(verifyTwilioSignature(authToken, u, p, header), valid));
  }

  test('an empty auth token never validates', () => assert.equal(verifyTwilioSignature('', url, params, sign(url, params, '')), false));

  const body = JSON.stringify({ type: 'com.twilio.messaging.message.delivered', data: { messageSid } });
  const jsonUrl = `https://crm.comfortpro.test/webhooks/twilio/events?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
  const jsonCases: Array<[name: string, url: string, body: string, header: string | undefined, valid: boolean]> = [
    ['JSON body with matching bodySHA256', jsonUrl, body, sign(jsonUrl, {}), true],
    ['JSON body altered after signing', jsonUrl, body.replace('delivered', 'failed'), sign(jsonUrl, {}), false],
    ['URL without bodySHA256', 'https://crm.comfortpro.test/webhooks/twilio/events', body, sign('https://crm.comfortpro.test/webhooks/twilio/events', {}), false],
    ['JSON body, unsigned', jsonUrl, body, undefined, false],
  ];
  for (const [name, u, b, header, valid] of jsonCases) {
    test(`${valid ? 'accepts' : 'rejects'}: ${name}`, () => assert.equal(verifyTwilioJsonSignature(authToken, u, b, header), valid));
  }

  test('parseTwilioForm keeps repeated keys, so a signature over them still verifies', () => {
    const form = parseTwilioForm('Body=Hi+there%21&MediaUrl=b&MediaUrl=a&To=%2B15125550100');
    assert.deepEqual(form, { Body: 'Hi there!', MediaUrl: ['b', 'a'], To: '+15125550100' });
    assert.equal(verifyTwilioSignature(authToken, url, form, sign(url, { Body: 'Hi there!', MediaUrl: ['a', 'b'], To: '+15125550100' })), true);
  });

  test('publicRequestUrl joins the public base with the raw path and query', () => {
    assert.equal(publicRequestUrl('https://crm.example.com/', '/webhooks/twilio/sms?b=1'), 'https://crm.example.com/webhooks/twilio/sms?b=1');
    assert.equal(publicRequestUrl('https://crm.example.com', 'webhooks/x'), 'https://crm.example.com/webhooks/x');
  });
});

describe('twilio webhook parsing', () => {
  test('status callback: delivered', () => {
    assert.deepEqual(parseStatusCallback({ MessageSid: messageSid, MessageStatus: 'delivered', SmsStatus: 'delivered', AccountSid: accountSid, To: '+15125550123', From: '+15125550100' }), {
      messageSid, accountSid, twilioStatus: 'delivered', status: 'delivered', errorCode: null, errorMessage: null, to: '+15125550123', from: '+15125550100',
    });
  });

  const statuses: Array<[twilioStatus: string, errorCode: string | undefined, status: string, code: number | null]> = [
    ['undelivered', '30003', 'undelivered', 30003],
    ['failed', '30007', 'failed', 30007],
    ['sent', undefined, 'sent', null],
    ['queued', '', 'queued', null],
    ['read', undefined, 'delivered', null],
    ['some_future_status', undefined, 'queued', null],
  ];
  for (const [twilioStatus, errorCode, status, code] of statuses) {
    test(`status callback: ${twilioStatus}${errorCode ? ` (${errorCode})` : ''} → ${status}`, () => {
      const parsed = parseStatusCallback({ MessageSid: messageSid, MessageStatus: twilioStatus, ErrorCode: errorCode });
      assert.deepEqual([parsed.status, parsed.errorCode, parsed.twilioStatus], [status, code, twilioStatus]);
    });
  }

  const bad: Array<[name: string, p: WebhookParams, field: string]> = [
    ['no MessageSid', { MessageStatus: 'sent' }, 'MessageSid'],
    ['malformed MessageSid', { MessageSid: 'SM123', MessageStatus: 'sent' }, 'MessageSid'],
    ['no MessageStatus', { MessageSid: messageSid }, 'MessageStatus'],
  ];
  for (const [name, p, field] of bad) {
    test(`status callback rejected: ${name}`, () =>
      assert.throws(() => parseStatusCallback(p), (err: unknown) => err instanceof AppError && err.code === 'VALIDATION_FAILED' && err.message.includes(field)));
  }

  test('inbound SMS with two pictures', () => {
    const parsed = parseInboundSms({
      ...params, MessageSid: `MM${'e5'.repeat(16)}`, NumMedia: '2', MessagingServiceSid: `MG${'f6'.repeat(16)}`,
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME1', MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME2', MediaContentType1: 'image/png',
      FromCity: 'AUSTIN', FromState: 'TX', FromZip: '78701', FromCountry: 'US',
    });
    assert.equal(parsed.numMedia, 2);
    assert.deepEqual(parsed.media.map((m) => m.contentType), ['image/jpeg', 'image/png']);
    assert.deepEqual([parsed.from, parsed.to, parsed.body], ['+15125550123', '+15125550100', 'Yes, Tuesday works']);
    assert.deepEqual(parsed.fromLocation, { city: 'AUSTIN', state: 'TX', zip: '78701', country: 'US' });
  });

  test('inbound SMS: plain text, empty body allowed, NumMedia defaults to 0', () => {
    const parsed = parseInboundSms({ MessageSid: messageSid, From: '+15125550123', To: '+15125550100' });
    assert.deepEqual([parsed.body, parsed.numMedia, parsed.media, parsed.accountSid], ['', 0, [], null]);
  });

  const badInbound: Array<[name: string, p: WebhookParams]> = [
    ['no From', { MessageSid: messageSid, To: '+15125550100', Body: 'hi' }],
    ['NumMedia not a number', { ...params, NumMedia: 'two' }],
    ['no MessageSid', { From: '+15125550123', To: '+15125550100', Body: 'hi' }],
  ];
  for (const [name, p] of badInbound) {
    test(`inbound SMS rejected: ${name}`, () => assert.throws(() => parseInboundSms(p), (err: unknown) => err instanceof AppError && err.code === 'VALIDATION_FAILED'));
  }
});

test('status callbacks from the stand-in verify and parse end to end', async () => {
  const received: Array<{ valid: boolean; status: string }> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const form = parseTwilioForm(raw);
      // Behind a proxy the public URL differs from the socket address: verify against the configured public URL.
      const publicUrl = publicRequestUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, req.url ?? '/');
      const valid = verifyTwilioSignature(authToken, publicUrl, form, req.headers['x-twilio-signature']);
      received.push({ valid, status: parseStatusCallback(form).status });
      res.writeHead(valid ? 204 : 403).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twilio/status?outbox=o_1`;
  const standin = await startTwilioStandin({ accountSid, authToken, deliverCallbacks: true });
  const provider = createTwilioSmsProvider({ accountSid, authToken, fromNumber: '+15125550100', messagingServiceSid: null, apiBaseUrl: standin.baseUrl });
  try {
    await provider.send(outbound(provider, '+15125550123', 'On our way', { statusCallbackUrl: callbackUrl }));
    for (let i = 0; i < 100 && received.length < 2; i++) {
      await standin.settled();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(received, [{ valid: true, status: 'sent' }, { valid: true, status: 'delivered' }]);
    assert.deepEqual(standin.callbacks.map((c) => c.responseStatus), [204, 204]);
  } finally {
    await provider.close?.();
    await standin.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
