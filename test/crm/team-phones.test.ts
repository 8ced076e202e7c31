import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser, updateUser } from '../../src/access/users.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';

forEachDialect('team phones in the business country', (world) => {
  test("a team member's phone written without a country code is read in the business's country", async () => {
    const { ctx } = world();
    const uk = await makeBusiness(ctx, { settings: { defaultCountry: 'GB' } });
    const tech = await createUser(ctx, uk, { email: `tech-${uk.businessId}@example.co.uk`, name: 'Tom', role: 'technician', phone: '07911 123456' });
    assert.equal(tech.phone, '+447911123456');
    const moved = await updateUser(ctx, uk, tech.id, { phone: '07400 123456' });
    assert.equal(moved.phone, '+447400123456');
    const us = await makeBusiness(ctx);
    const other = await createUser(ctx, us, { email: `tech-${us.businessId}@example.com`, name: 'Ann', role: 'technician', phone: '(512) 555-0142' });
    assert.equal(other.phone, '+15125550142');
    await assert.rejects(createUser(ctx, uk, { email: `bad-${uk.businessId}@example.com`, name: 'Bad', role: 'technician', phone: '(512) 555-0142' }), (e: { code?: string }) => e.code === 'VALIDATION_FAILED', 'a US-style number is not a valid UK one');
  });
});
