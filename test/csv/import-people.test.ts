import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createContact, getContact, listContacts } from '../../src/crm/contacts/contacts.ts';
import { findDuplicates } from '../../src/crm/contacts/merge-contacts.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { countRows, runImport } from './helpers.ts';

// Merging that respects people: shared lines, existing values, named merge targets, one spelling per source.
forEachDialect('csv import: households, offices and existing values', (world) => {
  test('two people sharing one phone stay two contacts; the second is reported as a possible duplicate; nothing of hers changes', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const maria = await createContact(ctx, s, { firstName: 'Maria', lastName: 'Lopez', phone: '+15125550900', email: 'maria@example.com', address: { line1: '9 Elm St', city: 'Austin', region: 'TX', postalCode: '78701' } });
    const csv = [
      'First Name,Last Name,Phone,Email,Zip',
      'Jose,Lopez,512-555-0900,jose@example.com,78702', // line 2: her husband on the house line
      'M.,Lopez,(512) 555-0900,,78799', // line 3: her, written differently: merged, her ZIP kept
      'Jose,Lopez,,JOSE@example.com,', // line 4: him again, by email
    ].join('\n');
    const r = await runImport(ctx, s, 'contacts', csv);
    assert.deepEqual({ created: r.created, merged: r.merged, rejected: r.rejected }, { created: 1, merged: 2, rejected: 0 });
    assert.equal(await countRows(ctx, 'contacts', s.businessId), 2);
    const after = await getContact(ctx, s, maria.id);
    assert.deepEqual(after.emails.map((e) => e.address), ['maria@example.com'], 'his email is not added to her record');
    assert.equal(after.address.postalCode, '78701', 'her ZIP is not replaced');
    assert.equal(after.name, 'Maria Lopez');
    const jose = (await listContacts(ctx, s, { email: 'jose@example.com' })).data[0];
    assert.equal(jose.name, 'Jose Lopez');
    assert.equal(jose.phone, '+15125550900', 'linked to the same number');
    assert.equal(jose.address.postalCode, '78702');
    assert.deepEqual(r.possibleDuplicates, [{ row: 2, contactId: jose.id, name: 'Jose Lopez', sharesPhoneWith: { contactId: maria.id, name: 'Maria Lopez' } }]);
    assert.deepEqual(
      r.merges.map((m) => [m.row, m.contactId, m.name, m.matchedOn, m.existing]),
      [
        [3, maria.id, 'Maria Lopez', 'phone', true],
        [4, jose.id, 'Jose Lopez', 'email', false],
      ],
    );
    const groups = await findDuplicates(ctx, s);
    assert.deepEqual(groups.map((g) => [g.matchedOn, g.value, [...g.contactIds].sort()]), [['phone', '+15125550900', [maria.id, jose.id].sort()]]);

    // A second import of the same file changes nothing: each row finds its own person.
    const before = [await getContact(ctx, s, maria.id), await getContact(ctx, s, jose.id)];
    const again = await runImport(ctx, s, 'contacts', csv);
    assert.deepEqual({ created: again.created, merged: again.merged, possibleDuplicates: again.possibleDuplicates.length }, { created: 0, merged: 3, possibleDuplicates: 0 });
    assert.deepEqual([await getContact(ctx, s, maria.id), await getContact(ctx, s, jose.id)], before);
  });

  test('an office line: three people at one front-desk number are three contacts; a row with no name merges into the first', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const csv = ['Name,Phone', 'Dr. Ana Ruiz,512-555-0950', 'Ben Okafor,512-555-0950', 'Cara Singh,512-555-0950', ',512-555-0950', 'Ben Okafor,512-555-0950'].join('\n');
    const r = await runImport(ctx, s, 'contacts', csv);
    assert.deepEqual({ created: r.created, merged: r.merged }, { created: 3, merged: 2 });
    assert.equal(r.possibleDuplicates.length, 2);
    assert.deepEqual(r.merges.map((m) => [m.row, m.name]), [[5, 'Dr. Ana Ruiz'], [6, 'Ben Okafor']]);
  });

  test('the preview (dry run) names the same merge targets and writes nothing', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const dana = await createContact(ctx, s, { firstName: 'Dana', lastName: 'Reyes', phone: '+15125550960' });
    const csv = 'Name,Phone,Email\nDana Reyes,512-555-0960,dana@example.com\nSam Ortiz,512-555-0960,\n';
    const dry = await runImport(ctx, s, 'contacts', csv, { dryRun: true });
    assert.deepEqual(dry.merges.map((m) => [m.row, m.contactId, m.name]), [[2, dana.id, 'Dana Reyes']]);
    assert.equal(dry.possibleDuplicates[0].sharesPhoneWith.name, 'Dana Reyes');
    assert.equal(await countRows(ctx, 'contacts', s.businessId), 1);
  });

  test('existing values are kept unless the import says --update-existing; empty ones are filled either way', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const c = await createContact(ctx, s, { firstName: 'Lee', lastName: 'Park', phone: '+15125550970', source: 'referral', address: { postalCode: '78701' }, customFields: { unit: 'Trane' } });
    const csv = 'First Name,Last Name,Phone,Zip,Lead Source,Stage,custom.unit,custom.floor\nLee,Park-Kim,512-555-0970,78745,website,customer,Lennox,2\n';
    await runImport(ctx, s, 'contacts', csv);
    const kept = await getContact(ctx, s, c.id);
    assert.deepEqual(
      { last: kept.lastName, zip: kept.address.postalCode, source: kept.source, stage: kept.lifecycleStage, custom: kept.customFields },
      { last: 'Park', zip: '78701', source: 'referral', stage: 'lead', custom: { unit: 'Trane', floor: '2' } },
    );
    await runImport(ctx, s, 'contacts', csv, { updateExisting: true });
    const updated = await getContact(ctx, s, c.id);
    assert.deepEqual(
      { last: updated.lastName, zip: updated.address.postalCode, source: updated.source, stage: updated.lifecycleStage, custom: updated.customFields },
      { last: 'Park-Kim', zip: '78745', source: 'website', stage: 'customer', custom: { unit: 'Lennox', floor: '2' } },
    );
  });

  test('sources are spelled the way the business already spells them', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    await createContact(ctx, s, { name: 'Old', phone: '+15125550980', source: 'website' });
    await createContact(ctx, s, { name: 'Older', phone: '+15125550981', source: 'google_ads' });
    const csv = 'Name,Phone,Source\nA,512-555-0982,Website\nB,512-555-0983,  WEBSITE \nC,512-555-0984,Google Ads\nD,512-555-0985,Yard  Sign\nE,512-555-0986,yard sign\n';
    await runImport(ctx, s, 'contacts', csv);
    const sources = (await listContacts(ctx, s, { limit: '50' })).data.map((c) => [c.name, c.source]).sort();
    assert.deepEqual(sources, [['A', 'website'], ['B', 'website'], ['C', 'google_ads'], ['D', 'Yard Sign'], ['E', 'Yard Sign'], ['Old', 'website'], ['Older', 'google_ads']]);
  });
});

// Emails and phones as the world writes them; files as Excel writes them.
forEachDialect('csv import: real-world values and files', (world) => {
  test('internationalised emails, phones with extensions, tel: and several numbers in one cell', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const csv = [
      'Name,Phone,Other Phones,Email',
      'José Martínez,tel:+1-512-555-1001,"512-555-1002 x23 / (737) 555-1003",josé.martinez@example.com',
      'Info Bücher,512.555.1004 ext. 7,,info@Bücher.de',
      'Mei,"(512) 555-1005 (cell), 512-555-1006 (home)",,用户@例子.广告',
    ].join('\n');
    const r = await runImport(ctx, s, 'contacts', csv);
    assert.deepEqual({ created: r.created, rejected: r.rejected, warnings: r.warnings }, { created: 3, rejected: 0, warnings: 0 }, r.errorsCsv);
    const jose = (await listContacts(ctx, s, { email: 'josé.martinez@example.com' })).data[0];
    assert.deepEqual(jose.phones, [{ number: '+15125551001' }, { number: '+15125551002', label: 'ext. 23' }, { number: '+17375551003' }]);
    const info = (await listContacts(ctx, s, { phone: '+15125551004' })).data[0];
    assert.equal(info.email, 'info@bücher.de');
    assert.deepEqual(info.phones, [{ number: '+15125551004', label: 'ext. 7' }]);
    const mei = (await listContacts(ctx, s, { phone: '+15125551006' })).data[0];
    assert.deepEqual(mei.phones, [{ number: '+15125551005', label: 'mobile' }, { number: '+15125551006', label: 'home' }]);
    assert.equal(mei.email, '用户@例子.广告');
  });

  test('a file mixing the problems: Windows-1252, a bare quote, unknown stages, Unicode emails, extra phone columns — every usable person, each dropped value reported', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const text = [
      'First Name;Last Name;Email;Phone Number;Mobile Phone Number;Lifecycle Stage;Create Date',
      'Renée;Dubois;renée@example.com;512-555-1101;512-555-1102;subscriber;2024-03-14 10:22',
      'Tom;"The Hammer" Ortiz;tom@example.com;512-555-1103;not a phone;marketingqualifiedlead;yesterday',
      'Ana;Lee 5" pipe;;512-555-1104;;opportunity;',
      'Zoë;Kim;zoë@exämple.com;;;wizard;',
      ';;;;;customer;',
    ].join('\r\n');
    const r = await runImport(ctx, s, 'contacts', Buffer.from(text, 'latin1'));
    assert.equal(r.encoding, 'windows-1252');
    assert.equal(r.delimiter, ';');
    assert.deepEqual({ rows: r.rows, created: r.created, rejected: r.rejected, warnings: r.warnings }, { rows: 5, created: 4, rejected: 1, warnings: 2 });
    const byRow = new Map<number, string[]>();
    for (const w of r.warningsSample) byRow.set(w.row, [...(byRow.get(w.row) ?? []), w.warning]);
    assert.deepEqual([...byRow.keys()], [3, 5]);
    assert.deepEqual(byRow.get(3), ['Mobile Phone Number: "not a phone" is not a valid phone number', 'Create Date: "yesterday" is not a date/time (e.g. 2026-03-14T14:30:00Z, 2026-03-14 14:30 or 3/14/2026 2:30 PM)']);
    assert.match(byRow.get(5)![0], /^Lifecycle Stage: "wizard" is not a lifecycle stage/);
    assert.deepEqual(r.errorsSample, [{ row: 6, error: 'a contact needs at least a name, a phone or an email' }]);
    const renee = (await listContacts(ctx, s, { email: 'renée@example.com' })).data[0];
    assert.equal(renee.name, 'Renée Dubois');
    assert.deepEqual(renee.phones, [{ number: '+15125551101' }, { number: '+15125551102', label: 'mobile' }]);
    assert.equal(renee.lifecycleStage, 'lead');
    assert.equal(renee.createdAt, '2024-03-14T15:22:00.000Z', 'the created date (Chicago time) is when the business first saw her');
    const ana = (await listContacts(ctx, s, { phone: '+15125551104' })).data[0];
    assert.equal(ana.lastName, 'Lee 5" pipe');
    const tom = (await listContacts(ctx, s, { email: 'tom@example.com' })).data[0];
    assert.equal(tom.lastName, '"The Hammer" Ortiz');
    assert.equal((await listContacts(ctx, s, { email: 'zoë@exämple.com' })).data[0].name, 'Zoë Kim');
    const errors = parse(r.errorsCsv, { delimiter: ',', relax_column_count: true }) as string[][];
    assert.deepEqual(errors.slice(1).map((row) => row[7]), ['3', '5', '6']);
  });

  test('UTF-16 without a byte-order mark and tab-delimited files are read', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const r = await runImport(ctx, s, 'contacts', Buffer.from('Name\tPhone\nZoë\t512-555-1201\n', 'utf16le'));
    assert.deepEqual([r.encoding, r.delimiter, r.created], ['utf-16le', '\t', 1]);
    assert.equal((await listContacts(ctx, s, {})).data[0].name, 'Zoë');
  });

  test('row numbers in the report are the file\'s line numbers, with CRLF, quoted line breaks and blank lines', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const text = ['Name,Phone', 'A,512-555-1301', '', '"B', 'two lines",512-555-1302', 'C,512-555-1303', '', '', ',', 'Nobody,,x', ',bad'].join('\r\n');
    const r = await runImport(ctx, s, 'contacts', text);
    assert.deepEqual(r.errorsSample.map((e) => e.row), [10, 11]);
  });
});
