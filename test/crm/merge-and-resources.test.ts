import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { createUser } from '../../src/access/users.ts';
import { createContact, getContact, listContacts } from '../../src/crm/contacts/contacts.ts';
import { findDuplicates, mergeContacts } from '../../src/crm/contacts/merge-contacts.ts';
import { contactTimeline } from '../../src/crm/contacts/timeline.ts';
import { companies, contactCompanies, linkContactToCompany } from '../../src/crm/companies/companies.ts';
import { deals } from '../../src/crm/deals/deals.ts';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { reviews } from '../../src/crm/reviews/reviews.ts';
import { tasks } from '../../src/crm/tasks/tasks.ts';
import { listEvents } from '../../src/crm/log.ts';
import { markDormantCustomers } from '../../src/worker/mark-dormant.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';

forEachDialect('CRM resources', (world) => {
  let scope: Scope;
  test('setup', async () => {
    scope = await makeBusiness(world().ctx);
  });

  test('deal stages: won/lost close the deal and emit their events', async () => {
    const { ctx } = world();
    const c = await createContact(ctx, scope, { name: 'Quote Person', phone: '+15125550111' });
    const d = await deals.create(ctx, scope, { contactId: c.id, title: 'Heat pump replacement', amountCents: 1_150_000, stage: 'quote_sent' });
    assert.equal(d.status, 'open');
    const won = await deals.update(ctx, scope, d.id, { stage: 'won', closeReason: 'financing approved' });
    assert.equal(won.status, 'won');
    assert.ok(won.closedAt);
    const types = (await listEvents(ctx, scope, { contactId: c.id })).data.map((e) => e.type);
    assert.ok(types.includes('deal.stage_changed'));
    assert.ok(types.includes('deal.won'));
    await assert.rejects(deals.create(ctx, scope, { title: 'x', amountCents: -5 }), { code: 'VALIDATION_FAILED' });
  });

  test('jobs: completing one stamps completed_at and makes the lead a customer; bad times are refused', async () => {
    const { ctx, clock } = world();
    const c = await createContact(ctx, scope, { name: 'Job Person' });
    const j = await jobs.create(ctx, scope, { contactId: c.id, serviceType: 'furnace_repair', scheduledStart: '2026-03-03T15:00:00Z', scheduledEnd: '2026-03-03T17:00:00Z' });
    assert.equal(j.status, 'scheduled');
    clock.advance(3_600_000);
    const done = await jobs.update(ctx, scope, j.id, { status: 'completed', amountCents: 48_000 });
    assert.equal(done.completedAt, clock.now().toISOString());
    assert.equal((await getContact(ctx, scope, c.id)).lifecycleStage, 'customer');
    await assert.rejects(jobs.update(ctx, scope, j.id, { scheduledEnd: '2026-03-03T14:00:00Z' }), { code: 'VALIDATION_FAILED' });
    await assert.rejects(jobs.create(ctx, scope, { contactId: 'nope', serviceType: 'x' }), { code: 'VALIDATION_FAILED' });
  });

  test('tasks and reviews follow their status transitions', async () => {
    const { ctx } = world();
    const owner = await createUser(ctx, scope, { email: `o-${scope.businessId}@example.com`, name: 'Owner', role: 'owner' });
    const t = await tasks.create(ctx, scope, { title: 'Call back about the quote', assigneeUserId: owner.id, dueAt: '2026-03-09T15:00:00Z' });
    const done = await tasks.update(ctx, scope, t.id, { status: 'done' });
    assert.ok(done.completedAt);
    const r = await reviews.create(ctx, scope, { platform: 'google' });
    assert.equal(r.status, 'requested');
    assert.ok(r.requestedAt);
    const got = await reviews.update(ctx, scope, r.id, { status: 'received', rating: 2, body: 'late' });
    assert.ok(got.receivedAt);
    await assert.rejects(reviews.create(ctx, scope, { rating: 6, status: 'received' }), { code: 'VALIDATION_FAILED' });
    const low = await reviews.list(ctx, scope, { maxRating: '2' });
    assert.deepEqual(low.data.map((x) => x.id), [r.id]);
  });

  test('merge moves history, unions identities and tags, keeps the richest stage', async () => {
    const { ctx } = world();
    const a = await createContact(ctx, scope, { firstName: 'Lee', lastName: 'Chan', phone: '+15125550177', tags: ['a'] });
    const b = await createContact(ctx, scope, { name: 'L. Chan', phone: '(512) 555-0177', email: 'lee@example.com', address: { city: 'Austin', region: 'TX' }, tags: ['b'] });
    const company = await companies.create(ctx, scope, { name: 'Chan Dental' });
    await linkContactToCompany(ctx, scope, b.id, company.id, { title: 'Owner' });
    await interactions.create(ctx, scope, { contactId: b.id, kind: 'sms', direction: 'inbound', body: 'Is Tuesday ok?' });
    await jobs.create(ctx, scope, { contactId: b.id, serviceType: 'maintenance', status: 'completed', amountCents: 15_000 });
    const dupes = await findDuplicates(ctx, scope);
    assert.ok(dupes.some((g) => g.matchedOn === 'phone' && g.contactIds.includes(a.id) && g.contactIds.includes(b.id)));
    const merged = await mergeContacts(ctx, scope, { survivorId: a.id, mergeIds: [b.id] });
    assert.equal(merged.email, 'lee@example.com');
    assert.equal(merged.lifecycleStage, 'customer');
    assert.deepEqual(merged.tags, ['a', 'b']);
    assert.equal(merged.address.city, 'Austin');
    assert.ok(merged.lastInteractionAt);
    await assert.rejects(getContact(ctx, scope, b.id), { code: 'NOT_FOUND' });
    const timeline = await contactTimeline(ctx, scope, a.id, {});
    assert.deepEqual(timeline.data.map((i) => i.type).sort(), ['interaction', 'job']);
    assert.equal((await contactCompanies(ctx, scope, a.id))[0].title, 'Owner');
    assert.equal((await listContacts(ctx, scope, { phone: '+15125550177' })).data.length, 1);
    await assert.rejects(mergeContacts(ctx, scope, { survivorId: a.id, mergeIds: [a.id] }), { code: 'VALIDATION_FAILED' });
  });

  test('the worker marks customers with no job in the dormancy window as dormant', async () => {
    const { ctx, clock } = world();
    const c = await createContact(ctx, scope, { name: 'Old Customer' });
    await jobs.create(ctx, scope, { contactId: c.id, serviceType: 'ac_repair', status: 'completed', completedAt: '2026-03-01T10:00:00Z' });
    assert.equal(await markDormantCustomers(ctx), 0);
    clock.set('2027-10-01T00:00:00Z');
    const moved = await markDormantCustomers(ctx);
    assert.ok(moved >= 1);
    assert.equal((await getContact(ctx, scope, c.id)).lifecycleStage, 'dormant');
    const events = (await listEvents(ctx, scope, { contactId: c.id, type: 'contact.stage_changed' })).data;
    assert.deepEqual(events.at(-1)?.payload, { contactId: c.id, from: 'customer', to: 'dormant' });
  });
});
