import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Scope } from '../../../src/context.ts';
import { createUser } from '../../../src/access/users.ts';
import { companies, linkContactToCompany } from '../../../src/crm/companies/companies.ts';
import { createContact } from '../../../src/crm/contacts/contacts.ts';
import { interactions } from '../../../src/crm/interactions/interactions.ts';
import { contactRelationship, introPaths } from '../../../src/intelligence/relationships/relationships.ts';
import { relationshipStrength, type Touch } from '../../../src/intelligence/relationships/strength.ts';
import { forEachDialect, makeBusiness } from '../../helpers/db.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-02T15:00:00Z');
const touches = (days: number[], direction: Touch['direction'] = 'outbound', channel = 'sms'): Touch[] => days.map((d) => ({ at: NOW - d * DAY, direction, channel }));

test('strength: recent, frequent, two-way, many-channel ties are stronger (table)', () => {
  const cases: Array<[string, Touch[], Touch[]]> = [
    ['recent beats old', touches([2, 9, 16]), touches([300, 307, 314])],
    ['frequent beats rare', touches([2, 5, 9, 12, 16, 20, 25, 30]), touches([2, 60])],
    ['two-way beats one-way', [...touches([2, 9]), ...touches([5, 12], 'inbound')], touches([2, 5, 9, 12])],
    ['phone and visits beat email only', [...touches([2, 9], 'outbound', 'phone'), ...touches([5], null, 'in_person')], touches([2, 5, 9], 'outbound', 'email')],
  ];
  for (const [label, strong, weak] of cases) {
    const s = relationshipStrength(strong, NOW).strength;
    const w = relationshipStrength(weak, NOW).strength;
    assert.ok(s > w, `${label}: ${s} vs ${w}`);
  }
  assert.equal(relationshipStrength([], NOW).strength, 0);
  const mixed = relationshipStrength([...touches([2, 9]), ...touches([5], 'inbound')], NOW);
  assert.equal(mixed.theyInitiate, 0.33);
  assert.ok(mixed.strength > 0 && mixed.strength <= 100);
});

test('going cold is judged against each relationship’s own rhythm', () => {
  // Weekly for two months, then five weeks of silence: cooling.
  const weekly = touches([35, 42, 49, 56, 63, 70, 77]);
  const w = relationshipStrength(weekly, NOW);
  assert.equal(w.usualGapDays, 7);
  assert.equal(w.cooling, true);
  // Once a year (a yearly tune-up), five weeks of silence is normal.
  const yearly = touches([35, 400, 765]);
  assert.equal(relationshipStrength(yearly, NOW).cooling, false);
  // Weekly and still in touch: not cooling.
  assert.equal(relationshipStrength(touches([3, 10, 17, 24]), NOW).cooling, false);
  // Too little history to know its rhythm.
  assert.equal(relationshipStrength(touches([200]), NOW).cooling, false);
});

forEachDialect('relationship graph and warm introductions', (world) => {
  let scope: Scope;
  const ids: Record<string, string> = {};
  before(async () => {
    const { ctx } = world();
    scope = await makeBusiness(ctx);
    ids.ann = (await createUser(ctx, scope, { email: 'ann@example.com', name: 'Ann Rep', role: 'technician' })).id;
    ids.bob = (await createUser(ctx, scope, { email: 'bob@example.com', name: 'Bob Rep', role: 'technician' })).id;
    ids.cid = (await createUser(ctx, scope, { email: 'cid@example.com', name: 'Cid Rep', role: 'technician' })).id;
    ids.acme = (await companies.create(ctx, scope, { name: 'Acme Plaza' })).id;
    ids.other = (await companies.create(ctx, scope, { name: 'Other Co' })).id;
    ids.carla = (await createContact(ctx, scope, { name: 'Carla Acme', phone: '512-555-0111' })).id;
    ids.dan = (await createContact(ctx, scope, { name: 'Dan Acme', phone: '512-555-0112' })).id;
    await linkContactToCompany(ctx, scope, ids.carla, ids.acme, { title: 'Facilities' });
    await linkContactToCompany(ctx, scope, ids.dan, ids.acme, {});
    const at = (days: number) => new Date(world().clock.now().getTime() - days * DAY).toISOString();
    for (const [d, direction, kind] of [[3, 'outbound', 'sms'], [10, 'inbound', 'sms'], [17, 'outbound', 'call'], [24, 'inbound', 'sms'], [31, 'outbound', 'sms']] as const) {
      await interactions.create(ctx, scope, { contactId: ids.carla, kind, direction, userId: ids.ann, occurredAt: at(d), body: 'hello' });
    }
    await interactions.create(ctx, scope, { contactId: ids.dan, kind: 'email', direction: 'outbound', userId: ids.bob, occurredAt: at(200), subject: 'Quote', body: 'quote' });
  });

  test('who on the team knows someone at a company: best path with strengths, strongest first', async () => {
    const { data } = await introPaths(world().ctx, scope, { companyId: ids.acme });
    assert.deepEqual(data.map((p) => p.userId), [ids.ann, ids.bob], 'Cid knows nobody there');
    const [ann, bob] = data;
    assert.deepEqual(ann.path.map((n) => [n.type, n.id]), [['user', ids.ann], ['contact', ids.carla], ['company', ids.acme]]);
    assert.deepEqual(bob.path.map((n) => n.name), ['Bob Rep', 'Dan Acme', 'Acme Plaza']);
    assert.ok(ann.strength > bob.strength && bob.strength > 0, `${ann.strength} ${bob.strength}`);
    assert.deepEqual((await introPaths(world().ctx, scope, { companyId: ids.other })).data, []);
    assert.deepEqual((await introPaths(world().ctx, scope, { companyId: 'no-such-company' })).data, []);
    await assert.rejects(introPaths(world().ctx, scope, {}), (e: Error & { code?: string }) => e.code === 'VALIDATION_FAILED' && /companyId/.test(e.message));
  });

  test('a contact’s relationship with the business and each member, and going cold as time passes', async () => {
    const { data } = await contactRelationship(world().ctx, scope, ids.carla);
    assert.equal(data.team[0].userId, ids.ann);
    assert.equal(data.touches, 5);
    assert.equal(data.cooling, false);
    world().clock.advance(60 * DAY);
    const later = (await contactRelationship(world().ctx, scope, ids.carla)).data;
    assert.equal(later.cooling, true);
    assert.ok(later.strength < data.strength);
    await assert.rejects(contactRelationship(world().ctx, scope, ids.acme), /not found/);
  });
});
