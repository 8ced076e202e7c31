import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import type { Scope } from '../../src/context.ts';
import type { TestWorld } from '../helpers/db.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
import { runImport } from './helpers.ts';

// Deal exports written from each vendor's documented export columns and values (test/csv/fixtures).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

const vendors = [
  {
    file: 'hubspot-deals.csv',
    shape: 'hubspot-deals',
    contacts: 'hubspot-contacts.csv',
    counts: { rows: 7, created: 5, merged: 0, warnings: 1, rejected: 2, contactsCreated: 1 },
  },
  {
    file: 'gohighlevel-opportunities.csv',
    shape: 'gohighlevel-opportunities',
    contacts: 'gohighlevel-contacts.csv',
    counts: { rows: 5, created: 4, merged: 0, warnings: 1, rejected: 1, contactsCreated: 1 },
  },
];

const dealsOf = (w: TestWorld, s: Scope) => w.ctx.db.kysely.selectFrom('deals').selectAll().where('business_id', '=', s.businessId).orderBy('id').execute();
const contactsOf = (w: TestWorld, s: Scope) => w.ctx.db.kysely.selectFrom('contacts').selectAll().where('business_id', '=', s.businessId).orderBy('id').execute();

/** A business with Pat on the team and the vendor's contacts export imported (deals name those contacts by the vendor's id). */
async function business(w: TestWorld, contacts: string): Promise<{ s: Scope; patId: string }> {
  const s = await makeBusiness(w.ctx);
  const pat = await createUser(w.ctx, s, { email: `pat-${s.businessId.slice(-12)}@example.com`, name: 'Pat Manager', role: 'manager', password: 'long enough pw' });
  await runImport(w.ctx, s, 'contacts', fixture(contacts));
  return { s, patId: pat.id };
}

forEachDialect('vendor deal exports', (world) => {
  for (const v of vendors) {
    test(`${v.file}: recognised as ${v.shape}, imported with the expected counts; a second import changes nothing`, async () => {
      const w = world();
      const { s } = await business(w, v.contacts);
      const first = await runImport(w.ctx, s, 'deals', fixture(v.file));
      assert.equal(first.shape, v.shape);
      const counts = { rows: first.rows, created: first.created, merged: first.merged, warnings: first.warnings, rejected: first.rejected, contactsCreated: first.contactsCreated };
      assert.deepEqual(counts, v.counts, `${first.errorsCsv}\n${JSON.stringify(first.mapping)}`);
      assert.deepEqual(first.unmappedColumns, [], 'every column of the export is named by the shape');
      const [deals, contacts] = [await dealsOf(w, s), await contactsOf(w, s)];
      const second = await runImport(w.ctx, s, 'deals', fixture(v.file));
      assert.deepEqual(
        { created: second.created, merged: second.merged, rejected: second.rejected, contactsCreated: second.contactsCreated },
        { created: 0, merged: v.counts.created + v.counts.merged, rejected: v.counts.rejected, contactsCreated: 0 },
      );
      assert.deepEqual(await dealsOf(w, s), deals, 'the second import changed no deal');
      assert.deepEqual(await contactsOf(w, s), contacts, 'the second import changed no contact');
    });
  }

  test('HubSpot deals: stages (labels and internal values), amounts, dates in the business zone, owner and associated contacts', async () => {
    const w = world();
    const { s, patId } = await business(w, 'hubspot-contacts.csv');
    const r = await runImport(w.ctx, s, 'deals', fixture('hubspot-deals.csv'));
    assert.deepEqual(r.warningsSample, [{ row: 4, warning: 'Deal owner: "Former Rep" is not a user of this business; the deal is imported without an owner' }]);
    assert.deepEqual(r.errorsSample.map((e) => [e.row, e.error.split(':')[0]]), [[7, 'Deal Name'], [8, 'no contact']]);
    const contacts = await contactsOf(w, s);
    const emailOf = (id: string | null) => contacts.find((c) => c.id === id)?.email;
    const deals = new Map((await dealsOf(w, s)).map((d) => [d.title, d]));
    const won = deals.get('Lopez - AC replacement')!;
    assert.deepEqual(
      [emailOf(won.contact_id), won.pipeline, won.stage, won.status, won.amount_cents, won.closed_at, won.created_at, won.owner_user_id],
      ['maria.lopez@example.com', 'Sales Pipeline', 'won', 'won', 850000, '2024-06-01T17:00:00.000Z', '2024-05-02T14:15:00.000Z', patId],
    );
    const quote = deals.get('Martínez - furnace quote')!;
    assert.deepEqual([emailOf(quote.contact_id), quote.stage, quote.status, quote.amount_cents, quote.expected_close_date, quote.closed_at], ['josé.martinez@example.com', 'quote_sent', 'open', 125050, '2024-07-15', null]);
    assert.deepEqual([deals.get('Reyes - property management contract')!.stage, deals.get('Reyes - property management contract')!.owner_user_id], ['negotiation', null]);
    const lost = deals.get('Park - duct cleaning')!;
    assert.deepEqual([emailOf(lost.contact_id), lost.stage, lost.status, lost.close_reason, lost.closed_at], ['lee.park@example.com', 'lost', 'lost', 'Went with a competitor', '2024-04-01T15:00:00.000Z']);
    const fresh = deals.get('New homeowner - maintenance plan')!;
    assert.deepEqual([emailOf(fresh.contact_id), fresh.stage, contacts.find((c) => c.id === fresh.contact_id)?.display_name], ['kim.ng@example.com', 'new', 'Kim Ng'], 'an associated contact not yet in Kinetic is created from "Name (email)"');
  });

  test('GoHighLevel opportunities: status closes deals, custom stages map or import as new with a warning, contacts by Contact ID', async () => {
    const w = world();
    const { s, patId } = await business(w, 'gohighlevel-contacts.csv');
    const r = await runImport(w.ctx, s, 'deals', fixture('gohighlevel-opportunities.csv'));
    assert.deepEqual(r.warningsSample.map((x) => x.warning), [
      'stage: "Site Visit Booked" is not a deal stage Kinetic knows (new, qualified, quote_sent, negotiation, won, lost); the deal is imported as new',
      'assigned: "Someone Else" is not a user of this business; the deal is imported without an owner',
    ]);
    const contacts = await contactsOf(w, s);
    const nameOf = (id: string | null) => contacts.find((c) => c.id === id)?.display_name;
    const deals = new Map((await dealsOf(w, s)).map((d) => [d.title, d]));
    const nina = deals.get('Nina Patel - AC install')!;
    assert.deepEqual([nameOf(nina.contact_id), nina.pipeline, nina.stage, nina.amount_cents, nina.owner_user_id, nina.created_at], ['Nina Patel', 'HVAC Sales', 'quote_sent', 620000, patId, '2024-03-20T14:00:00.000Z']);
    const raj = deals.get('Raj Patel - tune-up')!;
    assert.deepEqual([nameOf(raj.contact_id), raj.stage, raj.status, raj.closed_at], ['Raj Patel', 'won', 'won', '2024-03-28T19:00:00.000Z'], 'Raj shares Nina\'s phone but is found by his Contact ID');
    const ivy = deals.get('Ivy Chen - duct sealing')!;
    assert.deepEqual([ivy.stage, ivy.status, ivy.close_reason], ['lost', 'lost', 'Price too high'], 'abandoned is lost');
    const tom = deals.get('Tom Reed - water heater')!;
    assert.deepEqual([nameOf(tom.contact_id), tom.stage, tom.amount_cents, tom.pipeline], ['Tom Reed', 'new', 110000, 'Plumbing']);
  });
});
