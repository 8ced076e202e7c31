import { DateTime } from 'luxon';
import { DEMO_TIME_ZONE, TARGETS } from './catalog.ts';
import type { DemoCompany, DemoConsent, DemoContact, DemoData, DemoDeal, DemoInteraction, DemoJob, DemoReview, DemoTask } from './types.ts';

/**
 * Comfort Pro HVAC has run on Kinetic for the last three months of its history. What
 * happened before went in as an import of the old records (an import writes
 * no events, as a CSV import does); from go-live on, every lead, call, job,
 * quote and review happens through the product on a virtual clock, with the
 * playbooks running. This file splits the generated history at go-live (pure):
 * the records as they stood that morning, and the dated acts that follow.
 */
export const LIVE_MONTHS = 3;

/** Go-live, the campaigns the owner ran, in the business's zone: each a fixed distance from the anchor. */
export interface DemoCalendar {
  goLive: string;
  campaigns: Array<{ playbook: 'maintenance-reminder' | 'dormant-reactivation'; from: string; to: string }>;
}

const localAt = (iso: string) => DateTime.fromISO(iso, { zone: DEMO_TIME_ZONE });
const isoOf = (d: DateTime) => d.toUTC().toISO()!;

export function demoCalendar(now: string): DemoCalendar {
  const anchor = localAt(now);
  // A Monday at 08:00, a week to the day from the anchor minus LIVE_MONTHS; campaigns start on a Tuesday morning.
  const goLive = anchor.minus({ months: LIVE_MONTHS }).startOf('week').set({ hour: 8 });
  const tuesday = (weeksBack: number) => anchor.startOf('week').minus({ weeks: weeksBack }).plus({ days: 1 }).set({ hour: 9 });
  return {
    goLive: isoOf(goLive),
    campaigns: [
      { playbook: 'maintenance-reminder', from: isoOf(tuesday(11)), to: isoOf(tuesday(8)) },
      { playbook: 'dormant-reactivation', from: isoOf(tuesday(7)), to: isoOf(tuesday(4)) },
    ],
  };
}

export type DealStep = { at: string; stage: DemoDeal['stage']; closeReason: string | null };

export type Act =
  | { at: string; kind: 'company'; company: DemoCompany }
  | { at: string; kind: 'contact'; contact: DemoContact; consents: DemoConsent[] }
  | { at: string; kind: 'consent'; contactKey: string; consent: DemoConsent }
  | { at: string; kind: 'interaction'; interaction: DemoInteraction }
  | { at: string; kind: 'job_booked'; job: DemoJob }
  | { at: string; kind: 'job_done'; job: DemoJob }
  | { at: string; kind: 'deal_opened'; deal: DemoDeal }
  | { at: string; kind: 'deal_moved'; dealKey: string; step: DealStep }
  | { at: string; kind: 'task_created'; task: DemoTask; key: string }
  | { at: string; kind: 'task_closed'; key: string; status: 'done' | 'cancelled' }
  | { at: string; kind: 'contact_lost'; contactKey: string }
  | { at: string; kind: 'campaign'; playbook: string; enable: boolean }
  | { at: string; kind: 'day' };

/** What the import wrote: the records as they were at go-live. */
export interface Imported {
  contacts: DemoContact[];
  companies: DemoCompany[];
  /** Links of imported contacts to imported companies. */
  links: Array<{ companyKey: string; contactKey: string; title: string; since: string }>;
  interactions: DemoInteraction[];
  jobs: DemoJob[];
  deals: DemoDeal[];
  reviews: DemoReview[];
  tasks: Array<DemoTask & { key: string }>;
}

/** When a job's outcome was recorded: done at its end, a cancellation when called in, a no-show an hour after the start. */
export function jobOutcomeAt(j: DemoJob): string | null {
  if (j.status === 'completed') return j.completedAt;
  if (j.status === 'cancelled') return j.updatedAt;
  if (j.status === 'no_show') return new Date(Date.parse(j.scheduledStart) + 3_600_000).toISOString();
  return null;
}

/** A deal's stages over time: entered as new, the quote sent (the "send quote" task done), negotiation, then won or lost. */
export function dealSteps(d: DemoDeal, quoteSentAt: string | null): DealStep[] {
  const steps: DealStep[] = [];
  const quoted = quoteSentAt ?? new Date(Date.parse(d.createdAt) + 6 * 3_600_000).toISOString();
  const closing = d.closedAt ?? d.updatedAt;
  if (d.stage === 'qualified') {
    if (d.updatedAt > d.createdAt) steps.push({ at: d.updatedAt, stage: 'qualified', closeReason: null });
    return steps;
  }
  if (d.stage === 'new') return steps;
  if (quoted < closing || d.stage === 'quote_sent') steps.push({ at: quoted < closing ? quoted : closing, stage: 'quote_sent', closeReason: null });
  if (d.stage === 'negotiation' && d.updatedAt > quoted) steps.push({ at: d.updatedAt, stage: 'negotiation', closeReason: null });
  if ((d.stage === 'won' || d.stage === 'lost') && d.closedAt) steps.push({ at: d.closedAt, stage: d.stage, closeReason: d.closeReason });
  return steps;
}

/** When a lead that never booked is marked lost: six weeks after they first got in touch (before the anchor). */
export const lostAt = (c: DemoContact, now: string): string => new Date(Math.min(Date.parse(c.createdAt) + 42 * 86_400_000, Date.parse(now) - 86_400_000)).toISOString();

export function splitAtGoLive(data: DemoData, cal: DemoCalendar): { imported: Imported; acts: Act[] } {
  const g = cal.goLive;
  const before = (iso: string | null) => iso !== null && iso < g;
  const acts: Act[] = [];
  const completedBefore = new Map<string, string>();
  for (const j of data.jobs) if (j.status === 'completed' && before(j.completedAt) && j.completedAt! > (completedBefore.get(j.contactKey) ?? '')) completedBefore.set(j.contactKey, j.completedAt!);
  const activeFrom = isoOf(localAt(g).minus({ months: TARGETS.dormantAfterMonths }));

  const contacts: DemoContact[] = [];
  for (const c of data.contacts) {
    const lost = c.lifecycleStage === 'lost' ? lostAt(c, data.now) : null;
    if (before(c.createdAt)) {
      const last = completedBefore.get(c.key);
      const stage = last !== undefined ? (last >= activeFrom ? 'customer' : 'dormant') : before(lost) ? 'lost' : 'lead';
      const touches = data.interactions.filter((i) => i.contactKey === c.key && i.kind !== 'note' && before(i.occurredAt));
      const lastTouch = touches.length ? touches[touches.length - 1].occurredAt : null;
      contacts.push({ ...c, lifecycleStage: stage, consents: c.consents.filter((x) => before(x.at)), lastInteractionAt: lastTouch, updatedAt: [c.createdAt, lastTouch ?? '', ...c.consents.filter((x) => before(x.at)).map((x) => x.at)].sort().at(-1)! });
    } else {
      acts.push({ at: c.createdAt, kind: 'contact', contact: c, consents: c.consents.filter((x) => x.at <= c.createdAt) });
    }
    // Opt-outs arrive as the customer's STOP text (an interaction); other later consent changes are recorded when given.
    for (const x of c.consents) if (!before(x.at) && x.at > c.createdAt && x.method !== 'sms_keyword') acts.push({ at: x.at, kind: 'consent', contactKey: c.key, consent: x });
    if (lost && !before(lost)) acts.push({ at: lost, kind: 'contact_lost', contactKey: c.key });
  }
  const importedKeys = new Set(contacts.map((c) => c.key));

  const companies = data.companies.filter((co) => before(co.createdAt));
  for (const co of data.companies) if (!before(co.createdAt)) acts.push({ at: co.createdAt, kind: 'company', company: co });
  const links = data.companies.flatMap((co) => co.contacts.filter((l) => importedKeys.has(l.contactKey)).map((l) => ({ companyKey: co.key, contactKey: l.contactKey, title: l.title, since: l.since })));

  const interactions = data.interactions.filter((i) => before(i.occurredAt));
  for (const i of data.interactions) if (!before(i.occurredAt)) acts.push({ at: i.occurredAt, kind: 'interaction', interaction: i });

  const jobs: DemoJob[] = [];
  for (const j of data.jobs) {
    const outcome = jobOutcomeAt(j);
    if (before(j.createdAt)) {
      if (outcome === null || before(outcome)) jobs.push(j);
      else {
        jobs.push({ ...j, status: 'scheduled', completedAt: null, amountCents: null, updatedAt: j.createdAt });
        acts.push({ at: outcome, kind: 'job_done', job: j });
      }
    } else {
      acts.push({ at: j.createdAt, kind: 'job_booked', job: j });
      if (outcome !== null) acts.push({ at: outcome, kind: 'job_done', job: j });
    }
  }

  const quoteTask = new Map(data.tasks.filter((t) => t.dealKey && t.status === 'done' && t.completedAt).map((t) => [t.dealKey!, t.completedAt!]));
  const deals: DemoDeal[] = [];
  for (const d of data.deals) {
    const steps = dealSteps(d, quoteTask.get(d.key) ?? null);
    if (before(d.createdAt)) {
      const done = steps.filter((s) => before(s.at));
      const last = done.at(-1);
      const stage = last?.stage ?? 'new';
      const closed = stage === 'won' || stage === 'lost';
      deals.push({ ...d, stage, status: closed ? (stage as 'won' | 'lost') : 'open', closedAt: closed ? last!.at : null, closeReason: closed ? d.closeReason : null, expectedCloseDate: closed ? null : (d.expectedCloseDate ?? null), updatedAt: last?.at ?? d.createdAt });
      for (const s of steps.filter((x) => !before(x.at))) acts.push({ at: s.at, kind: 'deal_moved', dealKey: d.key, step: s });
    } else {
      acts.push({ at: d.createdAt, kind: 'deal_opened', deal: d });
      for (const s of steps) acts.push({ at: s.at, kind: 'deal_moved', dealKey: d.key, step: s });
    }
  }

  // Before go-live the office asked for some reviews by hand; since then the review-request playbook asks every customer.
  const reviews = data.reviews.filter((r) => before(r.requestedAt)).map((r) => (before(r.receivedAt) ? r : { ...r, status: 'requested' as const, rating: null, body: null, receivedAt: null }));

  const tasks: Imported['tasks'] = [];
  data.tasks.forEach((t, n) => {
    const key = `t${String(n + 1).padStart(4, '0')}`;
    const closedAt = t.status === 'open' ? null : (t.completedAt ?? t.updatedAt);
    if (before(t.createdAt)) {
      if (closedAt === null || before(closedAt)) tasks.push({ ...t, key });
      else {
        tasks.push({ ...t, key, status: 'open', completedAt: null, updatedAt: t.createdAt });
        acts.push({ at: closedAt, kind: 'task_closed', key, status: t.status as 'done' | 'cancelled' });
      }
    } else {
      acts.push({ at: t.createdAt, kind: 'task_created', task: t, key });
      if (closedAt !== null) acts.push({ at: closedAt, kind: 'task_closed', key, status: t.status as 'done' | 'cancelled' });
    }
  });

  for (const c of cal.campaigns) acts.push({ at: c.from, kind: 'campaign', playbook: c.playbook, enable: true }, { at: c.to, kind: 'campaign', playbook: c.playbook, enable: false });
  // Every morning at 06:00: the worker's housekeeping (dormancy, segment triggers) and the office clearing yesterday's tasks.
  for (let d = localAt(g).plus({ days: 1 }).set({ hour: 6 }); isoOf(d) < data.now; d = d.plus({ days: 1 })) acts.push({ at: isoOf(d), kind: 'day' });

  return { imported: { contacts, companies, links, interactions, jobs, deals, reviews, tasks }, acts: acts.filter((a) => a.at >= g && a.at <= data.now) };
}
