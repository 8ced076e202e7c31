import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContact } from '../../../src/crm/contacts/contacts.ts';
import { newId } from '../../../src/lib/ids.ts';
import { contactScores } from '../../../src/intelligence/models/builtin.ts';
import { contactSignalsAt, contactSignalsComputed } from '../../../src/intelligence/models/contact-signals.ts';
import { contactRelationship } from '../../../src/intelligence/relationships/relationships.ts';
import { forEachDialect, makeBusiness } from '../../helpers/db.ts';

forEachDialect('scoring one contact for automations', (world) => {
  test('gives what the API gives, and only what was asked for', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx);
    const c = await createContact(ctx, scope, { name: 'Lead', phone: '+15125550110', source: 'referral' });
    const before = contactSignalsComputed();
    const both = await contactSignalsAt(ctx.db.kysely, scope.businessId, c.id, ctx.clock.now(), { scores: true, relationship: true });
    assert.deepEqual(both.scores, (await contactScores(ctx, scope, c.id)).data);
    const rel = (await contactRelationship(ctx, scope, c.id)).data;
    assert.deepEqual(both.relationship, { strength: rel.strength, cooling: rel.cooling });
    const scoresOnly = await contactSignalsAt(ctx.db.kysely, scope.businessId, c.id, ctx.clock.now(), { scores: true, relationship: false });
    assert.equal(scoresOnly.relationship, null);
    const relOnly = await contactSignalsAt(ctx.db.kysely, scope.businessId, c.id, ctx.clock.now(), { scores: false, relationship: true });
    assert.equal(relOnly.scores, null);
    assert.equal(contactSignalsComputed() - before, 3);
  });

  test("reads through the run's transaction: it sees that transaction's uncommitted writes (and does not wait on it)", async () => {
    const { ctx, clock } = world();
    const scope = await makeBusiness(ctx);
    const c = await createContact(ctx, scope, { name: 'Customer', phone: '+15125550111' });
    const now = clock.now().toISOString();
    const strength = await ctx.db.transaction(async (trx) => {
      await trx
        .insertInto('interactions')
        .values({ id: newId(), business_id: scope.businessId, contact_id: c.id, kind: 'call', direction: 'inbound', channel: 'phone', subject: null, body: null, outcome: 'answered', duration_seconds: 60, user_id: null, external_id: null, metadata: '{}', occurred_at: now, created_at: now })
        .execute();
      return (await contactSignalsAt(trx, scope.businessId, c.id, clock.now(), { scores: false, relationship: true })).relationship?.strength;
    });
    assert.ok(strength !== undefined && strength > 0, String(strength));
    assert.equal((await contactRelationship(ctx, scope, c.id)).data.strength, strength);
  });
});
