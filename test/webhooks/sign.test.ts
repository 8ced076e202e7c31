import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { deriveBusinessSecret, parseSignatureHeader, signPayload, verifySignature } from '../../src/engine/webhooks/sign.ts';

const secret = 'whsec_test';
const body = '{"type":"lead.created","data":{"contactId":"c1"}}';
const t = 1_772_463_600; // 2026-03-02T15:00:00Z
const header = signPayload(secret, t, body);

describe('webhooks: signing', () => {
  test('the header is t=<ts>,v1=<hex hmac-sha256 of "<ts>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    assert.equal(header, `t=${t},v1=${expected}`);
  });

  const cases: Array<{ name: string; secret?: string; header?: string | null; body?: string; now?: number; tolerance?: number; ok: boolean }> = [
    { name: 'valid', ok: true },
    { name: 'valid, clock a little ahead', now: t + 299, ok: true },
    { name: 'valid, clock a little behind', now: t - 299, ok: true },
    { name: 'altered body', body: body.replace('c1', 'c2'), ok: false },
    { name: 'body with extra whitespace', body: `${body} `, ok: false },
    { name: 'wrong secret', secret: 'whsec_other', ok: false },
    { name: 'stale timestamp (replay)', now: t + 301, ok: false },
    { name: 'timestamp from the future', now: t - 301, ok: false },
    { name: 'stale under a tighter tolerance', now: t + 61, tolerance: 60, ok: false },
    { name: 'timestamp altered', header: header.replace(`t=${t}`, `t=${t + 1}`), ok: false },
    { name: 'signature altered', header: header.slice(0, -1) + (header.endsWith('0') ? '1' : '0'), ok: false },
    { name: 'malformed: empty', header: '', ok: false },
    { name: 'malformed: null', header: null, ok: false },
    { name: 'malformed: no timestamp', header: header.replace(/^t=\d+,/, ''), ok: false },
    { name: 'malformed: no signature', header: `t=${t}`, ok: false },
    { name: 'malformed: short signature', header: `t=${t},v1=abc`, ok: false },
    { name: 'malformed: garbage', header: 'sha256=deadbeef', ok: false },
    { name: 'malformed: non-numeric timestamp', header: header.replace(`t=${t}`, 't=soon'), ok: false },
    { name: 'rotation: one of two v1 values matches', header: `${header},v1=${'0'.repeat(64)}`, ok: true },
    { name: 'unknown schemes are ignored', header: `${header},v0=whatever`, ok: true },
  ];
  for (const c of cases) {
    test(`verifySignature: ${c.name} → ${c.ok}`, () => {
      const h = c.header === undefined ? header : c.header;
      assert.equal(verifySignature(c.secret ?? secret, h, c.body ?? body, c.now ?? t, c.tolerance), c.ok);
    });
  }

  test('now may be a Date', () => {
    assert.equal(verifySignature(secret, header, body, new Date(t * 1000 + 10_000)), true);
    assert.equal(verifySignature(secret, header, body, new Date((t + 3600) * 1000)), false);
  });

  test('parseSignatureHeader reads the timestamp and every v1', () => {
    assert.deepEqual(parseSignatureHeader(`t=5,v1=${'a'.repeat(64)},v1=${'b'.repeat(64)}`), { timestamp: 5, signatures: ['a'.repeat(64), 'b'.repeat(64)] });
    assert.equal(parseSignatureHeader('t=5,t=6,v1=' + 'a'.repeat(64)), null);
  });

  test('signPayload refuses a fractional or negative timestamp', () => {
    assert.throws(() => signPayload(secret, 1.5, body), RangeError);
    assert.throws(() => signPayload(secret, -1, body), RangeError);
  });

  test('the business default secret is HMAC-SHA256(config.secret, "webhooks:" + businessId), distinct per business', () => {
    const a = deriveBusinessSecret('master', 'biz-a');
    assert.equal(a, createHmac('sha256', 'master').update('webhooks:biz-a').digest('hex'));
    assert.notEqual(a, deriveBusinessSecret('master', 'biz-b'));
    assert.notEqual(a, deriveBusinessSecret('other-master', 'biz-a'));
  });
});
