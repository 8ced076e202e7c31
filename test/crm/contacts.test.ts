import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContact, getContact, listContacts, updateContact, deleteContact } from '../../src/crm/contacts/contacts.ts';
import { recordConsent } from '../../src/crm/contacts/consent.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import type { Scope } from '../../src/context.ts';

forEachDialect('contacts', (world) => {
  let scope: Scope;
  test('setup business', async () => {
    scope = await makeBusiness(world().ctx);
  });

  test('creates a lead with normalised phone/email, derived time zone and events', async () => {
    const { ctx, db } = world();
    const c = await createContact(ctx, scope, {
      firstName: 'Dana',
      lastName: 'Reyes',
      phone: '(310) 555-0142',
      email: '  Dana.Reyes@Example.COM ',
      tags: ['VIP', 'vip', 'furnace'],
      source: 'google_ads',
    });
    assert.equal(c.name, 'Dana Reyes');
    assert.equal(c.phone, '+13105550142');
    assert.equal(c.email, 'dana.reyes@example.com');
    assert.equal(c.timeZone, 'America/Los_Angeles');
    assert.equal(c.timeZoneSource, 'phone');
    assert.deepEqual(c.tags, ['furnace', 'vip']);
    assert.equal(c.lifecycleStage, 'lead');
    const events = await db.kysely.selectFrom('events').select(['type', 'contact_id']).where('contact_id', '=', c.id).orderBy('seq').execute();
    assert.deepEqual(events.map((e) => e.type), ['contact.created', 'lead.created']);
  });

  test('postal code beats area code for the time zone', async () => {
    const c = await createContact(world().ctx, scope, { name: 'Sam', phone: '+13105550100', address: { postalCode: '10001', region: 'NY' } });
    assert.equal(c.timeZone, 'America/New_York');
    assert.equal(c.timeZoneSource, 'postal_code');
  });

  test('rejects an invalid phone naming the field, and stores nothing', async () => {
    const { ctx, db } = world();
    const before = await db.kysely.selectFrom('contacts').select(db.kysely.fn.countAll().as('n')).executeTakeFirstOrThrow();
    await assert.rejects(createContact(ctx, scope, { name: 'Bad', phones: ['+1 555', { number: 'abc' }] }), (err: Error & { code?: string; details?: { issues: Array<{ field: string }> } }) => {
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.equal(err.details?.issues[0].field, 'phones.0');
      return true;
    });
    const afterCount = await db.kysely.selectFrom('contacts').select(db.kysely.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  test('updates fields, tags and stage, emitting stage_changed', async () => {
    const { ctx, db } = world();
    const c = await createContact(ctx, scope, { name: 'Pat Lee', email: 'pat@example.com', tags: ['a'] });
    const u = await updateContact(ctx, scope, c.id, { lifecycleStage: 'customer', addTags: ['b'], removeTags: ['a'], customFields: { unit: 'Carrier 2019' } });
    assert.equal(u.lifecycleStage, 'customer');
    assert.deepEqual(u.tags, ['b']);
    assert.deepEqual(u.customFields, { unit: 'Carrier 2019' });
    const types = (await db.kysely.selectFrom('events').select('type').where('contact_id', '=', c.id).orderBy('seq').execute()).map((e) => e.type);
    assert.deepEqual(types, ['contact.created', 'lead.created', 'contact.updated', 'contact.stage_changed']);
    const audit = await db.kysely.selectFrom('audit_log').selectAll().where('entity_id', '=', c.id).where('action', '=', 'update').executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(audit.changes).lifecycleStage, { from: 'lead', to: 'customer' });
  });

  test('lists with filters, search and cursor pagination', async () => {
    const { ctx } = world();
    for (let i = 0; i < 7; i++) await createContact(ctx, scope, { name: `Pager ${i}`, source: 'pager', phone: `+1512555${String(1000 + i)}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listContacts(ctx, scope, { source: 'pager', limit: '3', ...(cursor ? { cursor } : {}) });
      seen.push(...page.data.map((c) => c.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.equal(seen.length, 7);
    assert.equal(new Set(seen).size, 7);
    assert.equal(seen[0], 'Pager 6');
    const byDigits = await listContacts(ctx, scope, { q: '(512) 555-1003' });
    assert.deepEqual(byDigits.data.map((c) => c.name), ['Pager 3']);
    const byPhone = await listContacts(ctx, scope, { phone: '512-555-1004' });
    assert.deepEqual(byPhone.data.map((c) => c.name), ['Pager 4']);
    const byName = await listContacts(ctx, scope, { q: 'pager 5' });
    assert.deepEqual(byName.data.map((c) => c.name), ['Pager 5']);
    const tagged = await listContacts(ctx, scope, { tag: 'vip' });
    assert.deepEqual(tagged.data.map((c) => c.name), ['Dana Reyes']);
  });

  test('consent history: the latest record wins', async () => {
    const { ctx, clock } = world();
    const c = await createContact(ctx, scope, { name: 'Opt', phone: '+15125559999', consent: [{ channel: 'sms', status: 'granted', method: 'web_form', evidence: 'form #12' }] });
    assert.equal(c.consent.sms.status, 'granted');
    clock.advance(60_000);
    await recordConsent(ctx, scope, c.id, { channel: 'sms', status: 'revoked', method: 'sms_keyword', evidence: 'STOP' });
    const again = await getContact(ctx, scope, c.id);
    assert.equal(again.consent.sms.status, 'revoked');
    assert.equal(again.consent.email.status, 'unknown');
  });

  test('another business cannot see or change the contact', async () => {
    const { ctx } = world();
    const other = await makeBusiness(ctx);
    const c = await createContact(ctx, scope, { name: 'Private' });
    await assert.rejects(getContact(ctx, other, c.id), { code: 'NOT_FOUND' });
    await assert.rejects(updateContact(ctx, other, c.id, { name: 'x' }), { code: 'NOT_FOUND' });
    await assert.rejects(deleteContact(ctx, other, c.id), { code: 'NOT_FOUND' });
    assert.equal((await listContacts(ctx, other, {})).data.length, 0);
    await deleteContact(ctx, scope, c.id);
    await assert.rejects(getContact(ctx, scope, c.id), { code: 'NOT_FOUND' });
  });
});
