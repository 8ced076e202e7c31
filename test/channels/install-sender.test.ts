import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimInstallDefaultsForFirstBusiness } from '../../src/crm/businesses/channels.ts';
import { smsSenderFor } from '../../src/engine/outbox/sender.ts';
import { forEachDialect, makeBusiness, testConfig } from '../helpers/db.ts';

/**
 * Upgrading an install that texted from TWILIO_FROM_NUMBER: the number becomes
 * its first business's verified sender, and a business added later does not
 * borrow it.
 */
forEachDialect('the install number on upgrade', (world) => {
  test('the first business gets TWILIO_FROM_NUMBER (verified) at start-up; a later business does not', async () => {
    const { db, clock } = world();
    const before = world().ctx; // no Twilio yet: the business was created on the dev outbox
    const first = await makeBusiness(before, { name: 'First Heating' });
    clock.advance(1000);
    const ctx = { ...before, config: testConfig({ twilio: { accountSid: `AC${'d4'.repeat(16)}`, authToken: 'upgrade-test-auth-token-000', fromNumber: '+15125550123', messagingServiceSid: null, apiBaseUrl: null } }) };
    await claimInstallDefaultsForFirstBusiness(ctx);
    await claimInstallDefaultsForFirstBusiness(ctx); // every start: no change the second time
    const rows = await db.kysely.selectFrom('business_numbers').select(['number', 'business_id', 'verified', 'source']).where('number', '=', '+15125550123').execute();
    assert.deepEqual(rows.map((r) => `${r.business_id === first.businessId} ${r.verified} ${r.source}`), ['true 1 install_default']);
    const later = await makeBusiness(ctx, { name: 'Later Plumbing' });
    const now = clock.now().toISOString();
    assert.equal(await db.transaction((trx) => smsSenderFor(trx, first.businessId, '+15125550999', now)), '+15125550123');
    assert.equal(await db.transaction((trx) => smsSenderFor(trx, later.businessId, '+15125550999', now)), null, 'never the other business\'s number');
  });
});
