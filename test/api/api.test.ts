import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { forEachDialect } from '../helpers/db.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';

forEachDialect('REST API', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  before(async () => {
    app = await makeApi(world().ctx);
    a = await makeTenant(world().ctx);
  });
  after(async () => app?.close());

  test('health is public; everything else needs a key or a session', async () => {
    assert.equal((await client(app, null).get('/health')).statusCode, 200);
    const res = await client(app, null).get('/contacts');
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'UNAUTHENTICATED');
    assert.equal((await client(app, 'kin_forged').get('/contacts')).statusCode, 401);
  });

  test('OpenAPI document is served', async () => {
    const res = await client(app, null).get('/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.ok(doc.paths['/contacts']);
    assert.ok(doc.paths['/contacts/{id}/timeline']);
    assert.equal((await client(app, null).get('/docs')).statusCode < 400, true);
  });

  test('contact CRUD, timeline and pagination over HTTP', async () => {
    const api = client(app, a.key);
    const created = await api.post('/contacts', { name: 'Maria Gomez', phone: '512-555-0123', source: 'website' });
    assert.equal(created.statusCode, 201, created.body);
    const c = created.json();
    assert.equal(c.phone, '+15125550123');
    const call = await api.post('/interactions', { contactId: c.id, kind: 'call', direction: 'inbound', outcome: 'missed' });
    assert.equal(call.statusCode, 201, call.body);
    const job = await api.post('/jobs', { contactId: c.id, serviceType: 'ac_repair', status: 'completed', amountCents: 65000 });
    assert.equal(job.statusCode, 201, job.body);
    const fetched = (await api.get(`/contacts/${c.id}`)).json();
    assert.equal(fetched.lifecycleStage, 'customer');
    assert.ok(fetched.lastInteractionAt);
    const timeline = (await api.get(`/contacts/${c.id}/timeline`)).json();
    assert.deepEqual(new Set(timeline.data.map((i: { type: string }) => i.type)), new Set(['interaction', 'job']));
    const patched = await api.patch(`/contacts/${c.id}`, { tags: ['vip'] });
    assert.equal(patched.json().tags[0], 'vip');
    const events = (await api.get(`/events?contactId=${c.id}`)).json();
    assert.deepEqual(
      events.data.map((e: { type: string }) => e.type),
      ['contact.created', 'lead.created', 'interaction.logged', 'call.missed', 'job.completed', 'contact.stage_changed', 'contact.updated'],
    );
    assert.equal((await api.delete(`/contacts/${c.id}`)).statusCode, 204);
    assert.equal((await api.get(`/contacts/${c.id}`)).statusCode, 404);
  });

  test('login sets a session cookie that works for the API', async () => {
    const res = await client(app, null).post('/auth/login', { email: a.ownerEmail, password: a.password });
    assert.equal(res.statusCode, 200, res.body);
    const cookie = res.cookies.find((c) => c.name === 'kinetic_session');
    assert.ok(cookie?.httpOnly);
    const me = await app.inject({ method: 'GET', url: '/me', cookies: { kinetic_session: cookie!.value } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().business.id, a.scope.businessId);
    const bad = await client(app, null).post('/auth/login', { email: a.ownerEmail, password: 'wrong password' });
    assert.equal(bad.statusCode, 401);
  });
});
