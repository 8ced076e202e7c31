import assert from 'node:assert/strict';
import { test } from 'node:test';
import { automationFunnel } from '../../src/insights/funnel.ts';
import { computeMetrics } from '../../src/insights/metrics.ts';
import { metricSeries } from '../../src/insights/series.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { seedMetricsFixture } from './fixture.ts';

const P = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' };

forEachDialect('insights metrics on a hand-computed fixture', (world) => {
  test('every metric matches the values worked out by hand, with the previous period', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx, { timeZone: 'UTC' });
    await seedMetricsFixture(ctx, scope);
    const other = await makeBusiness(ctx);
    await seedMetricsFixture(ctx, other); // another tenant's identical data must not leak in

    const r = await computeMetrics(ctx, scope, P);
    const m = r.metrics;
    assert.deepEqual(r.previous, { from: '2026-02-22T00:00:00.000Z', to: P.from });

    assert.equal(m.answerRate.value, 0.5);
    assert.equal(m.answerRate.inboundCalls, 4);
    assert.equal(m.answerRate.previous, 1);

    assert.equal(m.speedToLead.leads, 5);
    assert.equal(m.speedToLead.medianSeconds, 180);
    assert.equal(m.speedToLead.value, 1800, 'the median over leads not answered live');
    assert.equal(m.speedToLead.p90Seconds, 108_000);
    assert.equal(m.speedToLead.responded, 4);
    // The previous period's one lead was a call answered live: no lead waited, so there is no speed to report.
    assert.equal(m.speedToLead.previous, null);
    assert.equal((m.speedToLead.previousDetails as { medianSeconds: number }).medianSeconds, 0);
    assert.deepEqual(m.speedToLead.notAnsweredLive, { medianSeconds: 1800, p90Seconds: 108_000, responded: 3, leads: 4 });

    assert.deepEqual(m.leadDecay.notContacted, { within5m: 0.6, within1h: 0.4, within24h: 0.4 });
    assert.equal(m.leadDecay.value, 0.4);
    assert.deepEqual(m.leadDecay.conversionByResponseTime, [
      { bucket: '0-5m', leads: 2, booked: 1, conversion: 0.5 },
      { bucket: '5m-1h', leads: 1, booked: 1, conversion: 1 },
      { bucket: '1h-24h', leads: 0, booked: 0, conversion: null },
      { bucket: '>24h', leads: 1, booked: 0, conversion: 0 },
      { bucket: 'none', leads: 1, booked: 0, conversion: 0 },
    ]);

    assert.equal(m.followUpCoverage.value, 0.5);
    assert.equal(m.followUpCoverage.notBookedAtFirstContact, 4);
    assert.equal(m.followUpCoverage.covered, 2);

    assert.equal(m.bookingConversion.value, 0.4);
    assert.equal(m.bookingConversion.booked, 2);
    assert.equal(m.bookingConversion.bookedAtFirstContact, 1);
    assert.equal(m.bookingConversion.previous, 0);

    assert.equal(m.reviewVelocity.value, 2);
    assert.equal(m.reviewVelocity.requestsPerWeek, 3);
    assert.equal(m.reviewVelocity.averageRating, 3.5);
    assert.equal(m.reviewVelocity.reviewsPerRequest, 0.6667);

    assert.equal(m.noShowRate.value, 0.3333);
    assert.equal(m.noShowRate.appointments, 3);

    assert.equal(m.reactivation.sent, 2);
    assert.equal(m.reactivation.delivered, 1);
    assert.equal(m.reactivation.replied, 1);
    assert.equal(m.reactivation.booked, 1);
    assert.equal(m.reactivation.revenueCents, 30_000);
    assert.equal(m.reactivation.previous, 0);

    assert.equal(m.automationRevenue.value, 30_000);
    assert.equal((m.automationRevenue.byAutomation as Array<{ name: string }>)[0].name, 'Win back');
  });

  test('follow-up coverage with a higher touch bar, and the funnel by variant', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx, { timeZone: 'UTC' });
    const { win } = await seedMetricsFixture(ctx, scope);
    const r = await computeMetrics(ctx, scope, P, { minTouches: 2, attributionDays: 14 });
    assert.equal(r.metrics.followUpCoverage.value, 0.25);
    const funnel = await automationFunnel(ctx, scope, P, { automationId: win });
    assert.deepEqual(funnel, [
      { automationId: win, name: 'Win back', variant: 'A', sent: 1, delivered: 1, replied: 1, booked: 1, revenueCents: 30_000 },
      { automationId: win, name: 'Win back', variant: 'B', sent: 1, delivered: 0, replied: 0, booked: 0, revenueCents: 0 },
    ]);
    // Outside the attribution window nothing is credited.
    const late = await automationFunnel(ctx, scope, { from: '2026-03-03T00:00:00.000Z', to: P.to }, { automationId: win });
    assert.deepEqual(late, []);
  });

  test('a daily series uses the same calculation per bucket', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx, { timeZone: 'UTC' });
    await seedMetricsFixture(ctx, scope);
    const s = await metricSeries(ctx, scope, { metric: 'answerRate', bucket: 'day', from: P.from, to: '2026-03-04T00:00:00Z' });
    assert.deepEqual(s.data, [
      { start: '2026-03-01T00:00:00.000Z', value: 1 },
      { start: '2026-03-02T00:00:00.000Z', value: 0.5 },
      { start: '2026-03-03T00:00:00.000Z', value: null },
    ]);
    const weekly = await metricSeries(ctx, scope, { metric: 'bookingConversion', bucket: 'week', from: P.from, to: P.to });
    assert.equal(weekly.data.length, 2); // 2026-03-01 is a Sunday: the ISO week of 02-23, then the week of 03-02
    assert.equal(weekly.data[0].start, P.from);
    assert.deepEqual(weekly.data.map((x) => x.value), [null, 0.4]);
    await assert.rejects(metricSeries(ctx, scope, { metric: 'nope', bucket: 'day' }), /metric/);
    await assert.rejects(metricSeries(ctx, scope, { metric: 'answerRate', bucket: 'day', from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }), /bucket/);
  });
});
