import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger, type AppContext } from '../../src/context.ts';
import type { Db } from '../../src/db/database.ts';
import { VirtualClock } from '../../src/lib/clock.ts';
import { bookingUrl, verifyBookingToken } from '../../src/booking/links.ts';
import { testConfig } from '../helpers/db.ts';

// Signing needs no database: the handle is never touched.
const ctxWith = (clock: VirtualClock, secret = 'booking-secret-0123456789abcdef0123456789'): AppContext => ({
  config: testConfig({ secret, publicUrl: 'https://crm.example.com/' }),
  db: null as unknown as Db,
  clock,
  log: silentLogger,
});
const tokenOf = (url: string) => url.slice('https://crm.example.com/book/'.length);

describe('booking links', () => {
  it('round-trips business and contact under the public URL', () => {
    const clock = new VirtualClock('2026-03-02T15:00:00Z');
    const ctx = ctxWith(clock);
    const url = bookingUrl(ctx, 'biz_1', 'con_1');
    assert.match(url, /^https:\/\/crm\.example\.com\/book\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const check = verifyBookingToken(ctx, tokenOf(url));
    assert.deepEqual(check, { ok: true, claims: { businessId: 'biz_1', contactId: 'con_1', expiresAt: '2026-04-01T15:00:00.000Z' } });
  });

  it('packs UUID ids into a short token (fits a URL path segment and a text message)', () => {
    const clock = new VirtualClock('2026-03-02T15:00:00Z');
    const ctx = ctxWith(clock);
    const b = '019a8f2e-7c1d-7a3b-9c4e-0123456789ab';
    const c = '019a8f2e-7c1d-7a3b-9c4e-ba9876543210';
    const token = tokenOf(bookingUrl(ctx, b, c));
    assert.ok(token.length <= 80, `${token.length} characters`);
    assert.deepEqual(verifyBookingToken(ctx, token), { ok: true, claims: { businessId: b, contactId: c, expiresAt: '2026-04-01T15:00:00.000Z' } });
  });

  it('expires after the TTL', () => {
    const clock = new VirtualClock('2026-03-02T15:00:00Z');
    const ctx = ctxWith(clock);
    const token = tokenOf(bookingUrl(ctx, 'biz_1', 'con_1', { ttlDays: 1 }));
    clock.advance(23 * 3_600_000);
    assert.equal(verifyBookingToken(ctx, token).ok, true);
    clock.advance(2 * 3_600_000);
    assert.deepEqual(verifyBookingToken(ctx, token), { ok: false, reason: 'expired' });
  });

  it('rejects forged, tampered and other-secret tokens', () => {
    const clock = new VirtualClock('2026-03-02T15:00:00Z');
    const ctx = ctxWith(clock);
    const token = tokenOf(bookingUrl(ctx, 'biz_1', 'con_1'));
    const [payload, mac] = token.split('.');
    const otherPayload = Buffer.concat([Buffer.from([2]), Buffer.from(JSON.stringify(['biz_2', 'con_1', 9_999_999_999]))]).toString('base64url');
    for (const bad of [`${otherPayload}.${mac}`, `${payload}.${mac.slice(0, -2)}AA`, payload, '', 'a.b.c', `${payload}.`]) {
      assert.deepEqual(verifyBookingToken(ctx, bad), { ok: false, reason: 'invalid' }, bad);
    }
    assert.deepEqual(verifyBookingToken(ctxWith(clock, 'another-secret-0123456789abcdef012345'), token), { ok: false, reason: 'invalid' });
  });
});
