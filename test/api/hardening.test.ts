import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import type { Logger } from '../../src/context.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect, testConfig } from '../helpers/db.ts';

forEachDialect('web hardening', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let cookie: string;
  const logged: Array<{ obj: Record<string, unknown>; msg?: string }> = [];

  before(async () => {
    const log: Logger = { info() {}, warn() {}, debug() {}, error: (obj, msg) => void logged.push({ obj: obj as Record<string, unknown>, msg }) };
    app = await buildServer({ ...world().ctx, log });
    // A route that fails the way an unexpected bug does, to see what a 5xx looks like from outside and in the log.
    app.get('/test-only/boom', async () => {
      throw new Error('kaboom: a bug');
    });
    await app.ready();
    t = await makeTenant(world().ctx, 'Hardening Heating');
    const login = await client(app, null).post('/auth/login', { email: t.ownerEmail, password: t.password });
    cookie = login.cookies.find((c) => c.name === 'kinetic_session')!.value;
  });
  after(async () => app?.close());

  test('security headers: CSP with frame-ancestors none, nosniff, no referrer; HSTS only when the public URL is https', async () => {
    const res = await app.inject({ url: '/health' });
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'.*script-src 'self'.*frame-ancestors 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS on http');
    const https = await buildServer({ ...world().ctx, config: testConfig({ publicUrl: 'https://crm.comfortpro.example' }) });
    const secure = await https.inject({ url: '/health' });
    assert.match(String(secure.headers['strict-transport-security']), /max-age=31536000/);
    await https.close();
  });

  test('a cookie-authenticated write from another origin or site is refused; the same origin and API keys are not', async () => {
    const write = (headers: Record<string, string>, useCookie = true) =>
      app.inject({ method: 'POST', url: '/contacts', headers: { 'content-type': 'application/json', ...headers }, cookies: useCookie ? { kinetic_session: cookie } : {}, payload: JSON.stringify({ name: 'Forged Lead' }) });
    const forged: Array<Record<string, string>> = [{ 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://evil.example' }, { origin: 'http://localhost:9999' }];
    for (const headers of forged) {
      const res = await write(headers);
      assert.equal(res.statusCode, 403, `${JSON.stringify(headers)}: ${res.body}`);
      assert.match(res.json().error.message, /cross-(site|origin) request refused/);
    }
    assert.equal((await write({ 'sec-fetch-site': 'same-origin' })).statusCode, 201);
    assert.equal((await write({ origin: new URL(world().ctx.config.publicUrl).origin })).statusCode, 201);
    assert.equal((await write({})).statusCode, 201, 'no browser headers: a script with the cookie, not a forged page');
    assert.equal((await write({ authorization: `Bearer ${t.key}`, 'sec-fetch-site': 'cross-site' }, false)).statusCode, 201, 'an API key is not a cookie');
    // Reads are not writes.
    assert.equal((await app.inject({ url: '/contacts', cookies: { kinetic_session: cookie }, headers: { 'sec-fetch-site': 'cross-site' } })).statusCode, 200);
    // Login CSRF: a form on another site cannot log the browser in either.
    const login = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }, payload: JSON.stringify({ email: t.ownerEmail, password: t.password }) });
    assert.equal(login.statusCode, 403);
  });

  test('a 5xx is logged with a request id, and the body carries the same id', async () => {
    const res = await client(app, t.key).get('/test-only/boom');
    assert.equal(res.statusCode, 500);
    const body = res.json().error;
    assert.equal(body.code, 'INTERNAL');
    assert.ok(body.requestId, res.body);
    assert.equal(res.headers['x-request-id'], body.requestId);
    assert.match(body.message, new RegExp(body.requestId));
    assert.doesNotMatch(res.body, /kaboom/);
    const entry = logged.find((l) => l.obj.requestId === body.requestId);
    assert.ok(entry, 'the failure is in the log under its request id');
    assert.match(String((entry.obj.err as Error).message), /kaboom/);
    // A proxy's own request id is kept.
    const traced = await app.inject({ url: '/test-only/boom', headers: { authorization: `Bearer ${t.key}`, 'x-request-id': 'lb-1234' } });
    assert.equal(traced.json().error.requestId, 'lb-1234');
  });
});
