import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/access/users.ts';
import type { AppContext, Scope } from '../../src/context.ts';
import { evaluateDueAlerts } from '../../src/insights/alerts/evaluate.ts';
import { createAlertRule } from '../../src/insights/alerts/rules.ts';
import { listExceptions } from '../../src/insights/exceptions.ts';
import { newId } from '../../src/lib/ids.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { recorder } from './fixture.ts';

const MIN = 60_000;
interface Listed { kind: string; id: string; occurrence: string; dismissedBy: { type: string; id: string | null; name: string | null } | null; dismissedAt: string | null; until: string | null; note: string | null }

async function approval(ctx: AppContext, scope: Scope, title: string, at: string): Promise<string> {
  const id = newId();
  await ctx.db.kysely
    .insertInto('approvals')
    .values({ id, business_id: scope.businessId, enrollment_id: null, contact_id: null, title, amount_cents: null, approver_role: 'manager', status: 'pending', decided_by: null, decided_at: null, reason: null, created_at: at })
    .execute();
  return id;
}

forEachDialect('dismissing exceptions and alerts for the business', (world) => {
  let app: FastifyInstance;
  before(async () => {
    app = await makeApi(world().ctx);
  });
  after(async () => app?.close());

  /** A logged-in user of the tenant: the dashboard's way of calling the API. */
  async function logIn(t: ApiTenant, name: string) {
    const { ctx } = world();
    const email = `${name.toLowerCase()}-${t.scope.businessId}@example.com`;
    await createUser(ctx, t.scope, { email, name, role: 'manager', password: 'long enough password' });
    const login = await client(app, null).post('/auth/login', { email, password: 'long enough password' });
    assert.equal(login.statusCode, 200, login.body);
    const cookies = { kinetic_session: login.cookies.find((c) => c.name === 'kinetic_session')!.value };
    const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
      app.inject({ method, url, cookies, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });
    return { call, list: async (query = '') => (await call('GET', `/exceptions${query}`)).json().data as Listed[] };
  }

  test('a dismissal hides the item for every user of the business, says who, when and why, and can be undone', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T12:00:00Z');
    const t = await makeTenant(ctx, 'Dismiss Heating');
    const ann = await logIn(t, 'Ann');
    const bob = await logIn(t, 'Bob');
    const keep = await approval(ctx, t.scope, 'Keep me', '2026-03-08T10:00:00.000Z');
    const gone = await approval(ctx, t.scope, 'Discount for Dee', '2026-03-08T11:00:00.000Z');
    assert.deepEqual((await bob.list('?kind=approval')).map((i) => i.id).sort(), [keep, gone].sort());

    const res = await ann.call('POST', `/exceptions/approval/${gone}/dismiss`, { note: 'Dee called: handled by phone' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Listed;
    assert.equal(body.id, gone);
    assert.equal(body.note, 'Dee called: handled by phone');
    assert.equal(body.dismissedAt, '2026-03-08T12:00:00.000Z');
    assert.equal(body.dismissedBy?.name, 'Ann');
    assert.equal(body.until, null);

    // Bob, another user (another browser), no longer sees it; the default list hides it, includeDismissed shows it.
    assert.deepEqual((await bob.list('?kind=approval')).map((i) => i.id), [keep]);
    const all = await bob.list('?kind=approval&includeDismissed=true');
    const shown = all.find((i) => i.id === gone)!;
    assert.deepEqual([shown.dismissedBy?.type, shown.dismissedBy?.name, shown.dismissedAt, shown.note], ['user', 'Ann', '2026-03-08T12:00:00.000Z', 'Dee called: handled by phone']);
    assert.equal(all.find((i) => i.id === keep)!.dismissedAt, null);
    assert.equal((await listExceptions(ctx, t.scope, { kind: 'approval' })).data.length, 1, 'the domain call hides it too');

    // Audit log and event log: one row each.
    const api = client(app, t.key);
    const audit = (await api.get(`/audit?entityType=exception&entityId=${gone}`)).json().data;
    assert.deepEqual(audit.map((a: { action: string }) => a.action), ['dismiss']);
    assert.equal(audit[0].changes.note, 'Dee called: handled by phone');
    assert.equal(audit[0].actor.type, 'user');
    const events = (await api.get('/events?type=exception.dismissed')).json().data;
    assert.equal(events.length, 1);
    assert.deepEqual([events[0].subjectType, events[0].subjectId, events[0].payload.kind], ['exception', gone, 'approval']);
    // The live stream carries it to other open dashboards.
    const stream = await api.get('/events/stream?follow=false&afterSeq=0');
    assert.match(stream.body, /"type":"exception\.dismissed"/);

    // Undo: back for everyone; a second undo has nothing to undo.
    const undo = await bob.call('DELETE', `/exceptions/approval/${gone}/dismiss`);
    assert.equal(undo.statusCode, 204, undo.body);
    assert.deepEqual((await ann.list('?kind=approval')).map((i) => i.id).sort(), [keep, gone].sort());
    assert.equal((await bob.call('DELETE', `/exceptions/approval/${gone}/dismiss`)).statusCode, 404);
    assert.deepEqual((await api.get(`/audit?entityType=exception&entityId=${gone}`)).json().data.map((a: { action: string }) => a.action), ['restore', 'dismiss']);
    assert.equal((await api.get('/events?type=exception.restored')).json().data.length, 1);

    // An API key can dismiss too, and is named as the one who did.
    const byKey = await api.post(`/exceptions/approval/${keep}/dismiss`, {});
    assert.equal(byKey.statusCode, 200, byKey.body);
    assert.deepEqual([byKey.json().dismissedBy.type, byKey.json().dismissedBy.name], ['api_key', 'test']);
  });

  test('the OpenAPI document lists dismiss and undo with the exceptions', async () => {
    const doc = (await client(app, null).get('/openapi.json')).json();
    const path = doc.paths['/exceptions/{kind}/{id}/dismiss'];
    assert.ok(path?.post && path?.delete, Object.keys(doc.paths).filter((p: string) => p.startsWith('/exceptions')).join(', '));
    assert.deepEqual(path.post.tags, ['Insights']);
    assert.ok(doc.paths['/exceptions'].get.parameters.some((p: { name: string }) => p.name === 'includeDismissed'));
  });

  test('a snooze hides the item until its time, then it shows again', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T12:00:00Z');
    const t = await makeTenant(ctx);
    const api = client(app, t.key);
    const id = await approval(ctx, t.scope, 'Snooze me', '2026-03-08T09:00:00.000Z');
    const res = await api.post(`/exceptions/approval/${id}/dismiss`, { until: '2026-03-08T08:00:00-06:00' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().until, '2026-03-08T14:00:00.000Z');
    assert.equal((await api.get('/exceptions?kind=approval')).json().data.length, 0);
    clock.advance(119 * MIN);
    assert.equal((await api.get('/exceptions?kind=approval')).json().data.length, 0, 'still snoozed a minute before');
    clock.advance(1 * MIN);
    const back = (await api.get('/exceptions?kind=approval&includeDismissed=true')).json().data as Listed[];
    assert.deepEqual(back.map((i) => [i.id, i.dismissedAt, i.until]), [[id, null, null]], 'back, and no longer marked dismissed');
    assert.equal((await api.get('/exceptions?kind=approval')).json().data.length, 1);
  });

  test('bad input is a 400 naming the field; a row that needs nobody now is a 409; an unknown id a 404', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T12:00:00Z');
    const t = await makeTenant(ctx);
    const api = client(app, t.key);
    const id = await approval(ctx, t.scope, 'Validate me', '2026-03-08T09:00:00.000Z');
    const cases: Array<[string, unknown, RegExp]> = [
      [`/exceptions/approval/${id}/dismiss`, { until: '2026-03-08T11:00:00Z' }, /until: must be in the future/],
      [`/exceptions/approval/${id}/dismiss`, { until: 'tomorrow' }, /until/],
      [`/exceptions/approval/${id}/dismiss`, { until: '2027-06-01T00:00:00Z' }, /until: must be within 365 days/],
      [`/exceptions/approval/${id}/dismiss`, { note: 'x'.repeat(1001) }, /note/],
      [`/exceptions/approval/${id}/dismiss`, { reason: 'typo' }, /reason: unknown field/],
      [`/exceptions/fire/${id}/dismiss`, {}, /kind/],
    ];
    for (const [url, body, message] of cases) {
      const res = await api.post(url, body);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)} → ${res.statusCode} ${res.body}`);
      assert.match(res.json().error.message, message);
    }
    assert.equal((await api.get('/exceptions?includeDismissed=maybe')).statusCode, 400);
    assert.equal((await api.post(`/exceptions/approval/${newId()}/dismiss`, {})).statusCode, 404);
    // The contact exists, but it is no approval: still a 404 for this kind.
    const contact = await recorder(ctx, t.scope).contact('Nia');
    assert.equal((await api.post(`/exceptions/approval/${contact}/dismiss`, {})).statusCode, 404);
    await ctx.db.kysely.updateTable('approvals').set({ status: 'approved' }).where('id', '=', id).execute();
    const decided = await api.post(`/exceptions/approval/${id}/dismiss`, {});
    assert.equal(decided.statusCode, 409, decided.body);
    assert.match(decided.json().error.message, /nothing to dismiss/);
    assert.equal((await api.get(`/audit?entityType=exception`)).json().data.length, 0, 'nothing was written');
  });

  test("another business's item is a 404 to dismiss or undo, and one business's dismissals never hide another's items", async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T12:00:00Z');
    const a = await makeTenant(ctx, 'Alpha Air');
    const b = await makeTenant(ctx, 'Bravo Boilers');
    const apiA = client(app, a.key);
    const apiB = client(app, b.key);
    const bItem = await approval(ctx, b.scope, 'Bravo discount', '2026-03-08T09:00:00.000Z');
    const dismissed = await apiA.post(`/exceptions/approval/${bItem}/dismiss`, { note: 'not yours' });
    assert.equal(dismissed.statusCode, 404, dismissed.body);
    assert.equal(dismissed.json().error.code, 'NOT_FOUND');
    assert.doesNotMatch(dismissed.body, /Bravo/);
    assert.equal((await apiB.get('/exceptions?kind=approval')).json().data.length, 1, "B's item is still there");

    // B dismisses its own; A cannot undo it, nor see it.
    assert.equal((await apiB.post(`/exceptions/approval/${bItem}/dismiss`, { note: 'bravo note' })).statusCode, 200);
    assert.equal((await apiA.delete(`/exceptions/approval/${bItem}/dismiss`)).statusCode, 404);
    assert.equal((await apiB.get('/exceptions?kind=approval')).json().data.length, 0, "B's dismissal stands");
    const aAll = await apiA.get('/exceptions?includeDismissed=true');
    assert.doesNotMatch(aAll.body, /bravo note|Bravo/);
    assert.equal((await apiA.get('/audit?entityType=exception')).json().data.length, 0);
    assert.equal((await apiA.get('/events?type=exception.dismissed')).json().data.length, 0);
  });

  test('an item whose condition occurs anew is a new item and shows again', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T12:00:00Z');
    const t = await makeTenant(ctx);
    const api = client(app, t.key);
    const db = ctx.db.kysely;
    const r = recorder(ctx, t.scope);
    const ids = (kind: string, q = '') => api.get(`/exceptions?kind=${kind}${q}`).then((res) => (res.json().data as Listed[]).map((i) => i.id));
    const dismiss = async (kind: string, id: string) => {
      const res = await api.post(`/exceptions/${kind}/${id}/dismiss`, {});
      assert.equal(res.statusCode, 200, `${kind} ${id}: ${res.body}`);
      assert.deepEqual(await ids(kind), [], `${kind} hidden after dismissing`);
    };

    // A failed text, dismissed; retried and failing again: shown again.
    const contact = await r.contact('Fay', { lifecycleStage: 'customer' });
    const msg = await r.outbox({ contactId: contact, sentAt: null, state: 'failed' });
    await db.updateTable('outbox').set({ updated_at: '2026-03-08T11:00:00.000Z' }).where('id', '=', msg).execute();
    await dismiss('failed_send', msg);
    await db.updateTable('outbox').set({ last_error: 'carrier rejected again' }).where('id', '=', msg).execute();
    assert.deepEqual(await ids('failed_send'), [], 'the same failure edited is still the same item');
    await db.updateTable('outbox').set({ attempts: 2, updated_at: '2026-03-08T11:30:00.000Z' }).where('id', '=', msg).execute();
    assert.deepEqual(await ids('failed_send'), [msg], 'a new failed attempt shows again');

    // A text waiting for a reply, dismissed; the contact texts again: the new message is a new item.
    const first = await r.interaction(contact, 'sms', 'inbound', '2026-03-08T09:00:00.000Z', null, 'Is Tuesday OK?');
    await dismiss('reply_waiting', first);
    const second = await r.interaction(contact, 'sms', 'inbound', '2026-03-08T11:45:00.000Z', null, 'Hello?');
    assert.deepEqual(await ids('reply_waiting'), [second]);

    // A cold lead, dismissed; contacted, then cold again ten days later: shown again.
    const lead = await r.contact('Lee', { lifecycleStage: 'lead' });
    await db.updateTable('contacts').set({ created_at: '2026-02-01T00:00:00.000Z', last_interaction_at: '2026-02-20T00:00:00.000Z' }).where('id', '=', lead).execute();
    await dismiss('cold_lead', lead);
    await db.updateTable('contacts').set({ last_interaction_at: '2026-03-09T00:00:00.000Z' }).where('id', '=', lead).execute();
    clock.set('2026-03-20T12:00:00Z');
    assert.deepEqual(await ids('cold_lead'), [lead]);

    // An unacknowledged emergency, dismissed; escalated to the next on-call person: shown again.
    const automation = await r.automation('Emergency', { name: 'Emergency', trigger: { type: 'event', event: 'lead.created' }, steps: [] });
    const enrollment = await r.enrollment(automation, contact, '2026-03-20T11:00:00.000Z', { page: { level: 0, userId: 'u1' } }, 'waiting');
    await dismiss('emergency_unacked', enrollment);
    await db.updateTable('enrollments').set({ vars: JSON.stringify({ page: { level: 1, userId: 'u2' } }), updated_at: '2026-03-20T11:10:00.000Z' }).where('id', '=', enrollment).execute();
    assert.deepEqual(await ids('emergency_unacked'), [enrollment]);
  });

  test('an alert dismissed while breached stays hidden; a new breach after a recovery shows again', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T00:00:00Z');
    const t = await makeTenant(ctx);
    const api = client(app, t.key);
    const r = recorder(ctx, t.scope);
    const caller = await r.contact('Cal');
    await r.interaction(caller, 'call', 'inbound', '2026-03-06T15:00:00.000Z', 'missed');
    await createAlertRule(ctx, t.scope, { metric: 'answerRate', comparator: 'below', threshold: 0.8, windowDays: 7, channels: ['email'] });
    assert.equal((await evaluateDueAlerts(ctx, { businessId: t.scope.businessId }))[0].transition, 'breach');
    const [breach] = (await api.get('/exceptions?kind=alert')).json().data as Listed[];
    assert.equal((await api.post(`/exceptions/alert/${breach.id}/dismiss`, { note: 'known: phones down' })).statusCode, 200);
    clock.advance(20 * MIN);
    assert.equal((await evaluateDueAlerts(ctx, { businessId: t.scope.businessId }))[0].transition, null);
    assert.deepEqual((await api.get('/exceptions?kind=alert')).json().data, [], 'still the same breach: still hidden');
    // Recovery (9 answered calls), then a new breach (a day of missed calls).
    for (let i = 0; i < 9; i++) await r.interaction(caller, 'call', 'inbound', `2026-03-07T1${i}:00:00.000Z`, 'answered');
    clock.advance(20 * MIN);
    assert.equal((await evaluateDueAlerts(ctx, { businessId: t.scope.businessId }))[0].transition, 'recovery');
    for (let i = 0; i < 9; i++) await r.interaction(caller, 'call', 'inbound', `2026-03-07T2${i % 4}:0${i}:00.000Z`, 'missed');
    clock.advance(20 * MIN);
    assert.equal((await evaluateDueAlerts(ctx, { businessId: t.scope.businessId }))[0].transition, 'breach');
    const shown = (await api.get('/exceptions?kind=alert')).json().data as Listed[];
    assert.equal(shown.length, 1);
    assert.notEqual(shown[0].id, breach.id);
    assert.equal(shown[0].dismissedAt, null);
  });

  test('dismissed items do not take places in the list: still 100 of a kind when more are waiting', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T12:00:00Z');
    const t = await makeTenant(ctx);
    const api = client(app, t.key);
    const made: string[] = [];
    for (let i = 0; i < 104; i++) made.push(await approval(ctx, t.scope, `Approval ${i}`, new Date(Date.parse('2026-03-01T00:00:00Z') + i * MIN).toISOString()));
    // The oldest come first for approvals: dismiss four of them.
    for (const id of made.slice(0, 4)) assert.equal((await api.post(`/exceptions/approval/${id}/dismiss`, {})).statusCode, 200);
    const listed = (await api.get('/exceptions?kind=approval')).json().data as Listed[];
    assert.equal(listed.length, 100);
    assert.deepEqual(listed.map((i) => i.id).sort(), made.slice(4).sort());
    const all = (await api.get('/exceptions?kind=approval&includeDismissed=true')).json().data as Listed[];
    assert.equal(all.filter((i) => i.dismissedAt !== null).length, 4);
  });
});
