import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { getBusiness } from '../../../src/crm/businesses/businesses.ts';
import { handleInboundSms } from '../../../src/engine/inbound.ts';
import { processInboundMessages } from '../../../src/intelligence/intake/inbound.ts';
import { runDueEnrollments } from '../../../src/engine/runner.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../../helpers/api.ts';
import { forEachDialect } from '../../helpers/db.ts';

forEachDialect('intake API', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let api: ReturnType<typeof client>;
  before(async () => {
    app = await makeApi(world().ctx);
    t = await makeTenant(world().ctx, 'Bright Electric');
    api = client(app, t.key);
  });
  after(() => app.close());

  test('POST /classify classifies, stores and returns the classification', async () => {
    const res = await api.post('/classify', { text: 'my electrical panel is sparking and smells like burning' });
    assert.equal(res.statusCode, 201, res.body);
    const c = res.json();
    assert.equal(c.urgency, 'emergency');
    assert.equal(c.serviceType, 'panel_upgrade');
    assert.ok(c.reasons.some((r: string) => r.startsWith('emergency:')));
    assert.equal(c.provider, 'offline');
    assert.equal((await api.get(`/classifications/${c.id}`)).json().id, c.id);
  });

  const badClassify: Array<[unknown, string]> = [
    [{}, 'text'],
    [{ text: '   ' }, 'text'],
    [{ text: 'hi', extra: 1 }, 'extra'],
    [{ text: 'x'.repeat(10_001) }, 'text'],
  ];
  for (const [body, field] of badClassify) {
    test(`POST /classify ${JSON.stringify(body).slice(0, 40)} → 400 naming ${field}`, async () => {
      const res = await api.post('/classify', body);
      assert.equal(res.statusCode, 400, res.body);
      assert.ok(res.json().error.details.issues.some((i: { field: string }) => i.field === field), res.body);
    });
  }

  test('POST /classify with an unknown contact is 404', async () => {
    assert.equal((await api.post('/classify', { text: 'hello', contactId: 'nope' })).statusCode, 404);
  });

  test('review queue: low-confidence classifications are listed and can be corrected', async () => {
    await api.patch('/business', { settings: { intake: { reviewThreshold: 0.999 } } });
    const c = (await api.post('/classify', { text: 'hey about the thing' })).json();
    assert.equal(c.status, 'review');
    const queue = (await api.get('/classifications?status=review')).json();
    assert.ok(queue.data.some((r: { id: string }) => r.id === c.id));
    const bad = await api.post(`/classifications/${c.id}/correct`, { intent: 'teleport' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /intent/);
    const fixed = await api.post(`/classifications/${c.id}/correct`, { intent: 'billing', serviceType: null });
    assert.equal(fixed.statusCode, 200, fixed.body);
    assert.equal(fixed.json().status, 'corrected');
    assert.ok(!(await api.get('/classifications?status=review')).json().data.some((r: { id: string }) => r.id === c.id));
    assert.equal((await api.get('/classifications?status=bogus')).statusCode, 400);
    assert.equal((await api.post('/classifications/missing/correct', { intent: 'billing' })).statusCode, 404);
    await api.patch('/business', { settings: { intake: {} } });
  });

  test('drafts: list pending, edit, approve into the outbox, discard', async () => {
    const ctx = world().ctx;
    const business = await getBusiness(ctx, t.scope.businessId);
    await handleInboundSms(ctx, business, { from: '+15125550161', body: 'outlet in the garage stopped working, can someone come this week', messageSid: 'SMapi00000000000000000000000000001' });
    await handleInboundSms(ctx, business, { from: '+15125550162', body: 'can i get a quote for an ev charger', messageSid: 'SMapi00000000000000000000000000002' });
    await processInboundMessages(ctx, null);
    const pending = (await api.get('/drafts?status=pending')).json().data as Array<{ id: string; body: string; contactId: string }>;
    assert.equal(pending.length, 2);
    const [first, second] = pending;
    const empty = await api.patch(`/drafts/${first.id}`, { body: '  ' });
    assert.equal(empty.statusCode, 400);
    assert.ok(empty.json().error.details.issues.some((i: { field: string }) => i.field === 'body'));
    const edited = await api.patch(`/drafts/${first.id}`, { body: 'Edited reply' });
    assert.equal(edited.json().body, 'Edited reply');
    const approved = await api.post(`/drafts/${first.id}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, 'approved');
    const outbox = (await api.get(`/outbox?contactId=${first.contactId}`)).json().data as Array<{ id: string; body: string }>;
    assert.deepEqual(outbox.map((m) => m.id), [approved.json().message.id]);
    assert.equal(outbox[0].body, 'Edited reply');
    assert.equal((await api.post(`/drafts/${first.id}/approve`)).statusCode, 409);
    assert.equal((await api.post(`/drafts/${second.id}/discard`)).json().status, 'discarded');
    assert.equal((await api.get('/drafts?status=pending')).json().data.length, 0);
    assert.equal((await api.get('/drafts?status=approved')).json().data[0].id, first.id);
    assert.equal((await api.get('/drafts?status=whatever')).statusCode, 400);
    assert.equal((await api.post('/drafts/missing/approve')).statusCode, 404);
  });

  test('an automation can act on the classification: an emergency text becomes a task for a person now', async () => {
    const ctx = world().ctx;
    const automation = await api.post('/automations', {
      enabled: true,
      definition: {
        name: 'Emergency intake',
        trigger: { type: 'event', event: 'intake.classified', filter: { field: 'event.urgency', op: 'eq', value: 'emergency' } },
        purpose: 'transactional',
        steps: [{ type: 'create_task', title: 'EMERGENCY: call {{ contact.name }} now', assignee: { rule: 'role', role: 'owner' }, due: { in: 'PT5M' } }],
      },
    });
    assert.equal(automation.statusCode, 201, automation.body);
    const business = await getBusiness(ctx, t.scope.businessId);
    const urgent = await handleInboundSms(ctx, business, { from: '+15125550171', body: 'sparks and smoke coming out of the breaker panel!!', messageSid: 'SMapi00000000000000000000000000003' });
    const calm = await handleInboundSms(ctx, business, { from: '+15125550172', body: 'what are your hours on saturday?', messageSid: 'SMapi00000000000000000000000000004' });
    await processInboundMessages(ctx, null);
    await runDueEnrollments(ctx, 'intake-test');
    const tasks = (await api.get('/tasks?limit=100')).json().data as Array<{ title: string; contactId: string }>;
    assert.equal(tasks.filter((x) => x.contactId === urgent.contactId && x.title.startsWith('EMERGENCY')).length, 1);
    assert.equal(tasks.filter((x) => x.contactId === calm.contactId).length, 0);
  });

  test('an inbound email gets an email draft with a reply subject; approving queues an email to that address', async () => {
    const ctx = world().ctx;
    const contact = (await api.post('/contacts', { name: 'Priya Shah', email: 'priya@example.com' })).json();
    const logged = await api.post('/interactions', { contactId: contact.id, kind: 'email', direction: 'inbound', subject: 'Quote for a panel upgrade', body: 'Could you quote a 200 amp panel upgrade? Thanks, Priya' });
    assert.equal(logged.statusCode, 201, logged.body);
    await processInboundMessages(ctx, null);
    const [d] = (await api.get(`/drafts?contactId=${contact.id}`)).json().data;
    assert.equal(d.channel, 'email');
    assert.equal(d.subject, 'Re: Quote for a panel upgrade');
    assert.match(d.body, /^Hi Priya, /);
    const subjectOnSms = await api.patch(`/drafts/${d.id}`, { body: 'Happy to quote it.', subject: 'Your panel upgrade quote' });
    assert.equal(subjectOnSms.statusCode, 200, subjectOnSms.body);
    const approved = (await api.post(`/drafts/${d.id}/approve`)).json();
    const row = await ctx.db.kysely.selectFrom('outbox').selectAll().where('id', '=', approved.message.id).executeTakeFirstOrThrow();
    assert.deepEqual([row.channel, row.to_address, row.subject, row.body], ['email', 'priya@example.com', 'Your panel upgrade quote', 'Happy to quote it.']);
  });
});
