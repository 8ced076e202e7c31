import { DateTime } from 'luxon';
import { onCallAt } from '../crm/businesses/schedule.ts';
import type { LifecycleStage } from '../crm/contacts/schema.ts';
import { BUSINESS_ADDRESS, BUSINESS_HOURS, BUSINESS_PHONE, DEMO_DOMAIN, DEMO_SLUG, DEMO_TIME_ZONE, SERVICES, TARGETS } from './catalog.ts';
import { inquiryInteractions, type InteractionDraft } from './conversations.ts';
import { notesFor, planTuneUps, replacementQuotes, reviewsFor, siteVisits, tasksFor } from './history.ts';
import { generateInquiries, historyWindow, type HistoryWindow, type JobDraft, type Staff } from './inquiries.ts';
import { AGENT_KEYS, assignContacts, generateUsers, TECH_KEYS, type ContactDraft } from './people.ts';
import { DAY, DemoRandom, HOUR, iso, isBusinessHours, local } from './random.ts';
import { commercialAccounts } from './companies.ts';
import type { DemoBusiness, DemoContact, DemoData, DemoDeal, DemoJob } from './types.ts';

export const DEFAULT_DEMO_SEED = 42;

/**
 * Builds the whole demo business as plain data. Pure: the same seed and `now`
 * give the same result, byte for byte; nothing here touches the database or
 * the system clock.
 */
export function generateDemo(seed: number, now: Date): DemoData {
  const rng = new DemoRandom(seed);
  const w = historyWindow(now);
  const users = generateUsers(rng);
  const business = demoBusiness(w);
  const onCall = { ...business.onCall, overrides: [] };
  const calendar = new TechnicianCalendar();
  const onCallTech = (at: number) => onCallAt(onCall, new Date(at))[0];
  const staff: Staff = {
    csr: () => rng.weighted([['agent1', 45], ['agent2', 40], ['manager', 15]]),
    onCall: onCallTech,
    // After hours the on-call technician takes the job when free; in the day whoever is free.
    bookTech: (start, end) => {
      const order = isBusinessHours(start) ? rng.sampleWeighted(TECH_KEYS, () => 1, TECH_KEYS.length) : [onCallTech(start), ...TECH_KEYS.filter((k) => k !== onCallTech(start))];
      const free = order.find((k) => calendar.isFree(k, start, end)) ?? null;
      if (free) calendar.book(free, start, end);
      return free;
    },
  };

  const { contacts, slots } = assignContacts(rng, w, generateInquiries(rng, w, staff));
  const interactions = inquiryInteractions(rng, slots, contacts, users);
  const jobs: JobDraft[] = slots.flatMap((s) => (s.job ? [s.job] : []));
  const plan = planTuneUps(rng, w, staff, contacts);
  jobs.push(...plan.jobs);
  interactions.push(...plan.touches);
  const { deals, installs } = replacementQuotes(rng, w, staff, contacts, jobs);
  jobs.push(...installs);
  interactions.push(...siteVisits(jobs, users));
  const reviews = reviewsFor(rng, w, jobs, users);
  const tasks = tasksFor(rng, w, contacts, slots, deals, jobs);
  interactions.push(...notesFor(rng, w, contacts, ['owner', 'manager', ...AGENT_KEYS]));

  const lastTouch = latestTouches(interactions);
  interactions.push(...optOuts(rng, w, contacts, lastTouch));
  const stages = lifecycleStages(rng, w, contacts, jobs, deals.filter((d) => d.status === 'lost').map((d) => d.contact));

  jobs.sort((a, b) => a.createdAt - b.createdAt || a.start - b.start);
  const jobKey = new Map(jobs.map((j, i) => [j, `j${String(i + 1).padStart(5, '0')}`]));
  deals.sort((a, b) => a.createdAt - b.createdAt);
  const dealKey = new Map(deals.map((d, i) => [d, `d${String(i + 1).padStart(4, '0')}`]));
  const key = (index: number | null) => (index === null ? null : contacts[index].key);
  interactions.sort((a, b) => a.at - b.at);

  const demoContacts = contacts.map((c): DemoContact => {
    const last = lastTouch.get(c.index) ?? null;
    const consents = [...c.consents].sort((a, b) => a.at - b.at);
    return {
      key: c.key,
      firstName: c.firstName,
      lastName: c.lastName,
      phone: c.phone,
      phones: c.phones,
      email: c.email,
      address: c.address,
      source: c.source,
      lifecycleStage: stages.get(c.index)!,
      tags: [...c.tags].sort(),
      customFields: c.customFields,
      ownerKey: c.ownerKey,
      consents: consents.map((x) => ({ ...x, at: iso(x.at) })),
      lastInteractionAt: last === null ? null : iso(last),
      createdAt: iso(c.createdAt),
      updatedAt: iso(Math.max(c.createdAt, last ?? 0, consents.at(-1)?.at ?? 0)),
    };
  });
  const demoJobs = jobs.map((j): Omit<DemoJob, 'companyKey'> => ({
    key: jobKey.get(j)!,
    contactKey: contacts[j.contact].key,
    serviceType: j.service,
    status: j.status,
    scheduledStart: iso(j.start),
    scheduledEnd: iso(j.end),
    completedAt: j.status === 'completed' ? iso(j.end) : null,
    amountCents: j.amountCents,
    technicianKey: j.techKey,
    notes: j.notes,
    createdAt: iso(j.createdAt),
    updatedAt: iso(j.updatedAt),
  }));
  const demoDeals = deals.map((d): Omit<DemoDeal, 'companyKey'> => {
    const { contact, closedAt, createdAt, updatedAt, ...rest } = d;
    return { ...rest, key: dealKey.get(d)!, contactKey: contacts[contact].key, closedAt: closedAt === null ? null : iso(closedAt), createdAt: iso(createdAt), updatedAt: iso(updatedAt) };
  });
  // Last, and from its own random stream: the rest of the history is the same with or without the accounts.
  const { companies, companyOf } = commercialAccounts(seed, { contacts: demoContacts, jobs: demoJobs, deals: demoDeals, users });
  const companyKey = (contactKey: string) => companyOf.get(contactKey) ?? null;

  return {
    seed,
    now: now.toISOString(),
    startedAt: iso(w.startMs),
    business,
    users,
    contacts: demoContacts,
    companies,
    interactions: interactions.map(({ contact, at, ...rest }) => ({ ...rest, contactKey: contacts[contact].key, occurredAt: iso(at) })),
    jobs: demoJobs.map((j) => ({ ...j, companyKey: companyKey(j.contactKey) })),
    deals: demoDeals.map((d) => ({ ...d, companyKey: companyKey(d.contactKey) })),
    reviews: reviews
      .sort((a, b) => a.requestedAt - b.requestedAt)
      .map(({ job, requestedAt, receivedAt, ...r }) => ({ ...r, contactKey: contacts[job.contact].key, jobKey: jobKey.get(job)!, requestedAt: iso(requestedAt), receivedAt: receivedAt === null ? null : iso(receivedAt) })),
    tasks: tasks
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(({ contact, deal, job, dueAt, completedAt, createdAt, updatedAt, ...t }) => ({
        ...t,
        contactKey: key(contact),
        dealKey: deal ? dealKey.get(deal)! : null,
        jobKey: job ? jobKey.get(job)! : null,
        dueAt: dueAt === null ? null : iso(dueAt),
        completedAt: completedAt === null ? null : iso(completedAt),
        createdAt: iso(createdAt),
        updatedAt: iso(updatedAt),
      })),
    inquiries: slots.map((s) => ({
      contactKey: contacts[s.contact].key,
      at: iso(s.at),
      channel: s.channel,
      service: s.service,
      emergency: s.emergency,
      afterHours: s.afterHours,
      answered: s.answered,
      bookedOnFirstContact: s.bookedNow,
      followedUp: s.followUp !== null,
      booked: s.booked,
      newContact: s.isNew,
    })),
  };
}

/** Every technician's booked visits (cancelled ones included: they held the time while they were booked). */
class TechnicianCalendar {
  private readonly visits = new Map<string, Array<[number, number]>>();

  isFree(tech: string, start: number, end: number): boolean {
    return !(this.visits.get(tech) ?? []).some(([a, b]) => a < end && b > start);
  }

  book(tech: string, start: number, end: number): void {
    const list = this.visits.get(tech) ?? [];
    list.push([start, end]);
    this.visits.set(tech, list);
  }
}

function demoBusiness(w: HistoryWindow): DemoBusiness {
  // The rotation hands over on Monday mornings at 08:00, Austin time.
  const anchor = local(w.startMs).startOf('week').set({ hour: 8 });
  return {
    name: 'Comfort Pro HVAC',
    slug: DEMO_SLUG,
    timeZone: DEMO_TIME_ZONE,
    phone: BUSINESS_PHONE,
    email: `office@${DEMO_DOMAIN}`,
    address: BUSINESS_ADDRESS,
    businessHours: BUSINESS_HOURS,
    services: SERVICES.map((s) => ({ ...s })),
    reviewLink: `https://${DEMO_DOMAIN}/review`,
    onCall: { rotation: [...TECH_KEYS], anchor: anchor.toISO({ suppressMilliseconds: true })!, shiftHours: 168, escalationMinutes: 10 },
  };
}

/** A contact's last interaction: the latest touch that reached them (notes do not count), as in the CRM. */
function latestTouches(interactions: InteractionDraft[]): Map<number, number> {
  const last = new Map<number, number>();
  for (const i of interactions) {
    if (i.kind === 'note') continue;
    if (i.at > (last.get(i.contact) ?? -Infinity)) last.set(i.contact, i.at);
  }
  return last;
}

/** A few contacts texted STOP after their last conversation: the consent record and the inbound text. */
function optOuts(rng: DemoRandom, w: HistoryWindow, contacts: ContactDraft[], lastTouch: Map<number, number>): InteractionDraft[] {
  const out: InteractionDraft[] = [];
  for (const c of contacts) {
    if (!c.smsAllowed || !rng.chance(0.04)) continue;
    const at = (lastTouch.get(c.index) ?? c.createdAt) + Math.floor(rng.between(HOUR, 30 * DAY));
    if (at > w.nowMs) continue;
    c.consents.push({ channel: 'sms', status: 'revoked', method: 'sms_keyword', evidence: 'Replied STOP', at });
    c.smsAllowed = false;
    lastTouch.set(c.index, at);
    out.push({ contact: c.index, kind: 'sms', direction: 'inbound', channel: 'sms', subject: null, body: 'STOP', outcome: null, durationSeconds: null, userKey: null, metadata: { optOut: true }, at });
  }
  return out;
}

/**
 * What each contact is today, from the record: customer with a completed job
 * in the last 18 months, dormant with older jobs only; never-converted
 * inquiries are leads when recent, otherwise often marked lost.
 */
function lifecycleStages(rng: DemoRandom, w: HistoryWindow, contacts: ContactDraft[], jobs: JobDraft[], lostDeals: number[]): Map<number, LifecycleStage> {
  const activeFrom = DateTime.fromMillis(w.nowMs).minus({ months: TARGETS.dormantAfterMonths }).toMillis();
  const lastJob = new Map<number, number>();
  for (const j of jobs) if (j.status === 'completed' && j.end > (lastJob.get(j.contact) ?? -Infinity)) lastJob.set(j.contact, j.end);
  const lost = new Set(lostDeals);
  const stages = new Map<number, LifecycleStage>();
  for (const c of contacts) {
    const last = lastJob.get(c.index);
    let stage: LifecycleStage;
    if (last !== undefined) stage = last >= activeFrom ? 'customer' : 'dormant';
    else if (c.archetype === 'recentLead') stage = 'lead';
    else stage = lost.has(c.index) || rng.chance(0.55) ? 'lost' : 'lead';
    stages.set(c.index, stage);
  }
  return stages;
}
