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

  test('input that cannot be right is refused with the field named: offsets, phones, lone surrogates, settings, webhook steps, MIME', async () => {
    const api = client(app, t.key);
    const bad = async (res: Promise<{ statusCode: number; body: string }>, field: RegExp) => {
      const r = await res;
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.body, field);
    };
    const contact = (await api.post('/contacts', { name: 'Valid Person', phone: '512-555-0123' })).json();
    await bad(api.post('/jobs', { contactId: contact.id, serviceType: 'ac_repair', scheduledStart: '2026-03-05T15:00:00+99:99' }), /scheduledStart/);
    assert.equal((await api.post('/jobs', { contactId: contact.id, serviceType: 'ac_repair', scheduledStart: '2026-03-05T15:00:00+05:30' })).statusCode, 201);
    await bad(api.post('/companies', { name: 'Tiny Co', phone: '12' }), /phone/);
    await bad(api.patch('/business', { phone: '12' }), /phone/);
    assert.equal((await api.post('/companies', { name: 'Real Co', phone: '(512) 555-0188' })).statusCode, 201);
    await bad(api.post('/contacts', { name: 'Broken \ud800 name' }), /"field":"name".*Unicode/);
    await bad(api.patch('/business', { settings: { colour: 'blue' } }), /settings\.colour/);
    await bad(api.patch('/business', { settings: { phoneNumbers: ['12'] } }), /settings\.phoneNumbers/);
    const added = await api.patch('/business', { settings: { phoneNumbers: ['+1 512 555 0111'], intake: { reviewThreshold: 0.7 } } });
    assert.equal(added.statusCode, 200, added.body);
    assert.deepEqual(added.json().settings.phoneNumbers, ['+1 512 555 0111']);
    const removed = await api.patch('/business', { settings: { phoneNumbers: null } });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal('phoneNumbers' in removed.json().settings, false, 'null removes the key');
    assert.equal(removed.json().settings.intake.reviewThreshold, 0.7, 'the other keys stay');
    const hook = (url: string) => ({ definition: { name: 'Hook', trigger: { type: 'event', event: 'lead.created' }, steps: [{ type: 'webhook', url }] } });
    await bad(api.post('/automations', hook('http://127.0.0.1:8080/internal')), /steps\.0\.url.*loopback/);
    await bad(api.post('/automations', hook('http://169.254.169.254/latest/meta-data')), /steps\.0\.url/);
    await bad(api.post('/automations/validate', hook('http://10.0.0.5/x').definition), /steps\.0\.url/);
    assert.equal((await api.post('/automations', hook('https://93.184.216.34/hook'))).statusCode, 201);
    const mime = (payload: string) => app.inject({ method: 'POST', url: '/inbound/email', headers: { authorization: `Bearer ${t.key}`, 'content-type': 'message/rfc822' }, payload });
    for (const [payload, problem] of [['this is not an email at all', /not a MIME message/], ['Subject: hi\r\nTo: office@hardening.example\r\n\r\nno sender', /no From address/]] as const) {
      const res = await mime(payload);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
      assert.match(res.json().error.message, problem);
    }
  });
});
