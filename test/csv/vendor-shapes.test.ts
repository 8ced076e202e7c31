import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import { getContact, listContacts } from '../../src/crm/contacts/contacts.ts';
import type { Contact } from '../../src/crm/contacts/schema.ts';
import { importCsv } from '../../src/crm/csv/import.ts';
import { detectShape } from '../../src/crm/csv/shapes.ts';
import type { Scope } from '../../src/context.ts';
import type { TestWorld } from '../helpers/db.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { csvInput, runImport } from './helpers.ts';

// Exports written from each vendor's documented export columns and values (test/csv/fixtures).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

interface Expected {
  file: string;
  shape: string;
  counts: { rows: number; created: number; merged: number; warnings: number; rejected: number; possibleDuplicates: number };
}

const vendors: Expected[] = [
  { file: 'hubspot-contacts.csv', shape: 'hubspot-contacts', counts: { rows: 10, created: 8, merged: 1, warnings: 2, rejected: 1, possibleDuplicates: 1 } },
  { file: 'jobber-clients.csv', shape: 'jobber-clients', counts: { rows: 4, created: 3, merged: 0, warnings: 0, rejected: 1, possibleDuplicates: 0 } },
  { file: 'housecall-pro-customers.csv', shape: 'housecall-pro-customers', counts: { rows: 4, created: 3, merged: 0, warnings: 0, rejected: 1, possibleDuplicates: 1 } },
  { file: 'servicetitan-customers.csv', shape: 'servicetitan-customers', counts: { rows: 3, created: 3, merged: 0, warnings: 1, rejected: 0, possibleDuplicates: 0 } },
  { file: 'gohighlevel-contacts.csv', shape: 'gohighlevel-contacts', counts: { rows: 4, created: 3, merged: 0, warnings: 0, rejected: 1, possibleDuplicates: 1 } },
];

const everyone = async (w: TestWorld, s: Scope): Promise<Contact[]> => {
  const page = await listContacts(w.ctx, s, { limit: '500' });
  return Promise.all(page.data.map((c) => getContact(w.ctx, s, c.id)));
};

forEachDialect('vendor export shapes', (world) => {
  for (const v of vendors) {
    test(`${v.file}: recognised as ${v.shape}, imported with the expected counts; a second import changes nothing`, async () => {
      const w = world();
      const s = await makeBusiness(w.ctx);
      await createUser(w.ctx, s, { email: `pat-${s.businessId.slice(-12)}@example.com`, name: 'Pat Manager', role: 'manager', password: 'long enough pw' });
      const first = await runImport(w.ctx, s, 'contacts', fixture(v.file));
      assert.equal(first.shape, v.shape);
      const counts = { rows: first.rows, created: first.created, merged: first.merged, warnings: first.warnings, rejected: first.rejected, possibleDuplicates: first.possibleDuplicates.length };
      assert.deepEqual(counts, v.counts, `${first.errorsCsv}\n${JSON.stringify(first.unmappedColumns)}`);
      const before = await everyone(w, s);
      const second = await runImport(w.ctx, s, 'contacts', fixture(v.file));
      assert.deepEqual(
        { created: second.created, merged: second.merged, rejected: second.rejected, possibleDuplicates: second.possibleDuplicates.length },
        { created: 0, merged: v.counts.created + v.counts.merged, rejected: v.counts.rejected, possibleDuplicates: 0 },
      );
      assert.deepEqual(await everyone(w, s), before, 'the second import changed nothing');
    });
  }

  test('HubSpot: stages, lead status, sources, owner, first-seen dates, labelled phones and the household are read as HubSpot writes them', async () => {
    const w = world();
    const s = await makeBusiness(w.ctx);
    const pat = await createUser(w.ctx, s, { email: `pat-${s.businessId.slice(-12)}@example.com`, name: 'Pat Manager', role: 'manager', password: 'long enough pw' });
    const r = await runImport(w.ctx, s, 'contacts', fixture('hubspot-contacts.csv'));
    assert.equal(r.unmappedColumns.length, 0, `every HubSpot column is mapped: ${r.unmappedColumns.join(', ')}`);
    const by = async (email: string) => (await listContacts(w.ctx, s, { email })).data[0];
    const maria = await by('maria.lopez@example.com');
    assert.deepEqual([maria.lifecycleStage, maria.source, maria.ownerUserId, maria.createdAt, maria.address.country], ['customer', 'offline', pat.id, '2023-05-02T14:15:00.000Z', 'US']);
    const jose = (await listContacts(w.ctx, s, { phone: '+17375552002' })).data[0];
    assert.deepEqual(jose.phones, [{ number: '+15125552001' }, { number: '+17375552002', label: 'mobile' }]);
    assert.deepEqual([jose.name, jose.lifecycleStage, jose.source, jose.customFields.leadStatus], ['Jose Lopez', 'lead', 'organic_search', 'New']);
    assert.deepEqual(r.possibleDuplicates.map((d) => [d.row, d.name, d.sharesPhoneWith.name]), [[3, 'Jose Lopez', 'Maria Lopez']]);
    assert.equal((await by('josé.martinez@example.com')).lifecycleStage, 'lead');
    const dana = await by('dana.reyes@example.com');
    assert.deepEqual([dana.phones[0], dana.source, dana.customFields.company], [{ number: '+15125552004', label: 'ext. 12' }, 'website', 'Live Oak Property Management']);
    assert.deepEqual([(await by('lee.park@example.com')).lifecycleStage, (await by('sam.ortiz@example.com')).source], ['customer', 'referral']);
    const chris = await by('chris.nguyen@example.com');
    assert.deepEqual([chris.lifecycleStage, chris.phone, chris.createdAt], ['lead', '+15125552010', '2024-05-06T16:11:00.000Z']);
    const warnings = r.warningsSample.map((x) => `${x.row}: ${x.warning}`);
    assert.deepEqual(warnings, [
      '7: Contact owner: "Former Rep" is not a user of this business (give their email or name, or map the column to "ignore")',
      '8: Email: "ana.ruiz@example" is not a valid email address',
      '8: Lifecycle Stage: "Other" is not a lifecycle stage (lead, customer, dormant, lost); the contact gets the default',
      '8: Create Date: "2024-13-45 10:00" is not a date/time (e.g. 2026-03-14T14:30:00Z, 2026-03-14 14:30 or 3/14/2026 2:30 PM)',
    ]);
    assert.deepEqual(r.errorsSample, [{ row: 9, error: 'a contact needs at least a name, a phone or an email' }]);
  });

  test('Jobber, Housecall Pro, ServiceTitan and GoHighLevel columns land where they belong', async () => {
    const w = world();
    const s = await makeBusiness(w.ctx);
    for (const f of ['jobber-clients.csv', 'housecall-pro-customers.csv', 'servicetitan-customers.csv', 'gohighlevel-contacts.csv']) await runImport(w.ctx, s, 'contacts', fixture(f));
    const byPhone = async (phone: string) => (await listContacts(w.ctx, s, { phone })).data[0];
    const karen = await byPhone('+15125553002');
    assert.deepEqual([karen.name, karen.phones.map((p) => p.number), karen.tags, karen.source, karen.createdAt.slice(0, 10)], ['Karen Wu', ['+15125553001', '+15125553002'], ['maintenance plan', 'vip'], 'Google', '2024-03-14']);
    const diner = await byPhone('+15125553004');
    assert.deepEqual([diner.name, diner.emails.map((e) => e.address), diner.phones.find((p) => p.number === '+15125553004')?.label, diner.address.line2], ['Bluebonnet Diner', ['tom@bluebonnet.example', 'office@bluebonnet.example'], 'work ext. 204', 'Suite 120']);
    const omar = await byPhone('+15125554001');
    assert.deepEqual([omar.phones, omar.tags, omar.source], [[{ number: '+15125554001', label: 'mobile' }, { number: '+15125554002', label: 'home' }], ['repeat', 'water heater'], 'Nextdoor']);
    const isd = await byPhone('+15125555003');
    assert.deepEqual([isd.name, isd.customFields.customerType, isd.customFields.balance, isd.source], ['Austin ISD - Facilities', 'Commercial', '1,250.00', 'Direct Mail']);
    assert.equal((await byPhone('+15125555004')).source, 'Google LSA', 'one spelling per source');
    const nina = await byPhone('+17375556002');
    assert.deepEqual([nina.name, nina.emails.length, nina.source, nina.createdAt], ['Nina Patel', 2, 'Facebook Ads', '2024-03-14T15:22:00.000Z']);
  });

  test('--format forces a shape; an unknown format or one without that entity is a clear 4xx error', async () => {
    const w = world();
    const s = await makeBusiness(w.ctx);
    const r = await runImport(w.ctx, s, 'contacts', 'Name,Phone Number,Mobile Phone Number\nAl Fox,512-555-7001,512-555-7002\n', { format: 'hubspot' });
    assert.equal(r.shape, 'hubspot-contacts');
    assert.equal(detectShape('contacts', ['Name', 'Phone']), null, 'an unknown shape keeps the automatic mapping');
    await assert.rejects(importCsv(w.ctx, s, { entity: 'contacts', input: csvInput('Name\nA\n'), format: 'salesforce' as never }), { code: 'BAD_REQUEST', message: /unknown format "salesforce"/ });
    await assert.rejects(importCsv(w.ctx, s, { entity: 'interactions', input: csvInput('Phone,Type\n5125557003,call\n'), format: 'jobber' }), { code: 'BAD_REQUEST', message: /format "jobber" has no interactions export shape/ });
  });
});
