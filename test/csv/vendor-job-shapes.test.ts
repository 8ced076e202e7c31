import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import type { Scope } from '../../src/context.ts';
import type { TestWorld } from '../helpers/db.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { detectShape } from '../../src/crm/csv/shapes.ts';
import { runImport } from './helpers.ts';

// Jobs and invoices exports written from each vendor's documented export columns and values (test/csv/fixtures).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

interface Expected {
  file: string;
  shape: string;
  /** Files imported first (the vendor's customers export, which jobs name by customer id). */
  before?: Array<{ file: string; entity: 'contacts' | 'jobs' }>;
  counts: { rows: number; created: number; merged: number; warnings: number; rejected: number; contactsCreated: number };
}

const vendors: Expected[] = [
  { file: 'jobber-jobs.csv', shape: 'jobber-jobs', counts: { rows: 5, created: 4, merged: 0, warnings: 1, rejected: 1, contactsCreated: 3 } },
  { file: 'jobber-invoices.csv', shape: 'jobber-invoices', counts: { rows: 4, created: 3, merged: 0, warnings: 0, rejected: 1, contactsCreated: 3 } },
  { file: 'housecall-pro-jobs.csv', shape: 'housecall-pro-jobs', counts: { rows: 4, created: 3, merged: 0, warnings: 1, rejected: 1, contactsCreated: 3 } },
  {
    file: 'servicetitan-jobs.csv',
    shape: 'servicetitan-jobs',
    before: [{ file: 'servicetitan-customers.csv', entity: 'contacts' }],
    counts: { rows: 4, created: 3, merged: 0, warnings: 1, rejected: 1, contactsCreated: 0 },
  },
];

const jobsOf = (w: TestWorld, s: Scope) => w.ctx.db.kysely.selectFrom('jobs').selectAll().where('business_id', '=', s.businessId).orderBy('id').execute();
const contactsOf = (w: TestWorld, s: Scope) => w.ctx.db.kysely.selectFrom('contacts').selectAll().where('business_id', '=', s.businessId).orderBy('id').execute();

async function business(w: TestWorld): Promise<{ s: Scope; patId: string }> {
  const s = await makeBusiness(w.ctx);
  const pat = await createUser(w.ctx, s, { email: `pat-${s.businessId.slice(-12)}@example.com`, name: 'Pat Manager', role: 'manager', password: 'long enough pw' });
  return { s, patId: pat.id };
}

forEachDialect('vendor jobs and invoices exports', (world) => {
  for (const v of vendors) {
    test(`${v.file}: recognised as ${v.shape}, imported with the expected counts; a second import changes nothing`, async () => {
      const w = world();
      const { s } = await business(w);
      for (const b of v.before ?? []) await runImport(w.ctx, s, b.entity, fixture(b.file));
      const first = await runImport(w.ctx, s, 'jobs', fixture(v.file));
      assert.equal(first.shape, v.shape);
      const counts = { rows: first.rows, created: first.created, merged: first.merged, warnings: first.warnings, rejected: first.rejected, contactsCreated: first.contactsCreated };
      assert.deepEqual(counts, v.counts, `${first.errorsCsv}\n${JSON.stringify(first.mapping)}`);
      assert.deepEqual(first.unmappedColumns, [], 'every column of the export is named by the shape');
      const [jobs, contacts] = [await jobsOf(w, s), await contactsOf(w, s)];
      const second = await runImport(w.ctx, s, 'jobs', fixture(v.file));
      assert.deepEqual(
        { created: second.created, merged: second.merged, rejected: second.rejected, contactsCreated: second.contactsCreated },
        { created: 0, merged: v.counts.created + v.counts.merged, rejected: v.counts.rejected, contactsCreated: 0 },
      );
      assert.deepEqual(await jobsOf(w, s), jobs, 'the second import changed no job');
      assert.deepEqual(await contactsOf(w, s), contacts, 'the second import changed no contact');
    });
  }

  test('Jobber: statuses, money, dates in the business zone and technicians; invoices fill the jobs they bill', async () => {
    const w = world();
    const { s, patId } = await business(w);
    const r = await runImport(w.ctx, s, 'jobs', fixture('jobber-jobs.csv'));
    assert.deepEqual(r.warningsSample, [{ row: 4, warning: 'Visits assigned to: "Former Tech" is not a user of this business; the job is imported without a technician' }]);
    assert.deepEqual(r.errorsSample.map((e) => e.row), [6]);
    const byExt = async () => new Map((await jobsOf(w, s)).map((j) => [j.external_id, j]));
    let jobs = await byExt();
    const tuneUp = jobs.get('12')!;
    // Business in America/Chicago: a date alone is midnight there (CDT, UTC-5 in March 2024).
    assert.deepEqual([tuneUp.service_type, tuneUp.status, tuneUp.amount_cents, tuneUp.completed_at, tuneUp.technician_user_id], ['Furnace tune-up', 'completed', 125000, '2024-03-14T05:00:00.000Z', patId]);
    const hood = jobs.get('13')!;
    assert.deepEqual([hood.status, hood.amount_cents, hood.technician_user_id], ['completed', null, patId], 'requires invoicing is done work; the second name of the visit is on the team');
    assert.deepEqual([jobs.get('14')!.status, jobs.get('14')!.scheduled_start, jobs.get('14')!.technician_user_id], ['scheduled', '2025-01-20T06:00:00.000Z', null]);
    assert.equal(jobs.get('15')!.status, 'scheduled', 'on hold is still open');
    const karen = (await contactsOf(w, s)).find((c) => c.id === tuneUp.contact_id)!;
    assert.equal(karen.lifecycle_stage, 'customer', 'a completed job makes a customer');

    const inv = await runImport(w.ctx, s, 'jobs', fixture('jobber-invoices.csv'));
    assert.equal(inv.shape, 'jobber-invoices');
    assert.deepEqual([inv.created, inv.merged, inv.rejected], [1, 2, 1], inv.errorsCsv);
    jobs = await byExt();
    assert.equal(jobs.get('13')!.amount_cents, 48000, 'the invoice total fills the job it bills');
    assert.equal(jobs.get('12')!.amount_cents, 125000);
    const gutters = (await jobsOf(w, s)).filter((j) => j.service_type === 'Gutter cleaning').sort((a, b) => (a.external_id ?? '').localeCompare(b.external_id ?? ''));
    assert.deepEqual(
      gutters.map((j) => [j.external_id, j.status, j.amount_cents, j.completed_at]),
      [[null, 'completed', 18500, '2025-01-21T06:00:00.000Z'], ['14', 'scheduled', 18500, null]],
      'an invoice naming no job is the completed job it bills',
    );
  });

  test('Housecall Pro: work statuses, money and times read in the business zone', async () => {
    const w = world();
    const { s, patId } = await business(w);
    const r = await runImport(w.ctx, s, 'jobs', fixture('housecall-pro-jobs.csv'));
    assert.deepEqual(r.warningsSample, [{ row: 4, warning: 'Assigned Employees: "Jordan Field" is not a user of this business; the job is imported without a technician' }]);
    assert.match(r.errorsSample[0].error, /^no contact/);
    const jobs = new Map((await jobsOf(w, s)).map((j) => [j.external_id, j]));
    const flush = jobs.get('1043')!;
    assert.deepEqual(
      [flush.service_type, flush.status, flush.amount_cents, flush.scheduled_start, flush.scheduled_end, flush.completed_at, flush.technician_user_id],
      ['Water heater flush', 'completed', 35000, '2024-06-05T14:00:00.000Z', '2024-06-05T16:00:00.000Z', '2024-06-05T15:45:00.000Z', patId],
    );
    assert.deepEqual([jobs.get('1044-2')!.status, jobs.get('1044-2')!.amount_cents], ['cancelled', 0]);
    assert.deepEqual([jobs.get('1045')!.status, jobs.get('1045')!.amount_cents], ['scheduled', 125000]);
  });

  test('ServiceTitan: jobs find their customer by Customer ID; one not imported yet is rejected with what to do', async () => {
    const w = world();
    const { s, patId } = await business(w);
    await runImport(w.ctx, s, 'contacts', fixture('servicetitan-customers.csv'));
    const r = await runImport(w.ctx, s, 'jobs', fixture('servicetitan-jobs.csv'));
    assert.deepEqual(r.errorsSample, [{ row: 5, error: 'Customer ID: customer "29999" is not a contact of this business yet, and the row has no phone or email to find the contact by; import the customers export first' }]);
    const contacts = await contactsOf(w, s);
    const nameOf = (id: string | null) => contacts.find((c) => c.id === id)?.display_name;
    const jobs = new Map((await jobsOf(w, s)).map((j) => [j.external_id, j]));
    const tune = jobs.get('48213')!;
    assert.deepEqual(
      [nameOf(tune.contact_id), tune.service_type, tune.status, tune.amount_cents, tune.scheduled_start, tune.completed_at, tune.technician_user_id, tune.notes],
      ['Greg Olsen', 'AC Tune-Up', 'completed', 125000, '2024-03-14T13:00:00.000Z', '2024-03-14T19:30:00.000Z', patId, 'Annual maintenance; replaced filter'],
    );
    assert.deepEqual([nameOf(jobs.get('48214')!.contact_id), jobs.get('48214')!.status], ['Austin ISD - Facilities', 'cancelled']);
    assert.deepEqual([jobs.get('48215')!.status, jobs.get('48215')!.amount_cents], ['scheduled', 240000], 'hold is still open');
  });

  test('--format takes a vendor (its export of that entity the header carries) or one export by name', () => {
    const invoiceHeaders = fixture('jobber-invoices.csv').toString().split('\n')[0].split(',');
    assert.equal(detectShape('jobs', invoiceHeaders, 'jobber')?.name, 'jobber-invoices');
    assert.equal(detectShape('jobs', ['Client name', 'Title', 'Client phone'], 'jobber')?.name, 'jobber-jobs', 'a vendor alone: its first export of the entity');
    assert.equal(detectShape('jobs', ['Client name', 'Subject', 'Client phone'], 'jobber-invoices')?.name, 'jobber-invoices');
    assert.throws(() => detectShape('contacts', ['Name'], 'jobber-invoices'), { code: 'BAD_REQUEST', message: /is a jobs export; import it as jobs/ });
  });
});
