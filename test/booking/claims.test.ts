import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimSlot, claimUnits } from '../../src/booking/claims.ts';
import { fromDatabaseError } from '../../src/lib/errors.ts';
import { forEachDialect } from '../helpers/db.ts';
import { makeShop, makeTechnician } from './helpers.ts';

/**
 * The database itself refuses overlapping claims, independently of any check
 * the application makes first: two transactions that both read "free" and then
 * both claim overlapping time cannot both commit.
 */
forEachDialect('booking: slot claims in the database', (world) => {
  test('two open transactions claiming overlapping time: exactly one commits', async () => {
    const { ctx, db, dialect } = world();
    const scope = await makeShop(ctx);
    const tech = await makeTechnician(ctx, scope);
    const now = ctx.clock.now().toISOString();
    const first = claimUnits('2026-03-03T14:00:00.000Z', '2026-03-03T16:00:00.000Z', 30);
    const second = claimUnits('2026-03-03T15:30:00.000Z', '2026-03-03T16:30:00.000Z', 30);
    // PostgreSQL: both transactions are open and have read the (empty) claims before either writes.
    // SQLite has one writer at a time, so there the second transaction starts after the first ends.
    let arrived = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>((r) => (release = r));
    const barrier = async () => {
      if (dialect !== 'postgres') return;
      if (++arrived === 2) release();
      await bothRead;
    };
    const attempt = (units: string[], jobId: string) =>
      db.transaction(async (trx) => {
        const held = await trx.selectFrom('booking_slot_claims').select('unit_start').where('technician_user_id', '=', tech).execute();
        if (dialect === 'postgres') assert.equal(held.length, 0, 'both see the time as free');
        await barrier();
        await claimSlot(trx, scope.businessId, tech, units, jobId, now);
      });
    const results = await Promise.allSettled([attempt(first, 'job-a'), attempt(second, 'job-b')]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1);
    assert.equal(failed.length, 1);
    assert.ok(fromDatabaseError(failed[0].reason), `a unique violation, got ${String(failed[0].reason)}`);
    const rows = await db.kysely.selectFrom('booking_slot_claims').select('job_id').where('technician_user_id', '=', tech).execute();
    assert.equal(new Set(rows.map((r) => r.job_id)).size, 1);
  });

  test('claims of different technicians or non-overlapping times coexist', async () => {
    const { ctx, db } = world();
    const scope = await makeShop(ctx);
    const [t1, t2] = [await makeTechnician(ctx, scope), await makeTechnician(ctx, scope)];
    const now = ctx.clock.now().toISOString();
    const units = claimUnits('2026-03-03T14:00:00.000Z', '2026-03-03T15:00:00.000Z', 30);
    await db.transaction((trx) => claimSlot(trx, scope.businessId, t1, units, 'j1', now));
    await db.transaction((trx) => claimSlot(trx, scope.businessId, t2, units, 'j2', now));
    await db.transaction((trx) => claimSlot(trx, scope.businessId, t1, claimUnits('2026-03-03T15:30:00.000Z', '2026-03-03T16:30:00.000Z', 30), 'j3', now));
    const count = await db.kysely.selectFrom('booking_slot_claims').select(db.kysely.fn.countAll<number>().as('n')).where('business_id', '=', scope.businessId).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 18 * 3);
  });
});
