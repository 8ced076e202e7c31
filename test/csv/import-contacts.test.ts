import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Scope } from '../../src/context.ts';
import { createContact, getContact, listContacts } from '../../src/crm/contacts/contacts.ts';
import { importCsv } from '../../src/crm/csv/import.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { countRows, csvInput, runImport } from './helpers.ts';

const header = 'First Name,Last Name,Mobile,Email,Zip,Tags,Notes,SMS Consent,custom.unit\n';

forEachDialect('csv import: contacts', (world) => {
  let scope: Scope;
  test('setup business', async () => {
    scope = await makeBusiness(world().ctx);
  });

  test('creates contacts with normalised phones/emails, tags, custom fields, consent and a note; no lead.created events', async () => {
    const { ctx } = world();
    const r = await runImport(ctx, scope, 'contacts', `${header}Dana,Reyes,(310) 555-0142,Dana.Reyes@Example.COM,90210,"VIP; furnace",Prefers mornings,yes,Carrier 2019\nSam,Ortiz,512.555.0100,,,,,,\n`);
    assert.deepEqual({ rows: r.rows, created: r.created, merged: r.merged, rejected: r.rejected }, { rows: 2, created: 2, merged: 0, rejected: 0 });
    assert.equal(r.mapping.Mobile, 'phone');
    assert.equal(r.mapping['custom.unit'], 'custom.unit');
    const dana = (await listContacts(ctx, scope, { phone: '+13105550142' })).data[0];
    assert.equal(dana.name, 'Dana Reyes');
    assert.equal(dana.phone, '+13105550142');
    assert.equal(dana.email, 'dana.reyes@example.com');
    assert.deepEqual(dana.tags, ['furnace', 'vip']);
    assert.deepEqual(dana.customFields, { unit: 'Carrier 2019' });
    assert.equal(dana.address.postalCode, '90210');
    assert.equal(dana.timeZone, 'America/Los_Angeles');
    assert.equal(dana.consent.sms.status, 'granted');
    assert.equal(dana.consent.sms.method, 'import');
    assert.equal(dana.lifecycleStage, 'lead');
    const note = await ctx.db.kysely.selectFrom('interactions').selectAll().where('business_id', '=', scope.businessId).where('contact_id', '=', dana.id).executeTakeFirstOrThrow();
    assert.equal(note.kind, 'note');
    assert.equal(note.body, 'Prefers mornings');
    assert.equal(await countRows(ctx, 'events', scope.businessId), 0, 'an import emits no domain events');
    const audit = await ctx.db.kysely.selectFrom('audit_log').selectAll().where('business_id', '=', scope.businessId).where('action', '=', 'import').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0].entity_type, 'contacts');
    assert.equal(audit[0].entity_id, r.importId);
    assert.deepEqual({ ...JSON.parse(audit[0].changes), mapping: undefined }, { status: 'completed', rows: 2, created: 2, merged: 0, rejected: 0, warnings: 0, contactsCreated: 2, mapping: undefined, shape: null });
  });

  test('explicit mapping overrides the automatic one', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const csv = 'Client,Phone,Best Number,Gate\nPat Lee,(512) 555-0111,(512) 555-0122,1234#\n';
    const r = await runImport(ctx, s, 'contacts', csv, { mapping: { Client: 'name', Phone: 'ignore', 'Best Number': 'phone', Gate: 'custom.gate_code' } });
    assert.deepEqual(r.mapping, { Client: 'name', 'Best Number': 'phone', Gate: 'custom.gate_code' });
    const [c] = (await listContacts(ctx, s, {})).data;
    assert.equal(c.name, 'Pat Lee');
    assert.equal(c.phone, '+15125550122');
    assert.deepEqual(c.phones.map((p) => p.number), ['+15125550122']);
    assert.deepEqual(c.customFields, { gate_code: '1234#' });
  });

  test('dedupes within the file and against stored contacts: merges, never duplicates', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const existing = await createContact(ctx, s, { firstName: 'Maria', phone: '+15125550199', tags: ['old'], source: 'website', customFields: { unit: 'Trane' } });
    const csv = [
      'Name,Last Name,Phone,Email,Tags,Lead Source,custom.unit,custom.floor',
      'Ignored Name,Garcia,512-555-0199,maria@example.com,new,google_ads,Lennox,2', // matches the stored contact by phone
      'Tom,,(737) 555-0101,tom@example.com,,,,',
      'Tommy,,,TOM@example.com,vip,,,', // same as the row above, by email
      'Maria G,,,maria@example.com,,,,', // matches the stored contact through the email the first row added
    ].join('\n');
    const r = await runImport(ctx, s, 'contacts', csv, { batchSize: 2 }); // across batch boundaries too
    assert.deepEqual({ created: r.created, merged: r.merged, rejected: r.rejected }, { created: 1, merged: 3, rejected: 0 });
    assert.equal(await countRows(ctx, 'contacts', s.businessId), 2);
    const maria = await getContact(ctx, s, existing.id);
    assert.equal(maria.firstName, 'Maria', 'existing values are kept');
    assert.equal(maria.lastName, 'Garcia', 'empty fields are filled');
    assert.equal(maria.name, 'Maria Garcia');
    assert.equal(maria.source, 'website');
    assert.deepEqual(maria.emails.map((e) => e.address), ['maria@example.com']);
    assert.deepEqual(maria.tags, ['new', 'old']);
    assert.deepEqual(maria.customFields, { unit: 'Trane', floor: '2' });
    const tom = (await listContacts(ctx, s, { email: 'tom@example.com' })).data;
    assert.equal(tom.length, 1);
    assert.equal(tom[0].name, 'Tom');
    assert.deepEqual(tom[0].tags, ['vip']);
    // The identities follow: a lookup by the merged email finds Maria.
    assert.deepEqual((await listContacts(ctx, s, { email: 'maria@example.com' })).data.map((c) => c.id), [existing.id]);
  });

  test('re-importing the same file changes nothing', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const csv = `${header}Dana,Reyes,(310) 555-0142,dana@example.com,90210,vip,Note A,yes,X\n`;
    await runImport(ctx, s, 'contacts', csv);
    const before = await getContact(ctx, s, (await listContacts(ctx, s, {})).data[0].id);
    const again = await runImport(ctx, s, 'contacts', csv);
    assert.deepEqual({ created: again.created, merged: again.merged }, { created: 0, merged: 1 });
    const after = await getContact(ctx, s, before.id);
    assert.deepEqual(after, before);
    assert.equal(await countRows(ctx, 'interactions', s.businessId), 1, 'the same note is not added twice');
    assert.equal(await countRows(ctx, 'consents', s.businessId), 1, 'the same consent is not recorded twice');
  });

  test('an import never re-grants consent the contact revoked, but a revocation is recorded', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const a = await createContact(ctx, s, { name: 'A', phone: '+15125550301', consent: [{ channel: 'sms', status: 'revoked', method: 'sms_keyword' }] });
    const b = await createContact(ctx, s, { name: 'B', phone: '+15125550302', consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    await runImport(ctx, s, 'contacts', 'Phone,SMS Opt In\n5125550301,yes\n5125550302,no\n');
    assert.equal((await getContact(ctx, s, a.id)).consent.sms.status, 'revoked');
    assert.equal((await getContact(ctx, s, b.id)).consent.sms.status, 'revoked');
  });

  test('dry run writes nothing and reports the same counts as the real run', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    await createContact(ctx, s, { name: 'Stored', phone: '+15125550400' });
    const csv = ['Name,Phone,Email', 'A,512-555-0401,a@example.com', 'A again,,A@example.com', 'Stored,(512) 555-0400,', 'Bad,123,', 'B,512-555-0402,', ',123,'].join('\n');
    const counts = async () => Promise.all((['contacts', 'contact_identities', 'contact_tags', 'audit_log', 'consents', 'interactions'] as const).map((t) => countRows(ctx, t, s.businessId)));
    const before = await counts();
    const dry = await runImport(ctx, s, 'contacts', csv, { dryRun: true, batchSize: 2 });
    assert.deepEqual(await counts(), before);
    assert.equal(dry.dryRun, true);
    const real = await runImport(ctx, s, 'contacts', csv, { batchSize: 2 });
    const pick = (r: typeof dry) => ({ rows: r.rows, created: r.created, merged: r.merged, rejected: r.rejected, warnings: r.warnings, errors: r.errorsSample, warningsSample: r.warningsSample, errorsCsv: r.errorsCsv });
    assert.deepEqual(pick(dry), pick(real));
    // "Bad" keeps its name and loses the phone; the last row has nothing usable.
    assert.deepEqual({ created: real.created, merged: real.merged, rejected: real.rejected, warnings: real.warnings }, { created: 3, merged: 2, rejected: 1, warnings: 1 });
  });

  test('a row is rejected only when nothing usable is left; values that cannot be used are dropped with a warning in the errors CSV', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const csv = [
      'Name,Phone,Email,Stage',
      'Good One,512-555-0501,good@example.com,customer', // line 2
      'Bad Phone,555-12,,', // line 3: imported without the phone
      'Bad Email,,not-an-email,', // line 4: imported without the email
      ',,,', // line 5: blank, skipped
      'No Identity,,,', // line 6: a name is enough
      'Bad Stage,512-555-0502,,vip', // line 7: imported as a lead
      '"Multi',
      'Line",512-555-0503,,,extra', // lines 8-9: one column too many → rejected
      'Short,512-555-0504', // line 10: the missing cells are empty
      ',,,lead', // line 11: nothing to identify the contact → rejected
      'Formula,"=HYPERLINK(""x"")",,', // line 12: imported without the "phone"
      ',555-12,not-an-email,', // line 13: nothing usable → rejected, with every reason
    ].join('\n');
    const r = await runImport(ctx, s, 'contacts', csv);
    assert.deepEqual({ rows: r.rows, created: r.created, rejected: r.rejected, warnings: r.warnings }, { rows: 10, created: 7, rejected: 3, warnings: 5 });
    const rows = parse(r.errorsCsv, { relax_column_count: true }) as string[][];
    assert.deepEqual(rows[0], ['Name', 'Phone', 'Email', 'Stage', '_row', '_error']);
    const byLine = Object.fromEntries(rows.slice(1).map((row) => [row[4], row]));
    assert.deepEqual(Object.keys(byLine), ['3', '4', '7', '8', '10', '11', '12', '13']);
    assert.equal(byLine['3'][5], 'imported without: Phone: "555-12" is not a valid phone number');
    assert.equal(byLine['4'][5], 'imported without: Email: "not-an-email" is not a valid email address');
    assert.match(byLine['7'][5], /^imported without: Stage: "vip" is not a lifecycle stage/);
    assert.deepEqual(byLine['8'].slice(0, 4), ['Multi\nLine', '512-555-0503', '', '']);
    assert.match(byLine['8'][5], /has 5 columns, the header has 4/);
    assert.equal(byLine['8'][6], 'extra', 'cells beyond the header are kept after _error');
    assert.match(byLine['10'][5], /^imported without: has 2 columns, the header has 4: the missing ones were read as empty/);
    assert.match(byLine['11'][5], /needs at least a name, a phone or an email/);
    assert.equal(byLine['12'][1], `'=HYPERLINK("x")`, 'formula cells are neutralised in the errors file too');
    assert.equal(byLine['13'][5], 'Phone: "555-12" is not a valid phone number; Email: "not-an-email" is not a valid email address');
    assert.deepEqual(r.errorsSample.map((e) => e.row), [8, 11, 13]);
    assert.deepEqual([...new Set(r.warningsSample.map((w) => w.row))], [3, 4, 7, 10, 12]);
    const names = (await listContacts(ctx, s, {})).data.map((c) => c.name).sort();
    assert.deepEqual(names, ['Bad Email', 'Bad Phone', 'Bad Stage', 'Formula', 'Good One', 'No Identity', 'Short']);
    const badStage = (await listContacts(ctx, s, { phone: '+15125550502' })).data[0];
    assert.equal(badStage.lifecycleStage, 'lead');
  });

  test('formula-looking cells are stored as literal text', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    await runImport(ctx, s, 'contacts', 'Name,Phone,Notes\n"=HYPERLINK(""http://evil.example"",""x"")",512-555-0601,@SUM(A1)\n');
    const [c] = (await listContacts(ctx, s, {})).data;
    assert.equal(c.name, '=HYPERLINK("http://evil.example","x")');
    const note = await ctx.db.kysely.selectFrom('interactions').select('body').where('business_id', '=', s.businessId).executeTakeFirstOrThrow();
    assert.equal(note.body, '@SUM(A1)');
  });

  test('semicolon-delimited files with a UTF-8 BOM, CRLF line ends and UTF-16LE with a BOM are read', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name;Phone\r\nJosé Núñez;512-555-0701\r\n')]);
    const r1 = await runImport(ctx, s, 'contacts', utf8);
    assert.deepEqual(r1.mapping, { Name: 'name', Phone: 'phone' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name,Phone\nZoë,512-555-0702\n', 'utf16le')]);
    const r2 = await runImport(ctx, s, 'contacts', utf16);
    assert.equal(r1.created + r2.created, 2);
    const names = (await listContacts(ctx, s, {})).data.map((c) => c.name).sort();
    assert.deepEqual(names, ['José Núñez', 'Zoë']);
  });
});

forEachDialect('csv import: bad files lose nothing', (world) => {
  let scope: Scope;
  test('setup: a business with one stored contact', async () => {
    scope = await makeBusiness(world().ctx);
    await createContact(world().ctx, scope, { name: 'Keeper', phone: '+15125550800', email: 'keeper@example.com' });
  });

  const expectBadFile = async (content: string | Buffer, code: string, message: RegExp, opts: { batchSize?: number } = {}) => {
    const { ctx } = world();
    const before = await Promise.all((['contacts', 'contact_identities', 'audit_log'] as const).map((t) => countRows(ctx, t, scope.businessId)));
    const keeper = (await listContacts(ctx, scope, { phone: '+15125550800' })).data[0];
    await assert.rejects(importCsv(ctx, scope, { entity: 'contacts', input: csvInput(content), ...opts }), (err: Error & { code?: string }) => {
      assert.equal(err.code, code);
      assert.match(err.message, message);
      return true;
    });
    const after = await Promise.all((['contacts', 'contact_identities', 'audit_log'] as const).map((t) => countRows(ctx, t, scope.businessId)));
    assert.deepEqual(after, before);
    assert.deepEqual(await getContact(ctx, scope, keeper.id), keeper);
  };

  test('broken quoting: an unclosed quote names the line it opens on', () =>
    expectBadFile('Name,Phone\nA,512-555-0801\n"B,512-555-0802\nC,512-555-0803\n', 'BAD_REQUEST', /line 3: a quoted field opens there and is never closed/));

  test('UTF-8 text with a byte that is not UTF-8 further on names the line and byte', () =>
    expectBadFile(Buffer.concat([Buffer.from('Name,Phone\nZoë,512-555-0805\nJos'), Buffer.from([0xe9]), Buffer.from(',512-555-0806\n')]), 'BAD_REQUEST', /not valid UTF-8: line 3 has the bytes e9 .* at byte 32/));

  test('a spreadsheet workbook instead of a CSV', () => expectBadFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 'BAD_REQUEST', /workbook \(\.xlsx/));

  test('an empty file', () => expectBadFile('', 'BAD_REQUEST', /the file is empty/));

  test('duplicate headers', () => expectBadFile('Name,Phone,Phone\nA,1,2\n', 'BAD_REQUEST', /"Phone" twice/));

  test('an unknown column in the explicit mapping', async () => {
    const { ctx } = world();
    await assert.rejects(importCsv(ctx, scope, { entity: 'contacts', input: csvInput('Name\nA\n'), mapping: { Phone: 'phone' } }), { code: 'VALIDATION_FAILED', message: /"Phone", which is not in the file/ });
  });

  test('invalid UTF-8 after committed batches: the error says what was already imported', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    // Big enough that the bad byte is read long after the first batches were committed.
    const good = Array.from({ length: 3000 }, (_, i) => `Person ${i},${String(2_000_000 + i)}@example.com`).join('\n');
    const content = Buffer.concat([Buffer.from(`Name,Email\nZoë,zoe@example.com\n${good}\nJos`), Buffer.from([0xe9]), Buffer.from(',jose@example.com\n')]);
    let committed = 0;
    await assert.rejects(importCsv(ctx, s, { entity: 'contacts', input: csvInput(content, 4096), batchSize: 500 }), (err: Error & { code?: string; details?: { committed?: { created: number } } }) => {
      assert.equal(err.code, 'BAD_REQUEST');
      assert.match(err.message, /not valid UTF-8: line 3003 /);
      assert.match(err.message, /(\d+) earlier rows were already imported \(\1 created, 0 merged; import /);
      committed = err.details?.committed?.created ?? 0;
      return true;
    });
    assert.ok(committed >= 1000 && committed % 500 === 0, `committed ${committed}`);
    assert.equal(await countRows(ctx, 'contacts', s.businessId), committed);
    const audit = await ctx.db.kysely.selectFrom('audit_log').select('changes').where('business_id', '=', s.businessId).where('action', '=', 'import').executeTakeFirstOrThrow();
    assert.equal(JSON.parse(audit.changes).status, 'stopped');
  });
});

forEachDialect('csv import: tenant isolation', (world) => {
  test('importing into business A never touches business B, even with identical phones and emails', async () => {
    const { ctx } = world();
    const a = await makeBusiness(ctx);
    const b = await makeBusiness(ctx);
    const bContact = await createContact(ctx, b, { name: 'B Person', phone: '+15125551000', email: 'same@example.com', tags: ['b'] });
    const r = await runImport(ctx, a, 'contacts', 'Name,Phone,Email,Tags\nA Person,512-555-1000,same@example.com,a\n');
    assert.deepEqual({ created: r.created, merged: r.merged }, { created: 1, merged: 0 });
    assert.deepEqual(await getContact(ctx, b, bContact.id), bContact);
    assert.equal(await countRows(ctx, 'contacts', b.businessId), 1);
    const [aContact] = (await listContacts(ctx, a, {})).data;
    assert.notEqual(aContact.id, bContact.id);
    assert.deepEqual(aContact.tags, ['a']);
    await assert.rejects(getContact(ctx, a, bContact.id), { code: 'NOT_FOUND' });
  });

  test('inside the server, batches shrink until a write fits the time budget, and every row still arrives once', async () => {
    const { ctx } = world();
    const own = await makeBusiness(ctx);
    const rows = Array.from({ length: 2_000 }, (_, i) => `Budget${i},Row,,budget.row${i}@example.com,,,,,`).join('\n');
    const written: number[] = [];
    const r = await importCsv(ctx, own, { entity: 'contacts', input: csvInput(`${header}${rows}\n`, 64 * 1024), transactionBudgetMs: 1, onProgress: (p) => void written.push(p.rows) });
    assert.equal(r.created, 2_000);
    const sizes = written.map((n, i) => n - (written[i - 1] ?? 0)).filter((n) => n > 0);
    assert.equal(sizes[0], 500, 'the first batch is capped at 500 rows');
    assert.ok(sizes.length >= 6, `written in ${sizes.length} batches: ${sizes.join(', ')}`);
    assert.ok(sizes.slice(1).every((n, i) => n <= sizes[i]), `batches never grow past a write that was over budget: ${sizes.join(', ')}`);
    assert.equal(await countRows(ctx, 'contacts', own.businessId), 2_000);
    // Without a budget (the CLI), the file is one batch.
    const cli = await makeBusiness(ctx);
    const once: number[] = [];
    await importCsv(ctx, cli, { entity: 'contacts', input: csvInput(`${header}${rows}\n`, 64 * 1024), onProgress: (p) => void once.push(p.rows) });
    assert.deepEqual(once.filter((n, i) => n !== once[i - 1]), [2_000]);
  });
});
