import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import type { Scope } from '../../src/context.ts';
import { createContact, getContact, listContacts } from '../../src/crm/contacts/contacts.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { countRows, runImport } from './helpers.ts';

forEachDialect('csv import: jobs', (world) => {
  let scope: Scope;
  let techId: string;
  let danaId: string;
  test('setup: a business, a technician and a contact', async () => {
    const { ctx } = world();
    scope = await makeBusiness(ctx);
    techId = (await createUser(ctx, scope, { email: `tech-${scope.businessId}@example.com`, name: 'Rita Tech', role: 'technician' })).id;
    danaId = (await createContact(ctx, scope, { name: 'Dana Reyes', phone: '+13105550142' })).id;
  });

  test('links jobs to contacts by phone, parses money/dates/status, creates unknown contacts, rejects bad rows', async () => {
    const { ctx } = world();
    const csv = [
      'Customer Phone,Customer,Service,Status,Date,Amount,Technician,Notes,Job #',
      '(310) 555-0142,,AC repair,Completed,3/1/2026 2:30 PM,"$1,234.50",Rita Tech,replaced capacitor,J-1', // line 2: Dana
      '(512) 555-0177,New Person,Tune-up,scheduled,2026-03-10 09:00,80,' + `tech-${scope.businessId}@example.com` + ',,J-2', // 3: new contact
      '(310) 555-0142,,Furnace check,No Show,2026-02-01,,,,J-3', // 4
      '(310) 555-0142,,,completed,,,,,J-4', // 5: no service type
      '(310) 555-0142,,Leak,done,,12.345,,,J-5', // 6: bad amount
      '(310) 555-0142,,Leak,maybe,,,,,J-6', // 7: unknown status
      '(310) 555-0142,,Leak,scheduled,soon,,,,J-7', // 8: bad date
      '(310) 555-0142,,Leak,scheduled,,,Bob,,J-8', // 9: unknown technician
      ',Nobody,Leak,scheduled,,,,,J-9', // 10: no way to find the contact
    ].join('\n');
    const eventsBefore = await countRows(ctx, 'events', scope.businessId);
    const r = await runImport(ctx, scope, 'jobs', csv);
    assert.deepEqual({ rows: r.rows, created: r.created, merged: r.merged, rejected: r.rejected, contactsCreated: r.contactsCreated }, { rows: 9, created: 3, merged: 0, rejected: 6, contactsCreated: 1 });
    const errors = Object.fromEntries(r.errorsSample.map((e) => [e.row, e.error]));
    assert.match(errors[5], /^Service: is empty/);
    assert.match(errors[6], /^Amount: "12.345" is not an amount/);
    assert.match(errors[7], /^Status: /);
    assert.match(errors[8], /^Date: "soon" is not a date/);
    assert.match(errors[9], /^Technician: "Bob" is not a user of this business/);
    assert.match(errors[10], /no contact: give a Customer Phone/);

    const jobs = await ctx.db.kysely.selectFrom('jobs').selectAll().where('business_id', '=', scope.businessId).orderBy('external_id').execute();
    assert.deepEqual(jobs.map((j) => [j.external_id, j.status, j.amount_cents]), [['J-1', 'completed', 123450], ['J-2', 'scheduled', 8000], ['J-3', 'no_show', null]]);
    const j1 = jobs[0];
    assert.equal(j1.contact_id, danaId);
    assert.equal(j1.service_type, 'AC repair');
    assert.equal(j1.scheduled_start, '2026-03-01T20:30:00.000Z'); // 2:30 PM in the business's zone (America/Chicago)
    assert.equal(j1.completed_at, '2026-03-01T20:30:00.000Z', 'a completed job without a completion time is dated by its schedule');
    assert.equal(j1.technician_user_id, techId);
    assert.equal(j1.notes, 'replaced capacitor');
    assert.equal(jobs[1].technician_user_id, techId, 'technician by email');
    const dana = await getContact(ctx, scope, danaId);
    assert.equal(dana.lifecycleStage, 'customer', 'a completed job makes the contact a customer');
    assert.equal(dana.lastInteractionAt, '2026-03-01T20:30:00.000Z');
    const created = (await listContacts(ctx, scope, { phone: '+15125550177' })).data[0];
    assert.equal(created.name, 'New Person');
    assert.equal(jobs[1].contact_id, created.id);
    assert.equal(await countRows(ctx, 'events', scope.businessId), eventsBefore, 'importing history emits no events');
  });

  test('a job already stored (same external id) is merged: empty fields filled, an open job takes the new status', async () => {
    const { ctx } = world();
    const csv = 'Phone,Service,Status,Amount,Completed At,Job #\n512-555-0177,Tune-up,completed,95,2026-03-10T16:00:00Z,J-2\n';
    const r = await runImport(ctx, scope, 'jobs', csv);
    assert.deepEqual({ created: r.created, merged: r.merged }, { created: 0, merged: 1 });
    const j2 = await ctx.db.kysely.selectFrom('jobs').selectAll().where('business_id', '=', scope.businessId).where('external_id', '=', 'J-2').executeTakeFirstOrThrow();
    assert.equal(j2.status, 'completed');
    assert.equal(j2.amount_cents, 8000, 'stored values are kept');
    assert.equal(j2.completed_at, '2026-03-10T16:00:00.000Z');
    const contact = await getContact(ctx, scope, j2.contact_id!);
    assert.equal(contact.lifecycleStage, 'customer');
    assert.equal(contact.lastInteractionAt, '2026-03-10T16:00:00.000Z');
  });

  test('jobs by contact_id; an id from another business is not found', async () => {
    const { ctx } = world();
    const other = await makeBusiness(ctx);
    const stranger = await createContact(ctx, other, { name: 'Stranger', phone: '+15125550900' });
    const csv = `contact_id,Service,Date\n${danaId},Duct cleaning,2026-04-01\n${stranger.id},Duct cleaning,2026-04-01\n`;
    const r = await runImport(ctx, scope, 'jobs', csv);
    assert.deepEqual({ created: r.created, rejected: r.rejected }, { created: 1, rejected: 1 });
    assert.match(r.errorsSample[0].error, /is not a contact of this business/);
    assert.equal(await countRows(ctx, 'jobs', other.businessId), 0);
  });

  test('dry run: same counts, nothing written', async () => {
    const { ctx } = world();
    const s = await makeBusiness(ctx);
    const csv = 'Phone,Name,Service,Date,Job #\n512-555-0601,A,Repair,2026-01-01,X1\n512-555-0601,A,Repair,2026-01-01,X1\n512-555-0602,B,Repair,2026-01-02,\n512-555-0602,B,Repair,2026-01-02,\n';
    const dry = await runImport(ctx, s, 'jobs', csv, { dryRun: true, batchSize: 1 });
    assert.equal(await countRows(ctx, 'jobs', s.businessId), 0);
    assert.equal(await countRows(ctx, 'contacts', s.businessId), 0);
    const real = await runImport(ctx, s, 'jobs', csv, { batchSize: 1 });
    const pick = (r: typeof dry) => ({ created: r.created, merged: r.merged, rejected: r.rejected, contactsCreated: r.contactsCreated });
    assert.deepEqual(pick(dry), pick(real));
    assert.deepEqual(pick(real), { created: 2, merged: 2, rejected: 0, contactsCreated: 2 });
  });
});

forEachDialect('csv import: interactions', (world) => {
  test('links interactions by phone/email, parses kind/direction/duration, updates last_interaction_at, skips duplicates', async () => {
    const { ctx } = world();
    const scope = await makeBusiness(ctx);
    const agent = await createUser(ctx, scope, { email: `agent-${scope.businessId}@example.com`, name: 'Ann Agent', role: 'agent' });
    const dana = await createContact(ctx, scope, { name: 'Dana', phone: '+13105550142', email: 'dana@example.com' });
    const csv = [
      'Phone,Email,Type,Direction,Date,Duration,Message,Outcome,Agent',
      '310-555-0142,,Phone Call,incoming,2026-02-01 10:00,1:35,,answered,Ann Agent', // 2
      ',DANA@example.com,Text,out,2026-02-03T12:00:00Z,,See you Tuesday,,', // 3
      '310-555-0142,,note,,2026-02-05T12:00:00Z,,Internal: gate code 1234,,', // 4: notes do not count as a touch
      '310-555-0142,,Fax,in,2026-02-01,,,,', // 5: unknown kind
      '310-555-0142,,call,,2026-02-01,,,,', // 6: a call needs a direction
      '310-555-0142,,call,in,2026-02-01,ten minutes,,,', // 7: bad duration
      '310-555-0142,,Phone Call,incoming,2026-02-01 10:00,1:35,,answered,Ann Agent', // 8: same as line 2
    ].join('\n');
    const eventsBefore = await countRows(ctx, 'events', scope.businessId);
    const r = await runImport(ctx, scope, 'interactions', csv);
    assert.deepEqual({ created: r.created, merged: r.merged, rejected: r.rejected }, { created: 3, merged: 1, rejected: 3 });
    const errors = Object.fromEntries(r.errorsSample.map((e) => [e.row, e.error]));
    assert.match(errors[5], /^Type: /);
    assert.match(errors[6], /^Direction: calls, texts and emails need a direction/);
    assert.match(errors[7], /^Duration: "ten minutes" is not a duration/);
    const rows = await ctx.db.kysely.selectFrom('interactions').selectAll().where('business_id', '=', scope.businessId).orderBy('occurred_at').execute();
    assert.deepEqual(rows.map((i) => [i.kind, i.direction, i.channel, i.contact_id]), [
      ['call', 'inbound', 'phone', dana.id],
      ['sms', 'outbound', 'sms', dana.id],
      ['note', null, 'internal', dana.id],
    ]);
    assert.equal(rows[0].duration_seconds, 95);
    assert.equal(rows[0].user_id, agent.id);
    assert.equal(rows[0].outcome, 'answered');
    assert.equal(rows[0].occurred_at, '2026-02-01T16:00:00.000Z');
    assert.equal(rows[1].body, 'See you Tuesday');
    assert.equal((await getContact(ctx, scope, dana.id)).lastInteractionAt, '2026-02-03T12:00:00.000Z');
    assert.equal(await countRows(ctx, 'events', scope.businessId), eventsBefore, 'importing history emits no events');

    const again = await runImport(ctx, scope, 'interactions', csv);
    assert.deepEqual({ created: again.created, merged: again.merged }, { created: 0, merged: 4 }, 'a second import adds nothing');
  });
});
