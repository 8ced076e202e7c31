import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import { evaluateDueAlerts, evaluateRule } from '../../src/insights/alerts/evaluate.ts';
import { createAlertRule, deleteAlertRule, listAlertRules, updateAlertRule } from '../../src/insights/alerts/rules.ts';
import { listExceptions } from '../../src/insights/exceptions.ts';
import { createProviders } from '../../src/channels/registry.ts';
import { startWorker } from '../../src/worker/worker.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { recorder } from './fixture.ts';

const MIN = 60_000;

forEachDialect('threshold alerts', (world) => {
  test('a breach is announced once to the owner, not repeated, and its recovery once', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T00:00:00Z');
    const scope = await makeBusiness(ctx, { name: 'Alert HVAC' });
    await createUser(ctx, scope, { email: `owner-${scope.businessId}@example.com`, name: 'Olive Owner', role: 'owner', phone: '+15125550199', password: 'long enough password' });
    await createUser(ctx, scope, { email: `tech-${scope.businessId}@example.com`, name: 'Ted Tech', role: 'technician', phone: '+15125550198', password: 'long enough password' });
    const r = recorder(ctx, scope);
    const caller = await r.contact('Cal');
    for (let i = 0; i < 4; i++) await r.interaction(caller, 'call', 'inbound', `2026-03-0${3 + i}T15:00:00.000Z`, i < 2 ? 'answered' : 'missed');

    const rule = await createAlertRule(ctx, scope, { metric: 'answerRate', comparator: 'below', threshold: 0.8, windowDays: 7 });
    assert.equal(rule.name, 'answerRate below 0.8 over 7 days');
    assert.deepEqual(rule.channels, ['sms', 'email']);

    const first = await evaluateDueAlerts(ctx, { businessId: scope.businessId });
    assert.deepEqual(first.map((x) => [x.transition, x.value, x.messages]), [['breach', 0.5, 2]]);
    const sent = await ctx.db.kysely.selectFrom('outbox').selectAll().where('business_id', '=', scope.businessId).orderBy('channel').execute();
    assert.deepEqual(sent.map((m) => [m.channel, m.to_address, m.purpose]), [['email', `owner-${scope.businessId}@example.com`, 'transactional'], ['sms', '+15125550199', 'transactional']]);
    assert.match(sent[1].body, /Alert HVAC.*answerRate is 50% over the last 7 days \(below 80%\)/);

    // Not due again within the evaluation interval; later, still breached: no second message.
    assert.deepEqual(await evaluateDueAlerts(ctx, { businessId: scope.businessId }), []);
    clock.advance(20 * MIN);
    const again = await evaluateDueAlerts(ctx, { businessId: scope.businessId });
    assert.deepEqual(again.map((x) => [x.transition, x.messages]), [[null, 0]]);
    assert.equal((await ctx.db.kysely.selectFrom('outbox').select('id').where('business_id', '=', scope.businessId).execute()).length, 2);

    const open = await listExceptions(ctx, scope, { kind: 'alert' });
    assert.equal(open.data.length, 1);
    assert.equal(open.data[0].severity, 'high');
    assert.match(open.data[0].detail ?? '', /50%/);

    // Calls get answered again: 12 of 14 → recovered, announced once.
    for (let i = 0; i < 10; i++) await r.interaction(caller, 'call', 'inbound', `2026-03-07T1${i}:00:00.000Z`, 'answered');
    clock.advance(20 * MIN);
    const recovered = await evaluateDueAlerts(ctx, { businessId: scope.businessId });
    assert.deepEqual(recovered.map((x) => [x.transition, x.value, x.messages]), [['recovery', 0.8571, 2]]);
    const bodies = (await ctx.db.kysely.selectFrom('outbox').select('body').where('business_id', '=', scope.businessId).execute()).map((m) => m.body);
    assert.equal(bodies.filter((b) => /recovered/.test(b)).length, 2);
    clock.advance(20 * MIN);
    assert.deepEqual((await evaluateDueAlerts(ctx, { businessId: scope.businessId })).map((x) => x.transition), [null]);
    assert.equal((await listExceptions(ctx, scope, { kind: 'alert' })).data.length, 0);
    const events = await ctx.db.kysely.selectFrom('alert_events').select(['kind', 'resolved_at']).where('rule_id', '=', rule.id).orderBy('at').execute();
    assert.deepEqual(events.map((e) => e.kind), ['breach', 'recovery']);
    assert.ok(events.every((e) => e.resolved_at !== null));
    assert.equal((await listAlertRules(ctx, scope)).data[0].state, 'ok');
  });

  test('two evaluations racing on one breach send one set of messages; no data is not a breach', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T00:00:00Z');
    const scope = await makeBusiness(ctx);
    await createUser(ctx, scope, { email: `o2-${scope.businessId}@example.com`, name: 'Owner', role: 'owner', phone: '+15125550197', password: 'long enough password' });
    const r = recorder(ctx, scope);
    const rule = await createAlertRule(ctx, scope, { metric: 'answerRate', comparator: 'below', threshold: 0.8, channels: ['sms'] });
    assert.deepEqual((await evaluateDueAlerts(ctx, { businessId: scope.businessId })).map((x) => [x.transition, x.value]), [[null, null]]);
    const c = await r.contact('Mo');
    await r.interaction(c, 'call', 'inbound', '2026-03-07T15:00:00.000Z', 'missed');
    const row = await ctx.db.kysely.selectFrom('alert_rules').selectAll().where('id', '=', rule.id).executeTakeFirstOrThrow();
    const results = await Promise.all([evaluateRule(ctx, row, 'X'), evaluateRule(ctx, row, 'X')]);
    assert.deepEqual(results.map((x) => x.transition).sort(), ['breach', null]);
    assert.equal((await ctx.db.kysely.selectFrom('outbox').select('id').where('business_id', '=', scope.businessId).execute()).length, 1);
  });

  test('rules: validation names the field, updates, disabling, tenant scope', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx);
    const other = await makeBusiness(ctx);
    await assert.rejects(createAlertRule(ctx, scope, { metric: 'happiness', comparator: 'below', threshold: 1 }), /metric/);
    await assert.rejects(createAlertRule(ctx, scope, { metric: 'answerRate', comparator: 'below', threshold: 0.8, windowDays: 0 }), /windowDays/);
    await assert.rejects(createAlertRule(ctx, scope, { metric: 'answerRate', comparator: 'sideways', threshold: 0.8 }), /comparator/);
    const rule = await createAlertRule(ctx, scope, { name: 'Slow replies', metric: 'speedToLead', comparator: 'above', threshold: 600 });
    const updated = await updateAlertRule(ctx, scope, rule.id, { enabled: false, threshold: 300 });
    assert.equal(updated.enabled, false);
    assert.equal(updated.threshold, 300);
    assert.deepEqual(await evaluateDueAlerts(ctx, { businessId: scope.businessId }), []);
    await assert.rejects(updateAlertRule(ctx, other, rule.id, { threshold: 1 }), /not found/);
    await assert.rejects(deleteAlertRule(ctx, other, rule.id), /not found/);
    assert.equal((await listAlertRules(ctx, other)).data.length, 0);
    await deleteAlertRule(ctx, scope, rule.id);
    assert.equal((await listAlertRules(ctx, scope)).data.length, 0);
  });

  test('the worker evaluates rules on its housekeeping pass and sends the alert through the outbox once', async () => {
    const { ctx, clock } = world();
    clock.set('2026-03-08T00:00:00Z');
    const scope = await makeBusiness(ctx, { name: 'Worker HVAC' });
    await createUser(ctx, scope, { email: `ow-${scope.businessId}@example.com`, name: 'Owner', role: 'owner', phone: '+15125550196', password: 'long enough password' });
    const r = recorder(ctx, scope);
    const c = await r.contact('Wes');
    await r.interaction(c, 'call', 'inbound', '2026-03-07T15:00:00.000Z', 'missed');
    await createAlertRule(ctx, scope, { metric: 'answerRate', comparator: 'below', threshold: 0.8, channels: ['sms'] });
    const worker = await startWorker(ctx, { providers: createProviders(ctx.config) });
    try {
      await worker.tick();
      await worker.tick();
      const events = await ctx.db.kysely.selectFrom('alert_events').select('kind').where('business_id', '=', scope.businessId).execute();
      assert.deepEqual(events.map((e) => e.kind), ['breach']);
      const sent = await ctx.db.kysely.selectFrom('outbox').select(['state', 'to_address']).where('business_id', '=', scope.businessId).execute();
      assert.equal(sent.length, 1);
      assert.equal(sent[0].to_address, '+15125550196');
    } finally {
      await worker.stop();
    }
  });
});
