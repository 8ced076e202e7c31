import { DateTime } from 'luxon';
import {
  AUSTIN_AREA_CODES, DEMO_DOMAIN, DEMO_LOGIN, OTHER_TEXAS_AREA_CODES, SOURCES, SYSTEM_TYPES, TARGETS, WEB_SOURCES, ZIP_CODES,
} from './catalog.ts';
import type { HistoryWindow, InquirySlot } from './inquiries.ts';
import { DAY, DemoRandom } from './random.ts';
import type { DemoConsent, DemoUser } from './types.ts';

export const TECH_KEYS = ['tech1', 'tech2', 'tech3', 'tech4'] as const;
export const AGENT_KEYS = ['agent1', 'agent2'] as const;

const emailLocal = (first: string, last: string): string => `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');

/** Owner, office manager, two CSRs and four technicians; only the owner can log in. */
export function generateUsers(rng: DemoRandom): DemoUser[] {
  const person = (key: string, role: DemoUser['role'], n: number): DemoUser => {
    const first = rng.faker.person.firstName();
    const last = rng.faker.person.lastName();
    const email = key === 'owner' ? DEMO_LOGIN.email : `${emailLocal(first, last)}.${key}@${DEMO_DOMAIN}`;
    return { key, name: `${first} ${last}`, email, role, phone: `+1512555${String(100 + n).padStart(4, '0')}`, password: key === 'owner' ? DEMO_LOGIN.password : null };
  };
  return [
    person('owner', 'owner', 1),
    person('manager', 'manager', 2),
    ...AGENT_KEYS.map((k, i) => person(k, 'agent', 3 + i)),
    ...TECH_KEYS.map((k, i) => person(k, 'technician', 5 + i)),
  ];
}

export type Archetype = 'active' | 'dormant' | 'recentLead' | 'oldLead';

/** A contact while the history is being built (times in epoch ms). */
export interface ContactDraft {
  index: number;
  key: string;
  archetype: Archetype;
  createdAt: number;
  firstSlot: InquirySlot;
  /** How often this household calls, relative to others. */
  propensity: number;
  planMember: boolean;
  firstName: string;
  lastName: string;
  phone: string;
  phones: Array<{ number: string; label?: string }>;
  email: string | null;
  address: { line1: string; line2?: string; city: string; region: string; postalCode: string; country: string };
  source: string;
  tags: Set<string>;
  customFields: Record<string, string | number | boolean | null>;
  ownerKey: string | null;
  consents: Array<Omit<DemoConsent, 'at'> & { at: number }>;
  smsAllowed: boolean;
}

/**
 * Chooses which inquiries created a new contact (by what the contact is
 * today), then gives every other inquiry to a contact who existed by then.
 * Returns the contacts sorted by creation; slots nobody could have made are
 * dropped from `slots`.
 */
export function assignContacts(rng: DemoRandom, w: HistoryWindow, slots: InquirySlot[]): { contacts: ContactDraft[]; slots: InquirySlot[] } {
  const nowDt = DateTime.fromMillis(w.nowMs);
  const activeCutoff = nowDt.minus({ months: TARGETS.dormantAfterMonths }).toMillis();
  const dormantCutoff = nowDt.minus({ months: TARGETS.dormantAfterMonths + 2 }).toMillis();
  const recentLeadFrom = nowDt.minus({ months: TARGETS.recentLeadMonths }).toMillis();
  // The business started using the CRM 36 months ago: early on, most callers are new to it.
  const early = (s: InquirySlot) => 1 + 3 * Math.exp(-(s.at - w.startMs) / (75 * DAY));
  const completed = (s: InquirySlot) => s.job?.status === 'completed';
  const picks: Array<[Archetype, InquirySlot]> = [];
  const take = (archetype: Archetype, pool: InquirySlot[], weight: (s: InquirySlot) => number, k: number) => {
    for (const s of rng.sampleWeighted(pool.filter((p) => !p.isNew), weight, k)) {
      s.isNew = true;
      picks.push([archetype, s]);
    }
  };
  take('dormant', slots.filter((s) => completed(s) && s.at < dormantCutoff), early, TARGETS.dormantCustomers);
  const activeEarly = TARGETS.activeCustomers - Math.round(TARGETS.activeCustomers * 0.55);
  take('active', slots.filter((s) => completed(s) && s.at < activeCutoff), early, activeEarly);
  take('active', slots.filter((s) => completed(s) && s.at >= activeCutoff), () => 1, TARGETS.activeCustomers - activeEarly);
  take('oldLead', slots.filter((s) => !s.booked && s.at < recentLeadFrom), early, TARGETS.oldLeads);
  take('recentLead', slots.filter((s) => !s.booked && s.at >= recentLeadFrom), () => 1, TARGETS.recentLeads);

  picks.sort((a, b) => a[1].at - b[1].at);
  const contacts: ContactDraft[] = picks.map(([archetype, slot], index) => {
    slot.contact = index;
    return newContact(rng, index, archetype, slot);
  });
  assignPhonesAndEmails(rng, contacts);

  // Customers who joined before the active window need a completed job inside it.
  const recentJobs = slots.filter((s) => !s.isNew && completed(s) && s.at >= activeCutoff + 7 * DAY && s.at < w.nowMs - DAY);
  for (const c of contacts) {
    if (c.archetype !== 'active' || c.createdAt >= activeCutoff || recentJobs.length === 0) continue;
    const i = rng.int(0, recentJobs.length - 1);
    recentJobs[i].contact = c.index;
    recentJobs.splice(i, 1);
  }

  const kept: InquirySlot[] = [];
  const calls = contacts.map(() => 0);
  let available = 0;
  for (const s of slots) {
    while (available < contacts.length && contacts[available].createdAt < s.at) available++;
    if (s.contact < 0) {
      const weight = (i: number): number => {
        const c = contacts[i];
        const customer = c.archetype === 'active' || (c.archetype === 'dormant' && s.at < dormantCutoff);
        const lead = !s.booked && (c.archetype === 'recentLead' || (c.archetype === 'oldLead' && s.at < c.createdAt + 120 * DAY));
        if (!customer && !lead) return 0;
        // Diminishing returns keep the first households of the history from soaking up every call.
        return (c.propensity * (customer ? 1 : 0.4)) / (1 + 0.2 * calls[i]);
      };
      let total = 0;
      let eligible = 0;
      let lastEligible = -1;
      for (let i = 0; i < available; i++) {
        const wt = weight(i);
        total += wt;
        if (wt > 0) {
          eligible++;
          lastEligible = i;
        }
      }
      // Nobody who could have made this call existed yet (first days of history).
      if (eligible < 8) continue;
      let r = rng.float() * total;
      for (let i = 0; i < available && s.contact < 0; i++) {
        const wt = weight(i);
        r -= wt;
        if (r < 0 && wt > 0) s.contact = i;
      }
      if (s.contact < 0) s.contact = lastEligible;
    }
    calls[s.contact]++;
    if (s.job) s.job.contact = s.contact;
    kept.push(s);
  }
  return { contacts, slots: kept };
}

function newContact(rng: DemoRandom, index: number, archetype: Archetype, slot: InquirySlot): ContactDraft {
  const f = rng.faker;
  const firstName = f.person.firstName();
  const lastName = f.person.lastName();
  const [postalCode, city] = rng.weighted(ZIP_CODES.map(([zip, c, weight]) => [[zip, c] as const, weight] as const));
  const customer = archetype === 'active' || archetype === 'dormant';
  const tags = new Set<string>();
  const planMember = archetype === 'active' && rng.chance(0.35);
  if (planMember) tags.add('maintenance-plan');
  if (archetype === 'dormant' && rng.chance(0.12)) tags.add('plan-lapsed');
  if (customer && rng.chance(0.05)) tags.add('vip');
  if (rng.chance(0.12)) tags.add('pets');
  if (rng.chance(0.05)) tags.add(rng.chance(0.5) ? 'senior-discount' : 'military-discount');
  if (!customer && rng.chance(0.1)) tags.add('price-shopper');
  const systemAgeYears = rng.int(1, 25);
  if (systemAgeYears >= 15 && rng.chance(0.6)) tags.add('r22-system');
  const consents: ContactDraft['consents'] = [];
  const smsMethod = slot.channel === 'web' ? 'web_form' : slot.channel === 'sms' ? 'inbound_message' : 'verbal';
  const smsEvidence = {
    web_form: 'Checked "Text me about my appointment" on the website form',
    inbound_message: 'Texted the business first',
    verbal: 'Agreed to appointment texts on the phone',
  }[smsMethod];
  if (rng.chance(slot.channel === 'sms' ? 1 : slot.channel === 'web' ? 0.85 : 0.75)) {
    consents.push({ channel: 'sms', status: 'granted', method: smsMethod, evidence: smsEvidence, at: slot.at });
  }
  const mix = slot.channel === 'web' ? WEB_SOURCES : SOURCES;
  return {
    index,
    key: `c${String(index + 1).padStart(4, '0')}`,
    archetype,
    createdAt: slot.at,
    firstSlot: slot,
    propensity: rng.spread(0.5),
    planMember,
    firstName,
    lastName,
    phone: '',
    phones: [],
    email: null,
    address: {
      line1: f.location.streetAddress(),
      ...(rng.chance(0.08) ? { line2: f.location.secondaryAddress() } : {}),
      city,
      region: 'TX',
      postalCode,
      country: 'US',
    },
    source: rng.weighted(mix),
    tags,
    customFields: {
      systemType: rng.weighted(SYSTEM_TYPES),
      systemAgeYears,
      homeSqft: rng.int(11, 42) * 100,
    },
    ownerKey: rng.chance(0.3) ? rng.pick(['manager', ...AGENT_KEYS]) : null,
    consents,
    smsAllowed: consents.length > 0,
  };
}

/** Unique fictional numbers (555-0100..0199) and unique example.* addresses. */
function assignPhonesAndEmails(rng: DemoRandom, contacts: ContactDraft[]): void {
  const used = new Set<string>();
  const draw = (): string => {
    for (;;) {
      const area = rng.chance(0.45) ? rng.pick(AUSTIN_AREA_CODES) : rng.pick(OTHER_TEXAS_AREA_CODES);
      // 512-555-0100..0110 belong to the business and its staff.
      const line = rng.int(area === '512' ? 111 : 100, 199);
      const number = `+1${area}5550${line}`;
      if (!used.has(number)) {
        used.add(number);
        return number;
      }
    }
  };
  const emails = new Set<string>();
  for (const c of contacts) {
    c.phone = draw();
    c.phones = [{ number: c.phone, label: 'mobile' }];
    if (rng.chance(0.1)) c.phones.push({ number: draw(), label: rng.pick(['work', 'home', 'spouse']) });
    if (rng.chance(0.85)) {
      const base = rng.faker.internet.exampleEmail({ firstName: c.firstName, lastName: c.lastName }).toLowerCase();
      let email = base;
      for (let n = 2; emails.has(email); n++) email = base.replace('@', `${n}@`);
      emails.add(email);
      c.email = email;
      if (rng.chance(0.45)) {
        const web = c.firstSlot.channel === 'web';
        c.consents.push({ channel: 'email', status: 'granted', method: web ? 'web_form' : 'verbal', evidence: web ? 'Opted in to emails on the website form' : 'Asked for the invoice and offers by email', at: c.createdAt });
      }
    }
  }
}
