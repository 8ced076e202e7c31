import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { createApiKey } from '../../src/access/auth.ts';
import { systemActor, type Scope } from '../../src/context.ts';
import { ZIP_CODES } from '../../src/demo/catalog.ts';
import { generateDemo, type DemoData, type DemoResult } from '../../src/demo/index.ts';
import { introPaths } from '../../src/intelligence/relationships/relationships.ts';
import { client, makeApi, makeTenant } from '../helpers/api.ts';
import { forEachDemoDialect } from '../helpers/demo-snapshot.ts';

const NOW = new Date('2026-03-02T15:00:00Z');
const SEED = 42;

describe('demo companies (pure)', () => {
  const data: DemoData = generateDemo(SEED, NOW);
  const contacts = new Map(data.contacts.map((c) => [c.key, c]));
  const completedJobs = new Set(data.jobs.filter((j) => j.status === 'completed').map((j) => j.contactKey));
  const links = data.companies.flatMap((co) => co.contacts.map((l) => ({ ...l, companyKey: co.key })));

  test('15–25 commercial accounts with distinct names, domains and main lines in the Austin metro', () => {
    assert.ok(data.companies.length >= 15 && data.companies.length <= 25, `companies ${data.companies.length}`);
    for (const field of ['key', 'name', 'domain', 'phone'] as const) assert.equal(new Set(data.companies.map((c) => c[field])).size, data.companies.length, `${field} is unique`);
    const contactPhones = new Set(data.contacts.flatMap((c) => c.phones.map((p) => p.number)));
    const metro = new Map(ZIP_CODES.map(([zip, city]) => [zip, city]));
    for (const c of data.companies) {
      assert.match(c.domain, /^[a-z0-9.-]+\.example$/, c.name);
      assert.match(c.phone, /^\+1\d{10}$/, c.name);
      assert.ok(parsePhoneNumberWithError(c.phone).isValid(), `${c.name}: ${c.phone}`);
      assert.ok(!contactPhones.has(c.phone), `${c.name} shares a number with a contact`);
      assert.equal(metro.get(c.address.postalCode), c.address.city, `${c.name}: ${c.address.postalCode} is not in ${c.address.city}`);
      assert.equal(c.address.region, 'TX');
      assert.match(c.address.line1, /^\d+ \S/);
      assert.ok(c.customFields.industry && c.customFields.hvacUnits > 0);
    }
    const industries = new Set(data.companies.map((c) => c.customFields.industry));
    for (const industry of ['property_management', 'restaurant', 'education', 'church']) assert.ok(industries.has(industry), `no ${industry} account`);
  });

  test('2–5 existing contacts each, nobody at two companies, mostly customers with service history and a few leads', () => {
    for (const co of data.companies) {
      assert.ok(co.contacts.length >= 2 && co.contacts.length <= 5, `${co.name}: ${co.contacts.length} contacts`);
      assert.ok(co.contacts.every((l) => l.title.length > 0));
      assert.equal(new Set(co.contacts.map((l) => l.title)).size, co.contacts.length, `${co.name}: one title per person`);
      assert.equal(co.createdAt, co.contacts.map((l) => l.since).sort()[0], `${co.name} exists from its first contact`);
      assert.ok(co.updatedAt >= co.createdAt && co.updatedAt <= data.now);
    }
    assert.equal(new Set(links.map((l) => l.contactKey)).size, links.length, 'a contact works at one company at most');
    for (const l of links) {
      const c = contacts.get(l.contactKey);
      assert.ok(c, `unknown contact ${l.contactKey}`);
      assert.equal(l.since, c.createdAt);
    }
    const customers = links.filter((l) => completedJobs.has(l.contactKey)).length;
    const leads = links.filter((l) => ['lead', 'lost'].includes(contacts.get(l.contactKey)!.lifecycleStage)).length;
    assert.ok(customers >= links.length * 0.7, `customers ${customers} of ${links.length}`);
    assert.ok(leads >= 2, `leads ${leads}`);
    for (const co of data.companies.filter((c) => c.customFields.accountType === 'prospect')) {
      assert.ok(co.contacts.every((l) => !completedJobs.has(l.contactKey)), `prospect ${co.name} has no completed work`);
    }
  });

  test("jobs and deals of an account's contacts belong to the account", () => {
    const companyOf = new Map(links.map((l) => [l.contactKey, l.companyKey]));
    for (const row of [...data.jobs, ...data.deals]) assert.equal(row.companyKey, companyOf.get(row.contactKey) ?? null, row.key);
    assert.ok(data.deals.filter((d) => d.companyKey).length >= 5, 'some deals are commercial');
    assert.ok(data.jobs.some((j) => j.companyKey && j.status === 'completed'), 'accounts have service history');
  });

  test('deterministic: the same seed gives the same accounts, another seed other links', () => {
    assert.deepStrictEqual(generateDemo(SEED, NOW).companies, data.companies);
    const other = generateDemo(SEED + 1, NOW);
    assert.notDeepStrictEqual(
      other.companies.map((c) => c.contacts.map((l) => l.contactKey)),
      data.companies.map((c) => c.contacts.map((l) => l.contactKey)),
    );
  });
});

forEachDemoDialect('demo companies loaded', (world) => {
  const data = generateDemo(SEED, NOW);
  let result: DemoResult;
  let scope: Scope;
  let app: FastifyInstance;
  let api: ReturnType<typeof client>;
  let companyIds: Map<string, string>;

  before(async () => {
    result = world().demo;
    scope = { businessId: result.businessId, actor: systemActor };
    app = await makeApi(world().ctx);
    api = client(app, (await createApiKey(world().ctx, scope, { name: 'companies test' })).key);
    const rows = await world().db.kysely.selectFrom('companies').select(['id', 'name']).where('business_id', '=', result.businessId).execute();
    const byName = new Map(rows.map((r) => [r.name, r.id]));
    companyIds = new Map(data.companies.map((c) => [c.key, byName.get(c.name)!]));
  });
  after(() => app.close());

  test('every company, link, commercial job and deal is stored in the demo business', async () => {
    const db = world().db.kysely;
    const b = result.businessId;
    assert.equal(result.counts.companies, data.companies.length);
    assert.equal(companyIds.size, data.companies.length);
    assert.ok([...companyIds.values()].every(Boolean), 'every generated company is stored under its name');
    assert.equal((await db.selectFrom('companies').select('id').execute()).length, data.companies.length, 'no company outside the demo business');

    const links = await db
      .selectFrom('contact_companies as l')
      .innerJoin('contacts as c', 'c.id', 'l.contact_id')
      .innerJoin('companies as co', 'co.id', 'l.company_id')
      .select(['l.business_id as link', 'c.business_id as contact', 'co.business_id as company', 'l.title'])
      .execute();
    assert.equal(links.length, data.companies.reduce((s, c) => s + c.contacts.length, 0));
    assert.equal(result.counts.companyLinks, links.length);
    assert.ok(links.every((l) => l.link === b && l.contact === b && l.company === b && l.title));

    for (const table of ['jobs', 'deals'] as const) {
      const rows = await db.selectFrom(table).innerJoin('companies', 'companies.id', `${table}.company_id`).select(['companies.business_id']).where(`${table}.business_id`, '=', b).execute();
      assert.equal(rows.length, data[table].filter((r) => r.companyKey).length, table);
      assert.ok(rows.every((r) => r.business_id === b));
    }
  });

  test('the API lists the accounts, their people, their deals and their jobs', async () => {
    const list = (await api.get('/companies?limit=100')).json() as { data: Array<{ id: string; name: string; domain: string; address: { city?: string } }> };
    assert.equal(list.data.length, data.companies.length);
    const school = data.companies.find((c) => c.customFields.industry === 'education')!;
    const id = companyIds.get(school.key)!;
    const people = (await api.get(`/contacts?companyId=${id}&limit=100`)).json() as { data: Array<{ id: string }> };
    assert.equal(people.data.length, school.contacts.length);
    const deals = (await api.get(`/deals?companyId=${id}&limit=100`)).json() as { data: Array<{ companyId: string }> };
    assert.equal(deals.data.length, data.deals.filter((d) => d.companyKey === school.key).length);
    assert.ok(deals.data.every((d) => d.companyId === id));
    const busiest = [...data.companies].sort((a, z) => data.jobs.filter((j) => j.companyKey === z.key).length - data.jobs.filter((j) => j.companyKey === a.key).length)[0];
    const expected = data.jobs.filter((j) => j.companyKey === busiest.key).length;
    assert.ok(expected > 0);
    const jobs: Array<{ companyId: string }> = [];
    for (let cursor: string | null = null; ; ) {
      const page = (await api.get(`/jobs?companyId=${companyIds.get(busiest.key)}&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json() as { data: Array<{ companyId: string }>; nextCursor: string | null };
      jobs.push(...page.data);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.equal(jobs.length, expected);
    assert.ok(jobs.every((j) => j.companyId === companyIds.get(busiest.key)));
  });

  test('warm introductions: team members reach accounts through the contacts they served', async () => {
    const names = new Map(data.users.map((u) => [u.name, u.key]));
    let reachable = 0;
    for (const co of data.companies) {
      const id = companyIds.get(co.key)!;
      const { data: paths } = await introPaths(world().ctx, scope, { companyId: id });
      if (paths.length > 0) reachable++;
      for (const p of paths) {
        assert.ok(names.has(p.userName), `${p.userName} is on the team`);
        assert.equal(p.path[0].type, 'user');
        assert.deepEqual(p.path.at(-1), { type: 'company', id, name: co.name });
        assert.equal(p.path.at(-2)!.type, 'contact');
        assert.ok(p.strength > 0 && p.strength <= 100);
      }
    }
    assert.ok(reachable >= 5, `companies with a warm path: ${reachable} of ${data.companies.length}`);

    const busiest = [...data.companies].sort((a, b) => b.contacts.length - a.contacts.length)[0];
    const res = await api.get(`/relationships/intro?companyId=${companyIds.get(busiest.key)}`);
    assert.equal(res.statusCode, 200);
    const paths = (res.json() as { data: Array<{ userId: string; path: Array<{ type: string; id: string }> }> }).data;
    assert.ok(paths.length > 0, `no warm path to ${busiest.name}`);
    const linked = new Set(
      (await world().db.kysely.selectFrom('contact_companies').select('contact_id').where('company_id', '=', companyIds.get(busiest.key)!).execute()).map((l) => l.contact_id),
    );
    assert.ok(paths.every((p) => linked.has(p.path.at(-2)!.id)), 'the last hop is someone who works there');
  });

  test('another business sees none of the demo accounts', async () => {
    const other = await makeTenant(world().ctx, 'Other HVAC');
    const outsider = client(app, other.key);
    const id = companyIds.get(data.companies[0].key)!;
    assert.equal((await outsider.get(`/companies/${id}`)).statusCode, 404);
    assert.deepEqual((await outsider.get(`/relationships/intro?companyId=${id}`)).json().data, []);
    assert.equal(((await outsider.get('/companies')).json() as { data: unknown[] }).data.length, 0);
  });
}, { seed: SEED, start: NOW.toISOString() });
