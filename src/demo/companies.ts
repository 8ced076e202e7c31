import { ACCOUNTS, type AccountTemplate } from './accounts.ts';
import { AUSTIN_AREA_CODES, OTHER_TEXAS_AREA_CODES, ZIP_CODES } from './catalog.ts';
import { DemoRandom } from './random.ts';
import type { DemoCompany, DemoContact, DemoDeal, DemoJob, DemoUser } from './types.ts';

/**
 * The companies draw from a random stream of their own, derived from the
 * demo's seed: adding or changing accounts never shifts a single contact,
 * interaction, job or deal of the main history.
 */
export const accountsSeed = (seed: number): number => seed + 100_003;

const OFFICE_INDUSTRIES = new Set(['dental_office', 'law_office', 'medical_clinic', 'insurance_office', 'accounting_office']);

export interface CommercialAccounts {
  companies: DemoCompany[];
  /** contact key → the company they call for (a contact works at one company at most). */
  companyOf: Map<string, string>;
}

/**
 * Links existing contacts to the demo's commercial accounts: customers with the
 * most service history go to the established accounts (2–5 people each, a new
 * lead now and then); prospects get leads only. Reads the generated history,
 * never changes it.
 */
export function commercialAccounts(
  seed: number,
  history: { contacts: readonly DemoContact[]; jobs: ReadonlyArray<Omit<DemoJob, 'companyKey'>>; deals: ReadonlyArray<Omit<DemoDeal, 'companyKey'>>; users: readonly DemoUser[] },
): CommercialAccounts {
  const rng = new DemoRandom(accountsSeed(seed));
  const completedJobs = new Map<string, number>();
  for (const j of history.jobs) if (j.status === 'completed') completedJobs.set(j.contactKey, (completedJobs.get(j.contactKey) ?? 0) + 1);
  const openDeal = new Set(history.deals.filter((d) => d.status === 'open').map((d) => d.contactKey));
  const hasDeal = new Set(history.deals.map((d) => d.contactKey));

  const customers = history.contacts.filter((c) => (completedJobs.get(c.key) ?? 0) > 0);
  const leads = history.contacts.filter((c) => (c.lifecycleStage === 'lead' || c.lifecycleStage === 'lost') && !completedJobs.has(c.key));
  // Accounts call often: weight by how much work a customer has had done, recent customers first.
  const customerWeight = (c: DemoContact) => (completedJobs.get(c.key) ?? 0) ** 1.5 * (c.lifecycleStage === 'customer' ? 2 : 1);
  const leadWeight = (c: DemoContact) => (openDeal.has(c.key) ? 4 : 1) * (c.lifecycleStage === 'lead' ? 2 : 1);

  const taken = new Set<string>();
  const draw = (pool: readonly DemoContact[], weight: (c: DemoContact) => number, k: number): DemoContact[] => {
    const picked = rng.sampleWeighted(pool.filter((c) => !taken.has(c.key)), weight, k);
    for (const c of picked) taken.add(c.key);
    return picked;
  };

  const usedPhones = new Set([...history.contacts.flatMap((c) => c.phones.map((p) => p.number)), ...history.users.map((u) => u.phone)]);
  const companies = ACCOUNTS.map((account, i): DemoCompany => {
    const size = rng.int(account.contacts[0], account.contacts[1]);
    const newLead = !account.prospect && size >= 3 && rng.chance(0.35) ? 1 : 0;
    // The history behind the draw depends on the moment the demo is generated for (it ends "now"), so which
    // people an account gets varies from one start to the next. Its first person is drawn from those with a
    // deal, so every account has a pipeline whenever the demo is loaded, not only at some hours of the day.
    const pool = account.prospect ? leads : customers;
    const weight = account.prospect ? leadWeight : customerWeight;
    const first = draw(pool.filter((c) => hasDeal.has(c.key)), weight, 1);
    const people = account.prospect
      ? [...first, ...draw(leads, leadWeight, size - first.length)]
      : [...first, ...draw(customers, customerWeight, size - newLead - first.length), ...draw(leads, leadWeight, newLead)];
    people.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
    return {
      key: `co${String(i + 1).padStart(2, '0')}`,
      name: account.name,
      domain: `${account.domain}.example`,
      phone: mainLine(rng, usedPhones),
      address: addressOf(rng, account),
      customFields: {
        industry: account.industry,
        accountType: account.prospect ? 'prospect' : 'commercial',
        hvacUnits: rng.int(account.hvacUnits[0], account.hvacUnits[1]),
        // Someone there is on the maintenance plan: the account has a service agreement (its tune-ups are the plan visits).
        serviceAgreement: people.some((c) => c.tags.includes('maintenance-plan')),
      },
      contacts: people.map((c, n) => ({ contactKey: c.key, title: account.titles[n], since: c.createdAt })),
      createdAt: people[0].createdAt,
      updatedAt: people[people.length - 1].createdAt,
    };
  });
  const companyOf = new Map(companies.flatMap((co) => co.contacts.map((l) => [l.contactKey, co.key] as const)));
  return { companies, companyOf };
}

function addressOf(rng: DemoRandom, account: AccountTemplate): DemoCompany['address'] {
  const zips = ZIP_CODES.filter(([zip, city]) => city === account.city && (account.zips?.includes(zip) ?? true));
  const [postalCode] = rng.weighted(zips.map((z) => [z, z[2]] as const));
  const suite = OFFICE_INDUSTRIES.has(account.industry) && rng.chance(0.6) ? `, Suite ${rng.int(1, 4)}${String(rng.int(0, 40)).padStart(2, '0')}` : '';
  return { line1: `${rng.int(100, 14_999)} ${rng.pick(account.streets)}${suite}`, city: account.city, region: 'TX', postalCode };
}

/**
 * A main line from the fictional 555-01xx block, not used by any contact or the
 * staff: Austin's area codes while they have free numbers (contacts take most
 * of them), then other Texas codes.
 */
function mainLine(rng: DemoRandom, used: Set<string>): string {
  for (const areas of [AUSTIN_AREA_CODES, OTHER_TEXAS_AREA_CODES]) {
    // 512-555-0100..0110 belong to the business and its staff.
    const free = areas.flatMap((area) => Array.from({ length: 100 }, (_, n) => `+1${area}55501${String(n).padStart(2, '0')}`)).filter((p) => !used.has(p) && !(p.startsWith('+1512') && Number(p.slice(-3)) <= 110));
    if (free.length === 0) continue;
    const number = rng.pick(free);
    used.add(number);
    return number;
  }
  throw new Error('no fictional phone number left for a company');
}
