import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client, makeTenant, useApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/** The pipeline's totals: open by stage now; won and lost by when they closed. */
forEachDialect('pipeline totals', (world) => {
  const s = useApiTenant(world, 'Totals Heating');

  test('won and lost count in the period they closed in; open deals by stage; bad input is a 400', async () => {
    const { clock } = world();
    const deal = async (title: string, amountCents: number, stage: string) => (await s.api.post('/deals', { title, amountCents, stage })).json() as { id: string };
    await deal('Old win', 100_000, 'won'); // closes now: before the period below
    clock.advance(10 * 86_400_000);
    const since = clock.now().toISOString();
    clock.advance(60_000);
    const a = await deal('Furnace', 500_000, 'new');
    await deal('Ducts', 200_000, 'quote_sent');
    await s.api.patch(`/deals/${a.id}`, { stage: 'won' });
    await deal('Lost one', 300_000, 'lost');
    // Another business's deals are not in this one's totals.
    const other = await makeTenant(world().ctx, 'Other Totals Plumbing');
    await client(s.app, other.key).post('/deals', { title: 'Their win', amountCents: 999_900, stage: 'won' });
    await client(s.app, other.key).post('/deals', { title: 'Their quote', amountCents: 999_900, stage: 'quote_sent' });
    const totals = (await s.api.get(`/pipeline/totals?closedAfter=${encodeURIComponent(since)}`)).json();
    assert.deepEqual(totals.won, { count: 1, amountCents: 500_000 });
    assert.deepEqual(totals.lost, { count: 1, amountCents: 300_000 });
    assert.deepEqual(totals.open.quote_sent, { count: 1, amountCents: 200_000 });
    assert.equal(totals.open.new, undefined);
    const listed = (await s.api.get(`/deals?status=won&closedAfter=${encodeURIComponent(since)}`)).json().data as Array<{ title: string }>;
    assert.deepEqual(listed.map((d) => d.title), ['Furnace']);
    assert.equal((await s.api.get('/pipeline/totals')).statusCode, 400, 'closedAfter is required');
    assert.equal((await s.api.get('/pipeline/totals?closedAfter=yesterday')).statusCode, 400);
  });
});
