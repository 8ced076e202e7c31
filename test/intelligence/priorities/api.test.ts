import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { client, makeApi, makeTenant, type ApiTenant } from '../../helpers/api.ts';
import { forEachDialect } from '../../helpers/db.ts';

forEachDialect('intelligence API', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  let b: ApiTenant;
  const ids: Record<string, string> = {};
  before(async () => {
    app = await makeApi(world().ctx);
    a = await makeTenant(world().ctx, 'Alpha Air');
    b = await makeTenant(world().ctx, 'Bravo Pipes');
    const apiA = client(app, a.key);
    const apiB = client(app, b.key);
    ids.aContact = (await apiA.post('/contacts', { name: 'Alpha Lead', phone: '512-555-0140' })).json().id;
    ids.aCompany = (await apiA.post('/companies', { name: 'Alpha Tower' })).json().id;
    ids.bContact = (await apiB.post('/contacts', { name: 'Bravo Secret', phone: '512-555-0141' })).json().id;
    ids.bCompany = (await apiB.post('/companies', { name: 'Bravo Secret Co' })).json().id;
    ids.bUser = (await apiB.get('/users')).json().data[0].id;
    await apiB.put(`/contacts/${ids.bContact}/companies/${ids.bCompany}`, {});
    await apiB.post('/interactions', { contactId: ids.bContact, kind: 'sms', direction: 'inbound', body: 'bravo secret', userId: ids.bUser });
    await apiB.post('/deals', { contactId: ids.bContact, title: 'Bravo Secret Deal', amountCents: 100_000, ownerUserId: ids.bUser });
  });
  after(async () => app?.close());

  test('scores, relationship and send time for a contact; 404 for another business’s contact', async () => {
    const api = client(app, a.key);
    const scores = await api.get(`/contacts/${ids.aContact}/scores`);
    assert.equal(scores.statusCode, 200, scores.body);
    const lead = scores.json().data.find((s: { model: string }) => s.model === 'lead_conversion');
    assert.equal(lead.prior, true);
    assert.ok(Array.isArray(lead.reasons));
    assert.ok(lead.probability > 0 && lead.probability < 1);
    for (const path of ['scores', 'relationship', 'send-time']) {
      const own = await api.get(`/contacts/${ids.aContact}/${path}`);
      assert.equal(own.statusCode, 200, `${path}: ${own.body}`);
      const other = await api.get(`/contacts/${ids.bContact}/${path}`);
      assert.equal(other.statusCode, 404, `${path}: ${other.body}`);
      assert.doesNotMatch(other.body, /Bravo/);
    }
    const send = (await api.get(`/contacts/${ids.aContact}/send-time`)).json().data;
    assert.ok(send.hour >= 8 && send.hour <= 19 && typeof send.next === 'string');
  });

  test('queue, intros and models only ever show the caller’s business; bad queries name the field', async () => {
    const api = client(app, a.key);
    for (const url of ['/queue', `/queue?userId=${ids.bUser}`, `/relationships/intro?companyId=${ids.bCompany}`, `/relationships/intro?companyId=${ids.aCompany}`, '/models']) {
      const res = await api.get(url);
      assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
      assert.doesNotMatch(res.body, /Bravo|bravo/, url);
    }
    assert.deepEqual((await api.get(`/relationships/intro?companyId=${ids.bCompany}`)).json().data, []);
    const bQueue = (await client(app, b.key).get('/queue')).json().data;
    assert.ok(bQueue.some((i: { name: string }) => i.name === 'Bravo Secret'), 'B sees its own deal in its queue');
    const models = (await api.get('/models')).json().data;
    assert.deepEqual(models.map((m: { model: string; prior: boolean; version: number }) => [m.model, m.prior, m.version]), [['lead_conversion', true, 0], ['churn', true, 0], ['deal_stall', true, 0]]);
    const missing = await api.get('/relationships/intro');
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().error.message, /companyId/);
    const badLimit = await api.get('/queue?limit=lots');
    assert.equal(badLimit.statusCode, 400);
    assert.match(badLimit.json().error.message, /limit/);
    const retrain = await api.post('/models/retrain', {});
    assert.equal(retrain.statusCode, 200, retrain.body);
    assert.deepEqual(retrain.json().data.map((m: { version: number; prior: boolean }) => [m.version, m.prior]), [[1, true], [1, true], [1, true]]);
    assert.deepEqual((await client(app, b.key).get('/models')).json().data.map((m: { version: number }) => m.version), [0, 0, 0], "A's retraining made no versions for B");
  });
});
