import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/**
 * Bad input gets a 4xx in the one error shape `{ error: { code, message, details } }`,
 * naming the field where there is one; never a 500, never a stack trace, and
 * nothing already stored is changed or lost.
 */

type Method = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface SendOptions {
  /** A JSON value, sent as application/json. */
  json?: unknown;
  /** A raw payload, sent as is with `contentType`. */
  raw?: string;
  contentType?: string;
}

const BODY_LIMIT = 8 * 1024;

forEachDialect('bad input', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  const stored: Record<string, string> = {};
  let snapshotBefore: Record<string, unknown>;

  async function send(method: Method, url: string, opts: SendOptions = {}): Promise<LightMyRequestResponse> {
    const payload = opts.raw ?? (opts.json === undefined ? undefined : JSON.stringify(opts.json));
    const contentType = opts.contentType ?? (opts.json !== undefined ? 'application/json' : undefined);
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${a.key}`, ...(contentType ? { 'content-type': contentType } : {}) },
      payload,
    });
    const label = `${method} ${url.slice(0, 120)}`;
    assert.ok(res.statusCode < 500, `${label} → ${res.statusCode} ${res.body.slice(0, 300)}`);
    assert.doesNotMatch(res.body, /\n\s+at |node_modules|\.ts:\d+/, `${label}: the body holds a stack trace`);
    return res;
  }

  /** Asserts the status, the error code, the shape, and (when given) that an issue names `field`. */
  function expectError(res: LightMyRequestResponse, status: number, code: string, field?: string | RegExp): void {
    const label = `${res.raw.req.method} ${res.raw.req.url?.slice(0, 120)}`;
    assert.equal(res.statusCode, status, `${label} → ${res.statusCode} ${res.body.slice(0, 300)}`);
    assert.match(String(res.headers['content-type']), /^application\/json/, label);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['error'], label);
    assert.deepEqual(Object.keys(body.error).sort(), ['code', 'details', 'message'], label);
    assert.equal(body.error.code, code, `${label}: ${res.body.slice(0, 300)}`);
    assert.equal(typeof body.error.message, 'string');
    assert.ok(body.error.message.length > 0 && body.error.message.length < 1000, `${label}: message is short and present`);
    if (field !== undefined) {
      const issues = (body.error.details?.issues ?? []) as Array<{ field: string; message: string }>;
      const names = issues.map((i) => i.field);
      const hit = names.some((n) => (typeof field === 'string' ? n === field : field.test(n)));
      assert.ok(hit, `${label}: expected an issue for ${String(field)}, got ${JSON.stringify(names)}`);
    }
  }

  /** Every stored row (by id) and every list, as the business sees them. */
  async function snapshot(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const urls = [
      `/contacts/${stored.contact}`,
      `/companies/${stored.company}`,
      `/jobs/${stored.job}`,
      `/deals/${stored.deal}`,
      `/reviews/${stored.review}`,
      `/tasks/${stored.task}`,
      `/interactions/${stored.interaction}`,
      '/business',
      '/users',
      '/contacts?limit=500',
      '/companies?limit=500',
      '/interactions?limit=500',
      '/jobs?limit=500',
      '/deals?limit=500',
      '/tasks?limit=500',
      '/reviews?limit=500',
      '/events?limit=1000',
      '/audit?limit=1000',
    ];
    for (const url of urls) {
      const res = await send('GET', url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      out[url] = res.json();
    }
    return out;
  }

  before(async () => {
    const base = world().ctx;
    // A small body limit from the config, so "too large" is cheap to send.
    const ctx = { ...base, config: { ...base.config, bodyLimitBytes: BODY_LIMIT } };
    app = await buildServer(ctx);
    await app.ready();
    a = await makeTenant(ctx);
    const make = async (url: string, body: unknown) => {
      const res = await send('POST', url, { json: body });
      assert.equal(res.statusCode, 201, `${url}: ${res.body}`);
      return res.json().id as string;
    };
    stored.contact = await make('/contacts', { name: 'Maria Gomez', phone: '512-555-0123', email: 'maria@example.com', tags: ['vip'], timeZone: 'America/Chicago' });
    stored.company = await make('/companies', { name: 'Gomez Bakery' });
    stored.job = await make('/jobs', { contactId: stored.contact, serviceType: 'ac_repair', scheduledStart: '2026-03-05T15:00:00Z', scheduledEnd: '2026-03-05T17:00:00Z' });
    stored.deal = await make('/deals', { contactId: stored.contact, title: 'New AC unit', amountCents: 650_000 });
    stored.review = await make('/reviews', { contactId: stored.contact, status: 'received', rating: 5 });
    stored.task = await make('/tasks', { title: 'Call Maria back', contactId: stored.contact });
    stored.interaction = await make('/interactions', { contactId: stored.contact, kind: 'note', body: 'likes mornings' });
    snapshotBefore = await snapshot();
  });
  after(async () => app?.close());

  test('malformed JSON is a 400 BAD_REQUEST', async () => {
    expectError(await send('POST', '/contacts', { raw: '{"name":', contentType: 'application/json' }), 400, 'BAD_REQUEST');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { raw: '{"name": "x",}', contentType: 'application/json' }), 400, 'BAD_REQUEST');
    expectError(await send('POST', '/jobs', { raw: "{'serviceType': 'x'}", contentType: 'application/json' }), 400, 'BAD_REQUEST');
    expectError(await send('POST', '/contacts', { raw: '', contentType: 'application/json' }), 400, 'BAD_REQUEST');
    // Prototype pollution attempts are refused by the parser.
    expectError(await send('POST', '/contacts', { raw: '{"name":"x","__proto__":{"admin":true}}', contentType: 'application/json' }), 400, 'BAD_REQUEST');
    expectError(await send('POST', '/contacts', { raw: '{"name":"x","constructor":{"prototype":{"admin":true}}}', contentType: 'application/json' }), 400, 'BAD_REQUEST');
  });

  test('wrong types name the field', async () => {
    expectError(await send('POST', '/contacts', { json: { name: 123 } }), 400, 'VALIDATION_FAILED', 'name');
    expectError(await send('PATCH', `/companies/${stored.company}`, { json: { name: 123 } }), 400, 'VALIDATION_FAILED', 'name');
    expectError(await send('POST', '/jobs', { json: { serviceType: 'ac_repair', amountCents: '100' } }), 400, 'VALIDATION_FAILED', 'amountCents');
    expectError(await send('POST', '/contacts', { json: { name: 'x', tags: 'vip' } }), 400, 'VALIDATION_FAILED', 'tags');
    expectError(await send('POST', '/deals', { json: { title: ['x'] } }), 400, 'VALIDATION_FAILED', 'title');
    expectError(await send('POST', '/deals', { raw: '{"title":"x","amountCents":1e400}', contentType: 'application/json' }), 400, 'VALIDATION_FAILED', 'amountCents');
    expectError(await send('POST', '/contacts', { json: [{ name: 'x' }] }), 400, 'VALIDATION_FAILED');
    expectError(await send('POST', '/contacts', { json: null }), 400, 'VALIDATION_FAILED');
    expectError(await send('POST', '/contacts', { json: 'Maria' }), 400, 'VALIDATION_FAILED');
  });

  test('an invalid phone or email names the field', async () => {
    expectError(await send('POST', '/contacts', { json: { phone: '12' } }), 400, 'VALIDATION_FAILED', 'phone');
    expectError(await send('POST', '/contacts', { json: { email: 'not-an-email' } }), 400, 'VALIDATION_FAILED', 'email');
    expectError(await send('POST', '/contacts', { json: { name: 'x', phones: ['12'] } }), 400, 'VALIDATION_FAILED', 'phones.0');
    expectError(await send('POST', '/contacts', { json: { name: 'x', emails: [{ address: 'a@' }] } }), 400, 'VALIDATION_FAILED', 'emails.0.address');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { phone: '12' } }), 400, 'VALIDATION_FAILED', 'phone');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { email: 'maria@' } }), 400, 'VALIDATION_FAILED', 'email');
    expectError(await send('POST', '/users', { json: { email: 'nope', name: 'Tech' } }), 400, 'VALIDATION_FAILED', 'email');
  });

  test('unknown fields are refused by name', async () => {
    const res = await send('POST', '/contacts', { json: { name: 'x', colour: 'red' } });
    expectError(res, 400, 'VALIDATION_FAILED', 'colour');
    assert.match(res.json().error.message, /colour/);
    expectError(await send('PATCH', `/jobs/${stored.job}`, { json: { colour: 'red' } }), 400, 'VALIDATION_FAILED', 'colour');
    expectError(await send('POST', '/deals', { json: { title: 'x', colour: 'red' } }), 400, 'VALIDATION_FAILED', 'colour');
    expectError(await send('POST', '/contacts', { json: { name: 'x', address: { city: 'Austin', colour: 'red' } } }), 400, 'VALIDATION_FAILED', 'address.colour');
    expectError(await send('GET', '/contacts?colour=red'), 400, 'VALIDATION_FAILED', 'colour');
    expectError(await send('GET', '/jobs?colour=red'), 400, 'VALIDATION_FAILED', 'colour');
  });

  test('a body over the configured limit is a 413', async () => {
    const over = JSON.stringify({ name: 'x', customFields: { notes: 'y'.repeat(BODY_LIMIT) } });
    assert.ok(Buffer.byteLength(over) > BODY_LIMIT);
    expectError(await send('POST', '/contacts', { raw: over, contentType: 'application/json' }), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { raw: over, contentType: 'application/json' }), 413, 'PAYLOAD_TOO_LARGE');
    // Just under the limit is parsed and reaches validation (the limit is the configured one, not Fastify's 1 MiB default).
    const under = JSON.stringify({ name: 123, pad: 'y'.repeat(BODY_LIMIT - 100) });
    assert.ok(Buffer.byteLength(under) < BODY_LIMIT);
    expectError(await send('POST', '/contacts', { raw: under, contentType: 'application/json' }), 400, 'VALIDATION_FAILED', 'name');
  });

  test('a body that is not JSON is a 415', async () => {
    expectError(await send('POST', '/contacts', { raw: 'name=Maria', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await send('POST', '/contacts', { raw: 'name=Maria', contentType: 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await send('POST', '/contacts', { raw: '<contact/>', contentType: 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { raw: '{"name":"x"}', contentType: 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await send('POST', '/contacts', { raw: '{"name":"x"}' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('an invalid cursor names the cursor', async () => {
    const notOurs = Buffer.from(JSON.stringify({ id: 5 })).toString('base64url');
    for (const path of ['/contacts', '/companies', '/interactions', '/jobs', '/deals', '/tasks', '/reviews']) {
      expectError(await send('GET', `${path}?cursor=garbage`), 400, 'VALIDATION_FAILED', 'cursor');
      expectError(await send('GET', `${path}?cursor=${notOurs}`), 400, 'VALIDATION_FAILED', 'cursor');
      expectError(await send('GET', `${path}?cursor=${'a'.repeat(300)}`), 400, 'VALIDATION_FAILED', 'cursor');
    }
  });

  test('limit out of range names the limit', async () => {
    const lists = ['/contacts', '/companies', '/interactions', '/jobs', '/deals', '/tasks', '/reviews', '/events', '/audit', `/contacts/${stored.contact}/timeline`];
    for (const path of lists) {
      for (const limit of ['0', '100000', '-1', 'abc', '1.5']) {
        expectError(await send('GET', `${path}?limit=${limit}`), 400, 'VALIDATION_FAILED', 'limit');
      }
    }
  });

  test('an invalid enum value names the field', async () => {
    expectError(await send('POST', '/contacts', { json: { name: 'x', lifecycleStage: 'vip' } }), 400, 'VALIDATION_FAILED', 'lifecycleStage');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { lifecycleStage: 'vip' } }), 400, 'VALIDATION_FAILED', 'lifecycleStage');
    expectError(await send('GET', '/contacts?lifecycleStage=vip'), 400, 'VALIDATION_FAILED', /^lifecycleStage/);
    expectError(await send('POST', '/jobs', { json: { serviceType: 'x', status: 'done' } }), 400, 'VALIDATION_FAILED', 'status');
    expectError(await send('POST', '/interactions', { json: { contactId: stored.contact, kind: 'fax' } }), 400, 'VALIDATION_FAILED', 'kind');
    expectError(await send('POST', '/deals', { json: { title: 'x', stage: 'maybe' } }), 400, 'VALIDATION_FAILED', 'stage');
    expectError(await send('GET', '/users?role=king'), 400, 'VALIDATION_FAILED', 'role');
    expectError(await send('GET', '/events?type=contact.exploded'), 400, 'VALIDATION_FAILED', 'type');
  });

  test('an invalid time zone names the field', async () => {
    expectError(await send('POST', '/contacts', { json: { name: 'x', timeZone: 'Mars/Olympus_Mons' } }), 400, 'VALIDATION_FAILED', 'timeZone');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { timeZone: 'Central Time' } }), 400, 'VALIDATION_FAILED', 'timeZone');
    expectError(await send('PATCH', '/business', { json: { timeZone: 'Nowhere/Land' } }), 400, 'VALIDATION_FAILED', 'timeZone');
  });

  test('a job that ends before it starts names scheduledEnd', async () => {
    const start = '2026-03-05T15:00:00Z';
    expectError(await send('POST', '/jobs', { json: { serviceType: 'x', scheduledStart: start, scheduledEnd: '2026-03-05T14:00:00Z' } }), 400, 'VALIDATION_FAILED', 'scheduledEnd');
    expectError(await send('POST', '/jobs', { json: { serviceType: 'x', scheduledStart: start, scheduledEnd: start } }), 400, 'VALIDATION_FAILED', 'scheduledEnd');
    // Only the end in the patch: checked against the stored start (15:00).
    expectError(await send('PATCH', `/jobs/${stored.job}`, { json: { scheduledEnd: '2026-03-05T10:00:00Z' } }), 400, 'VALIDATION_FAILED', 'scheduledEnd');
    expectError(await send('PATCH', `/jobs/${stored.job}`, { json: { scheduledStart: '2026-03-06T10:00:00Z' } }), 400, 'VALIDATION_FAILED', 'scheduledEnd');
    expectError(await send('POST', '/jobs', { json: { serviceType: 'x', scheduledStart: 'next tuesday' } }), 400, 'VALIDATION_FAILED', 'scheduledStart');
  });

  test('a negative or fractional deal amount names amountCents', async () => {
    expectError(await send('POST', '/deals', { json: { title: 'x', amountCents: -5 } }), 400, 'VALIDATION_FAILED', 'amountCents');
    expectError(await send('POST', '/deals', { json: { title: 'x', amountCents: 10.5 } }), 400, 'VALIDATION_FAILED', 'amountCents');
    expectError(await send('PATCH', `/deals/${stored.deal}`, { json: { amountCents: -1 } }), 400, 'VALIDATION_FAILED', 'amountCents');
    expectError(await send('POST', '/deals', { json: { title: 'x', expectedCloseDate: '2026-02-30' } }), 400, 'VALIDATION_FAILED', 'expectedCloseDate');
  });

  test('a review rating outside 1–5 names rating', async () => {
    for (const rating of [6, 0, -1, 4.5]) {
      expectError(await send('POST', '/reviews', { json: { status: 'received', rating } }), 400, 'VALIDATION_FAILED', 'rating');
    }
    expectError(await send('PATCH', `/reviews/${stored.review}`, { json: { rating: 6 } }), 400, 'VALIDATION_FAILED', 'rating');
  });

  test('a too-long tag names the tag', async () => {
    const long = 't'.repeat(51);
    expectError(await send('POST', '/contacts', { json: { name: 'x', tags: [long] } }), 400, 'VALIDATION_FAILED', 'tags.0');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { addTags: ['ok', long] } }), 400, 'VALIDATION_FAILED', 'addTags.1');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { tags: [long] } }), 400, 'VALIDATION_FAILED', 'tags.0');
  });

  test('garbage and very long path ids are a 4xx in the error shape', async () => {
    const cases: Array<[id: string, status: number, code: string, field?: string]> = [
      ['%00%ff', 400, 'BAD_REQUEST'], // not valid percent-encoding
      ['%E0%A4%A', 400, 'BAD_REQUEST'],
      ['abc%00def', 400, 'VALIDATION_FAILED', 'id'], // PostgreSQL cannot hold NUL in text
      ['x'.repeat(65), 404, 'NOT_FOUND'],
      ['x'.repeat(5000), 400, 'BAD_REQUEST'],
      [encodeURIComponent("1' OR '1'='1"), 404, 'NOT_FOUND'],
      [encodeURIComponent("'; DROP TABLE contacts; --"), 404, 'NOT_FOUND'],
      ['..%2F..%2Fetc%2Fpasswd', 404, 'NOT_FOUND'],
      [encodeURIComponent('☃ 🧯'), 404, 'NOT_FOUND'],
      ['%20', 404, 'NOT_FOUND'],
    ];
    // Valid patches, so a 404 comes from the id and not from the body.
    const patches: Record<string, unknown> = {
      '/contacts': { name: 'x' },
      '/companies': { name: 'x' },
      '/interactions': { body: 'x' },
      '/jobs': { notes: 'x' },
      '/deals': { title: 'x' },
      '/tasks': { title: 'x' },
      '/reviews': { body: 'x' },
      '/users': { name: 'x' },
    };
    for (const [path, patch] of Object.entries(patches)) {
      for (const [id, status, code, field] of cases) {
        expectError(await send('GET', `${path}/${id}`), status, code, field);
        expectError(await send('PATCH', `${path}/${id}`, { json: patch }), status, code, field);
        if (path !== '/users') expectError(await send('DELETE', `${path}/${id}`), status, code, field);
      }
    }
    for (const [id, status, code, field] of cases) {
      expectError(await send('GET', `/contacts/${id}/timeline`), status, code, field);
      expectError(await send('PUT', `/contacts/${stored.contact}/companies/${id}`, { json: {} }), status, code, field === 'id' ? 'companyId' : field);
      expectError(await send('DELETE', `/api-keys/${id}`), status, code, field);
    }
  });

  test('NUL characters in a query or body name the field instead of failing in the database', async () => {
    expectError(await send('POST', '/contacts', { json: { name: 'Maria\u0000Gomez' } }), 400, 'VALIDATION_FAILED', 'name');
    expectError(await send('PATCH', `/contacts/${stored.contact}`, { json: { customFields: { 'a\u0000b': 'x' } } }), 400, 'VALIDATION_FAILED', /^customFields\./);
    expectError(await send('POST', '/interactions', { json: { contactId: stored.contact, kind: 'note', metadata: { k: 'v\u0000' } } }), 400, 'VALIDATION_FAILED', 'metadata.k');
    expectError(await send('GET', '/contacts?q=ab%00cd'), 400, 'VALIDATION_FAILED', 'q');
    expectError(await send('GET', '/jobs?serviceType=%00'), 400, 'VALIDATION_FAILED', 'serviceType');
    const login = await app.inject({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a\u0000@example.com', password: 'x' }) });
    expectError(login, 400, 'VALIDATION_FAILED', 'email');
  });

  test('a route that does not exist is a 404 in the error shape', async () => {
    expectError(await send('GET', '/nope'), 404, 'NOT_FOUND');
    expectError(await send('POST', '/contacts/x/y/z', { json: {} }), 404, 'NOT_FOUND');
    expectError(await send('DELETE', '/contacts'), 404, 'NOT_FOUND');
    expectError(await send('PUT', '/contacts', { json: {} }), 404, 'NOT_FOUND');
    expectError(await send('GET', '/contacts/'), 404, 'NOT_FOUND');
  });

  test('HEAD and OPTIONS never fail with a 500', async () => {
    assert.equal((await send('HEAD', '/contacts')).statusCode, 200);
    assert.equal((await send('HEAD', `/contacts/${stored.contact}`)).statusCode, 200);
    assert.equal((await send('HEAD', '/contacts/unknown-id')).statusCode, 404);
    assert.equal((await send('HEAD', '/contacts?limit=0')).statusCode, 400);
    assert.equal((await send('HEAD', '/nope')).statusCode, 404);
    for (const url of ['/contacts', `/contacts/${stored.contact}`, '/nope', '/health', '*']) {
      const res = await send('OPTIONS', url);
      assert.ok(res.statusCode >= 200 && res.statusCode < 500, `OPTIONS ${url} → ${res.statusCode}`);
      if (res.statusCode >= 400) expectError(res, res.statusCode, res.json().error.code);
    }
    const unauthenticated = await app.inject({ method: 'OPTIONS', url: '/contacts' });
    assert.ok(unauthenticated.statusCode < 500);
  });

  test('nothing stored was changed or lost by any of the bad requests', async () => {
    assert.deepEqual(await snapshot(), snapshotBefore);
  });

  // Runs last: while the bug stands, SQLite stores the value (changing the snapshot above would hide the point).
  test('an instant outside years 0001–9999 names the field instead of a 500 or an unsortable value', async () => {
    for (const at of ['0000-01-01T00:00:00Z', '-000001-01-01T00:00:00Z', '+010000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z']) {
      const created = await app.inject({
        method: 'POST',
        url: '/interactions',
        headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ contactId: stored.contact, kind: 'note', occurredAt: at }),
      });
      expectError(created, 400, 'VALIDATION_FAILED', 'occurredAt');
      const listed = await app.inject({ method: 'GET', url: `/jobs?scheduledAfter=${encodeURIComponent(at)}`, headers: { authorization: `Bearer ${a.key}` } });
      expectError(listed, 400, 'VALIDATION_FAILED', 'scheduledAfter');
    }
  });
});
