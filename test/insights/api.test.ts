import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/access/users.ts';
import { evaluateDueAlerts } from '../../src/insights/alerts/evaluate.ts';
import { newId } from '../../src/lib/ids.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { recorder, seedMetricsFixture } from './fixture.ts';

const P = 'from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z';

forEachDialect('insights API', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let ids: Awaited<ReturnType<typeof seedMetricsFixture>>;
  let api: ReturnType<typeof client>;

  before(async () => {
    const { ctx, clock } = world();
    clock.set('2026-02-20T00:00:00Z');
    app = await makeApi(ctx);
    t = await makeTenant(ctx, 'Insight Heating');
    api = client(app, t.key);
    ids = await seedMetricsFixture(ctx, t.scope);
    clock.set('2026-03-08T00:00:00Z');
  });
  after(async () => app?.close());

  test('GET /insights/metrics returns every metric with the previous period', async () => {
    const res = await api.get(`/insights/metrics?${P}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.period, { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' });
    assert.deepEqual(body.previous, { from: '2026-02-22T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    assert.deepEqual(Object.keys(body.metrics), ['answerRate', 'speedToLead', 'leadDecay', 'followUpCoverage', 'bookingConversion', 'reviewVelocity', 'noShowRate', 'reactivation', 'automationRevenue']);
    assert.equal(body.metrics.answerRate.value, 0.5);
    assert.equal(body.metrics.answerRate.previous, 1);
    assert.equal(body.metrics.speedToLead.p90Seconds, 108000);
    assert.equal(body.metrics.automationRevenue.value, 30000);
    // Defaults: the last 30 days up to now.
    const d = (await api.get('/insights/metrics')).json();
    assert.deepEqual(d.period, { from: '2026-02-06T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' });
  });

  test('bad query input is a 400 naming the field', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/insights/metrics?from=yesterday', /from/],
      ['/insights/metrics?from=2026-03-08T00:00:00Z&to=2026-03-01T00:00:00Z', /from: must be before to/],
      ['/insights/metrics?minTouches=0', /minTouches/],
      ['/insights/series?metric=happiness', /metric/],
      ['/insights/series?metric=answerRate&bucket=hour', /bucket/],
      ['/insights/funnel?attributionDays=-1', /attributionDays/],
      ['/insights/leak?answerRate=2', /answerRate: must be between 0 and 1/],
      ['/insights/leak?avgTicket=-1', /avgTicket/],
      ['/insights/leak?fromData=maybe', /fromData/],
      ['/insights/leak?answerRat=0.5', /answerRat: unknown field/],
      ['/exceptions?kind=fire', /kind/],
    ];
    for (const [url, message] of cases) {
      const res = await api.get(url);
      assert.equal(res.statusCode, 400, `${url} → ${res.statusCode} ${res.body}`);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
      assert.match(res.json().error.message, message, url);
    }
  });

  test('GET /insights/series, /insights/funnel and /insights/leak', async () => {
    const s = (await api.get(`/insights/series?metric=noShowRate&bucket=week&${P}`)).json();
    assert.deepEqual(s.data.map((x: { value: number | null }) => x.value), [null, 0.3333]);
    const f = await api.get(`/insights/funnel?automationId=${ids.win}&${P}&attributionDays=14`);
    assert.equal(f.statusCode, 200, f.body);
    assert.deepEqual(f.json().data.map((r: { variant: string; sent: number; booked: number; revenueCents: number }) => [r.variant, r.sent, r.booked, r.revenueCents]), [['A', 1, 1, 30000], ['B', 1, 0, 0]]);
    const leak = (await api.get('/insights/leak?inquiriesPerMonth=100&answerRate=0.71&notBookedRate=0.35&followedUpRate=0.40&recoveryRate=0.15&avgTicket=600')).json();
    assert.equal(leak.followUpGap.unworkedLeadsPerYear, 179);
    assert.equal(leak.followUpGap.recoveredBookingsPerYear, 27);
    assert.equal(leak.followUpGap.recoveredRevenuePerYear, 16200);
    const fromData = (await api.get('/insights/leak?fromData=true&recoveryRate=0.2')).json();
    assert.equal(fromData.source, 'data');
    // The fixture's last 12 months: 6 leads (5 in March, 1 in February) → 0.5 a month.
    assert.equal(fromData.inputs.inquiriesPerMonth, 0.5);
    assert.equal(fromData.inputs.recoveryRate, 0.2);
    assert.ok(fromData.measured.includes('answerRate') && fromData.measured.includes('avgTicket'));
    assert.ok(!fromData.measured.includes('recoveryRate') && !fromData.defaultsUsed.includes('recoveryRate'));
    assert.equal(fromData.inputs.avgTicket, 400); // completed jobs: $500 and $300
  });

  test('GET /exceptions lists what needs a human, most urgent first', async () => {
    const { ctx } = world();
    const r = recorder(ctx, t.scope);
    const db = ctx.db.kysely;
    const biz = t.scope.businessId;
    const now = '2026-03-07T12:00:00.000Z';
    await db.insertInto('approvals').values({ id: newId(), business_id: biz, enrollment_id: null, contact_id: ids.a, title: 'Discount for Ann', amount_cents: 75_000, approver_role: 'manager', status: 'pending', decided_by: null, decided_at: null, reason: null, created_at: now }).execute();
    await r.enrollment(ids.win, ids.b, now, { page: { level: 0, userId: 'u1' } }, 'waiting');
    await r.enrollment(ids.win, ids.c, now, { page: { level: 0, userId: 'u1', acked: true } }, 'waiting');
    await r.outbox({ contactId: ids.d, sentAt: null, state: 'failed' });
    await db.updateTable('outbox').set({ updated_at: now }).where('business_id', '=', biz).where('state', '=', 'failed').execute();
    await db.insertInto('drafts').values({ id: newId(), business_id: biz, contact_id: ids.e, interaction_id: null, classification_id: null, kind: 'question', channel: 'sms', subject: null, body: 'Hi Eve, we can come tomorrow at 9.', source: 'template', detail: '{}', status: 'pending', outbox_id: null, decided_by: null, decided_at: null, created_at: now, updated_at: now }).execute();
    await db.insertInto('alert_rules').values({ id: newId(), business_id: biz, name: 'Answer rate', metric: 'answerRate', comparator: 'below', threshold: 0.8, window_days: 7, channels: '["email"]', enabled: 1, state: 'ok', last_value: null, last_evaluated_at: null, created_at: now, updated_at: now }).execute();
    const evaluated = await evaluateDueAlerts(ctx, { businessId: biz });
    assert.equal(evaluated[0].transition, 'breach');

    const res = await api.get('/exceptions');
    assert.equal(res.statusCode, 200, res.body);
    const items = res.json().data as Array<{ kind: string; contactId: string | null; severity: string; title: string }>;
    const kinds = new Set(items.map((i) => i.kind));
    for (const k of ['alert', 'emergency_unacked', 'approval', 'negative_review', 'reply_waiting', 'draft_review', 'failed_send', 'cold_lead']) assert.ok(kinds.has(k), `missing ${k}: ${[...kinds]}`);
    assert.equal(items[0].kind, 'emergency_unacked');
    assert.equal(items.filter((i) => i.kind === 'emergency_unacked').length, 1, 'an acknowledged page is not an exception');
    assert.deepEqual(items.filter((i) => i.kind === 'reply_waiting').map((i) => i.contactId).sort(), [ids.e, ids.g].sort());
    assert.ok(items.some((i) => i.kind === 'cold_lead' && i.contactId === ids.h));
    assert.ok(items.some((i) => i.kind === 'negative_review' && /2-star/.test(i.title)));
    const only = (await api.get('/exceptions?kind=approval')).json().data;
    assert.deepEqual(only.map((i: { title: string }) => i.title), ['Approval waiting: Discount for Ann']);
  });

  test('alert rules over HTTP: create, list, update, delete; managers only for writes', async () => {
    const { ctx } = world();
    const created = await api.post('/alert-rules', { metric: 'speedToLead', comparator: 'above', threshold: 300, windowDays: 7, channels: ['email'] });
    assert.equal(created.statusCode, 201, created.body);
    const rule = created.json();
    assert.equal(rule.state, 'ok');
    assert.ok((await api.get('/alert-rules')).json().data.some((x: { id: string }) => x.id === rule.id));
    const bad = await api.post('/alert-rules', { metric: 'speedToLead', comparator: 'above', threshold: 'high' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /threshold/);
    const patched = await api.patch(`/alert-rules/${rule.id}`, { threshold: 120, enabled: false });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().threshold, 120);
    assert.equal(patched.json().enabled, false);
    // The generated name follows the figures; comparator and window change too, and the rule is on again.
    assert.equal(patched.json().name, 'speedToLead above 120 over 7 days');
    const again = await api.patch(`/alert-rules/${rule.id}`, { comparator: 'below', windowDays: 30, enabled: true });
    assert.deepEqual([again.json().comparator, again.json().windowDays, again.json().enabled, again.json().name], ['below', 30, true, 'speedToLead below 120 over 30 days']);
    const named = await api.patch(`/alert-rules/${rule.id}`, { name: 'Slow first replies' });
    assert.equal(named.json().name, 'Slow first replies');
    assert.equal((await api.patch(`/alert-rules/${rule.id}`, { threshold: 240 })).json().name, 'Slow first replies', 'a chosen name stays');
    assert.equal((await api.patch(`/alert-rules/${rule.id}`, { windowDays: 0 })).statusCode, 400);
    assert.equal((await api.patch(`/alert-rules/${rule.id}`, { colour: 'red' })).statusCode, 400);
    const email = `tech-${t.scope.businessId}@example.com`;
    await createUser(ctx, t.scope, { email, name: 'Tech', role: 'technician', password: 'long enough password' });
    const login = await client(app, null).post('/auth/login', { email, password: 'long enough password' });
    assert.equal(login.statusCode, 200, login.body);
    const cookies = { kinetic_session: login.cookies.find((c) => c.name === 'kinetic_session')!.value };
    const asTech = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => app.inject({ method, url, cookies, ...(payload ? { payload: payload as object } : {}) });
    // Metrics and their alert rules are for owners and managers (src/access/permissions.ts).
    assert.equal((await asTech('GET', `/alert-rules/${rule.id}`)).statusCode, 403);
    const refused = await asTech('POST', '/alert-rules', { metric: 'answerRate', comparator: 'below', threshold: 0.5 });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal((await asTech('PATCH', `/alert-rules/${rule.id}`, { enabled: false })).statusCode, 403);
    assert.equal((await asTech('DELETE', `/alert-rules/${rule.id}`)).statusCode, 403);
    assert.equal((await api.get(`/alert-rules/${rule.id}`)).json().enabled, true, 'a refused change changes nothing');
    assert.equal((await api.delete(`/alert-rules/${rule.id}`)).statusCode, 204);
    assert.equal((await api.get(`/alert-rules/${rule.id}`)).statusCode, 404);
  });

  test('GET /exceptions: a STOP, START or HELP text is not a reply waiting (the engine answers it)', async () => {
    const { ctx } = world();
    const r = recorder(ctx, t.scope);
    const stop = await r.contact('Stan', { phone: '+15125559001', email: 'stan-9001@example.com' });
    const help = await r.contact('Hana', { phone: '+15125559002', email: 'hana-9002@example.com' });
    const asks = await r.contact('Ike', { phone: '+15125559003', email: 'ike-9003@example.com' });
    await r.interaction(stop, 'sms', 'inbound', '2026-03-07T09:00:00.000Z', null, 'STOP');
    await r.interaction(help, 'sms', 'inbound', '2026-03-07T09:01:00.000Z', null, 'help');
    await r.interaction(asks, 'sms', 'inbound', '2026-03-07T09:02:00.000Z', null, 'Can you stop by Tuesday?');
    const waiting = (await api.get('/exceptions?kind=reply_waiting')).json().data.map((i: { contactId: string }) => i.contactId);
    assert.ok(waiting.includes(asks), 'an ordinary question waits for a reply');
    assert.ok(!waiting.includes(stop) && !waiting.includes(help), `keyword texts are answered by the engine: ${waiting}`);
  });
});
