import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { systemActor, type Scope } from '../../src/context.ts';
import { demoCalendar, demoDigest, generateDemo, loadDemo, LIVE_MONTHS, type DemoResult } from '../../src/demo/index.ts';
import { splitAtGoLive } from '../../src/demo/go-live.ts';
import { simulateAutomation } from '../../src/engine/simulate.ts';
import { automationFunnel, metricsFor } from '../../src/insights/index.ts';
import { playbooks } from '../../src/playbooks/catalog/index.ts';
import { playbookDefinition } from '../../src/playbooks/install.ts';
import { forEachDialect } from '../helpers/db.ts';

const NOW = new Date('2026-03-02T15:00:00Z');
const SEED = 42;
const DAY = 86_400_000;
const eventPlaybooks = playbooks.filter((p) => (playbookDefinition(p.name) as { trigger: { type: string } }).trigger.type === 'event').map((p) => p.name);
/** Digests per dialect: two separate loads (other database, other wall clock) must agree. */
const digests = new Map<string, string>();

describe('demo calendar (pure)', () => {
  test('go-live and the campaigns sit at the same distance from any anchor', () => {
    for (const anchor of ['2026-03-02T15:00:00.000Z', '2026-09-14T22:30:00.000Z']) {
      const cal = demoCalendar(anchor);
      const months = (Date.parse(anchor) - Date.parse(cal.goLive)) / (30.44 * DAY);
      assert.ok(months > LIVE_MONTHS - 0.3 && months < LIVE_MONTHS + 0.3, `go-live ${cal.goLive} for ${anchor}`);
      for (const c of cal.campaigns) assert.ok(c.from > cal.goLive && c.to < anchor && c.from < c.to, `${c.playbook} ${c.from}–${c.to}`);
      const { acts } = splitAtGoLive(generateDemo(SEED, new Date(anchor)), cal);
      assert.ok(acts.length > 1000 && acts.every((a) => a.at >= cal.goLive && a.at <= anchor));
    }
  });

  test('no technician has two visits at once in the generated history', () => {
    const data = generateDemo(SEED, NOW);
    const byTech = new Map<string, Array<[number, number, string]>>();
    for (const j of data.jobs) byTech.set(j.technicianKey, [...(byTech.get(j.technicianKey) ?? []), [Date.parse(j.scheduledStart), Date.parse(j.scheduledEnd), j.key]]);
    for (const [tech, visits] of byTech) {
      visits.sort((a, b) => a[0] - b[0]);
      let end = -Infinity;
      for (const [s, e, key] of visits) {
        assert.ok(s >= end, `${tech} is double-booked at ${new Date(s).toISOString()} (${key})`);
        end = Math.max(end, e);
      }
    }
  });
});

forEachDialect('demo history lived through the product', (world, dialect) => {
  let result: DemoResult;
  let scope: Scope;
  const cal = demoCalendar(NOW.toISOString());

  test('loads, with its load time, from a wall clock that does not matter', async (t) => {
    // Another wall clock for each database: only the anchor decides the data.
    world().clock.set(dialect === 'sqlite' ? '2026-12-04T18:00:00Z' : '2027-05-20T03:15:00Z');
    result = await loadDemo(world().ctx, { seed: SEED, now: NOW });
    scope = { businessId: result.businessId, actor: systemActor };
    t.diagnostic(`loadDemo on ${dialect}: ${result.loadMs} ms ${JSON.stringify(result.counts)}`);
    assert.ok(result.counts.events > 1000 && result.counts.enrollments > 500 && result.counts.outbox > 500);
  });

  test('the same seed and anchor give the same business on SQLite and PostgreSQL', async () => {
    const { digest, rows } = await demoDigest(world().db.kysely, result.businessId, NOW.toISOString());
    assert.ok(rows > 10_000);
    digests.set(dialect, digest);
    if (digests.size === 2) assert.equal(digests.get('postgres'), digests.get('sqlite'));
  });

  test('events only from go-live on; the months before are the import', async () => {
    const db = world().db.kysely;
    const events = await db.selectFrom('events').select(['occurred_at']).where('business_id', '=', result.businessId).execute();
    assert.ok(events.every((e) => new Date(e.occurred_at).toISOString() >= cal.goLive && new Date(e.occurred_at).toISOString() <= NOW.toISOString()));
  });

  test('simulate finds enrolments and messages for every event-triggered playbook', async () => {
    const automations = await world().db.kysely.selectFrom('automations').select(['id', 'playbook']).where('business_id', '=', result.businessId).execute();
    assert.equal(eventPlaybooks.length, 7);
    for (const name of eventPlaybooks) {
      const a = automations.find((x) => x.playbook === name)!;
      const report = await simulateAutomation(world().ctx, scope, a.id, { from: cal.goLive, to: NOW.toISOString() });
      assert.ok(report.enrolled > 0, `${name}: no enrolments`);
      assert.ok(report.sends.length > 0, `${name}: no messages`);
    }
  });

  test('campaigns, revenue from automations, review velocity and lost deals are non-zero', async () => {
    const period = { from: new Date(NOW.getTime() - 90 * DAY).toISOString(), to: NOW.toISOString() };
    const funnel = await automationFunnel(world().ctx, scope, period);
    // The A/B first message of each arm (the follow-up has no variants).
    const reactivation = funnel.filter((r) => r.name === 'Dormant reactivation' && r.variant !== null);
    assert.deepEqual(reactivation.map((r) => r.variant).sort(), ['a', 'b']);
    assert.ok(reactivation.every((r) => r.sent > 0 && r.delivered > 0 && r.replied > 0), JSON.stringify(reactivation));
    assert.ok(reactivation.reduce((s, r) => s + r.booked, 0) > 0 && reactivation.reduce((s, r) => s + r.revenueCents, 0) > 0);
    for (const name of ['Speed to lead', 'Review request', 'Appointment reminders']) assert.ok(funnel.some((r) => r.name === name && r.sent > 0), `${name} sent nothing`);
    const m = await metricsFor(world().ctx, scope, period, ['automationRevenue', 'reviewVelocity', 'reactivation']);
    assert.ok((m.automationRevenue.value ?? 0) > 0);
    assert.ok((m.reviewVelocity.value ?? 0) > 0 && Number(m.reviewVelocity.requested) > 0);
    assert.ok((m.reactivation.value ?? 0) > 0);
    const lost = await world().db.kysely.selectFrom('deals').select('id').where('business_id', '=', result.businessId).where('status', '=', 'lost').where('closed_at', '>=', cal.goLive).execute();
    assert.ok(lost.length > 0, 'no deal lost since go-live');
  });

  test('no technician is ever double-booked', async () => {
    const jobs = await world().db.kysely.selectFrom('jobs').select(['id', 'technician_user_id', 'scheduled_start', 'scheduled_end']).where('business_id', '=', result.businessId).where('status', '!=', 'cancelled').execute();
    const byTech = new Map<string, Array<[number, number]>>();
    for (const j of jobs) byTech.set(j.technician_user_id!, [...(byTech.get(j.technician_user_id!) ?? []), [Date.parse(new Date(j.scheduled_start!).toISOString()), Date.parse(new Date(j.scheduled_end!).toISOString())]]);
    for (const [tech, visits] of byTech) {
      visits.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < visits.length; i++) assert.ok(visits[i][0] >= Math.max(...visits.slice(0, i).map((v) => v[1])), `${tech} double-booked at ${new Date(visits[i][0]).toISOString()}`);
    }
  });

  test('nothing failed or was left parked', async () => {
    const parked = await world().db.kysely.selectFrom('enrollments').select('id').where('business_id', '=', result.businessId).where('status', '=', 'parked').execute();
    assert.equal(parked.length, 0);
    const failed = await world().db.kysely.selectFrom('outbox').select('id').where('business_id', '=', result.businessId).where('state', 'in', ['failed', 'unknown']).execute();
    assert.equal(failed.length, 0);
  });
});
