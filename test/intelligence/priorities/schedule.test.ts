import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContact } from '../../../src/crm/contacts/contacts.ts';
import { deals } from '../../../src/crm/deals/deals.ts';
import { intelligenceSchedule } from '../../../src/intelligence/priorities/schedule.ts';
import { forEachDialect, makeBusiness } from '../../helpers/db.ts';

forEachDialect('the worker’s intelligence pass', (world) => {
  test('retrains due models weekly and creates AI tasks, at most hourly', async () => {
    const { ctx, clock, db } = world();
    const scope = await makeBusiness(ctx);
    const c = await createContact(ctx, scope, { name: 'Quiet Deal', phone: '512-555-0150' });
    await deals.create(ctx, scope, { contactId: c.id, title: 'Quiet deal', amountCents: 250_000 });
    clock.advance(20 * 86_400_000);
    const pass = intelligenceSchedule();
    const first = await pass(ctx);
    assert.ok(first.retrained >= 3, JSON.stringify(first));
    assert.ok(first.tasks >= 1, JSON.stringify(first));
    const versions = async () => (await db.kysely.selectFrom('model_versions').select('version').where('business_id', '=', scope.businessId).execute()).length;
    assert.equal(await versions(), 3);
    assert.deepEqual(await pass(ctx), { retrained: 0, tasks: 0 }, 'within the hour nothing runs');
    clock.advance(2 * 3_600_000);
    const hourly = await pass(ctx);
    assert.equal(hourly.tasks, 0, 'the same occurrence is not tasked twice');
    assert.equal(await versions(), 3, 'models are retrained weekly, not hourly');
    clock.advance(8 * 86_400_000);
    await pass(ctx);
    assert.equal(await versions(), 6);
  });
});
