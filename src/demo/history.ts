import { DateTime } from 'luxon';
import {
  DEAL_LOST_REASONS, DEAL_WON_REASONS, NOTE_TEMPLATES, PLAN_TUNE_UP_CENTS, REVIEW_BODIES, serviceByKey, TASK_TEMPLATES,
} from './catalog.ts';
import { when, type InteractionDraft } from './conversations.ts';
import { planJob, type HistoryWindow, type InquirySlot, type JobDraft, type Staff } from './inquiries.ts';
import { AGENT_KEYS, type ContactDraft } from './people.ts';
import { appointmentStart, DAY, DemoRandom, HOUR, local, roundTo } from './random.ts';
import type { DemoDeal, DemoReview, DemoTask, DemoUser } from './types.ts';

export type DealDraft = Omit<DemoDeal, 'key' | 'contactKey' | 'companyKey' | 'closedAt' | 'createdAt' | 'updatedAt'> & { contact: number; closedAt: number | null; createdAt: number; updatedAt: number };
export type ReviewDraft = Omit<DemoReview, 'contactKey' | 'jobKey' | 'requestedAt' | 'receivedAt'> & { job: JobDraft; requestedAt: number; receivedAt: number | null };
export type TaskDraft = Omit<DemoTask, 'contactKey' | 'dealKey' | 'jobKey' | 'dueAt' | 'completedAt' | 'createdAt' | 'updatedAt'> & {
  contact: number | null; deal: DealDraft | null; job: JobDraft | null; dueAt: number | null; completedAt: number | null; createdAt: number; updatedAt: number;
};

const fill = (template: string, values: Record<string, string>): string => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');
const fullName = (c: ContactDraft) => `${c.firstName} ${c.lastName}`;
const systemLabel: Record<string, string> = { central_ac_gas_furnace: 'AC and gas furnace', heat_pump: 'heat pump', mini_split: 'mini-split', package_unit: 'package unit' };

/** Spring and fall tune-ups for maintenance-plan members, each announced by a text (or a call). */
export function planTuneUps(rng: DemoRandom, w: HistoryWindow, staff: Staff, contacts: ContactDraft[]): { jobs: JobDraft[]; touches: InteractionDraft[] } {
  const jobs: JobDraft[] = [];
  const touches: InteractionDraft[] = [];
  const at = (year: number, month: number, day: number) => DateTime.fromObject({ year, month, day }, { zone: 'America/Chicago' }).toMillis();
  const seasons: Array<{ season: 'spring' | 'fall'; from: number; to: number }> = [];
  for (let year = local(w.startMs).year; year <= local(w.nowMs).year; year++) {
    seasons.push({ season: 'spring', from: at(year, 3, 10), to: at(year, 4, 30) }, { season: 'fall', from: at(year, 9, 10), to: at(year, 10, 31) });
  }
  for (const c of contacts.filter((x) => x.planMember)) {
    for (const { season, from, to: b } of seasons) {
      const a = Math.max(from, c.createdAt + 14 * DAY);
      if (a >= b) continue;
      const start = appointmentStart(rng, Math.floor(rng.between(a, b)), 0, 0);
      const createdAt = Math.max(c.createdAt + HOUR, start - rng.int(7, 21) * DAY);
      if (start > w.nowMs + 14 * DAY || createdAt > w.nowMs) continue;
      const job = { ...planJob(rng, staff, w, 'tune_up', start, createdAt, true), contact: c.index, origin: 'plan' as const, notes: `${season === 'spring' ? 'Spring' : 'Fall'} maintenance-plan visit` };
      if (job.status === 'completed') job.amountCents = PLAN_TUNE_UP_CENTS;
      jobs.push(job);
      const text = `Hi ${c.firstName}, it's time for your ${season} tune-up (part of your maintenance plan). You're booked for ${when(start)}. Reply C to confirm or call us to reschedule.`;
      const base = { contact: c.index, subject: null, userKey: staff.csr(), metadata: { planReminder: true }, at: createdAt, body: text };
      touches.push(c.smsAllowed
        ? { ...base, kind: 'sms', direction: 'outbound', channel: 'sms', outcome: null, durationSeconds: null }
        : { ...base, kind: 'call', direction: 'outbound', channel: 'phone', outcome: 'answered', durationSeconds: rng.int(60, 240), body: `Scheduled ${season} plan tune-up for ${when(start)}.` });
    }
  }
  return { jobs, touches };
}

/**
 * Replacement quotes: some repair visits on old systems turn into a quote
 * ($6k–$14k); won quotes become installation jobs. Some unconverted leads
 * asked for a quote too.
 */
export function replacementQuotes(rng: DemoRandom, w: HistoryWindow, staff: Staff, contacts: ContactDraft[], jobs: JobDraft[]): { deals: DealDraft[]; installs: JobDraft[] } {
  const deals: DealDraft[] = [];
  const installs: JobDraft[] = [];
  const quoted = new Set<number>();
  // Leads never win (a win would make them customers with an installation); their quotes go stale or get lost.
  const newDeal = (c: ContactDraft, createdAt: number, lead: boolean): DealDraft => {
    const tons = rng.pick(['2.5-ton', '3-ton', '3.5-ton', '4-ton', '5-ton']);
    const deal: DealDraft = {
      contact: c.index,
      title: `${tons} ${systemLabel[String(c.customFields.systemType)] ?? 'system'} replacement for ${c.lastName}`,
      stage: 'new', status: 'open',
      amountCents: roundTo(rng.between(6_000, 14_000) * 100, 5_000),
      expectedCloseDate: local(createdAt + 21 * DAY).toISODate(),
      closedAt: null, closeReason: null,
      ownerKey: rng.chance(0.5) ? 'owner' : 'manager',
      createdAt, updatedAt: createdAt,
    };
    const closeAt = createdAt + Math.floor(rng.between(4, 35) * DAY);
    const stalled = createdAt > w.nowMs - 180 * DAY && rng.chance(lead ? 0.35 : 0.08);
    if (closeAt <= w.nowMs && !stalled) {
      const won = !lead && rng.chance(0.45);
      Object.assign(deal, { stage: won ? 'won' : 'lost', status: won ? 'won' : 'lost', closedAt: closeAt, updatedAt: closeAt, expectedCloseDate: null });
      deal.closeReason = won ? rng.pick(DEAL_WON_REASONS) : rng.weighted(DEAL_LOST_REASONS.map((r) => [r, r === 'No response after quote' ? 3 : 1] as const));
    } else {
      const age = (w.nowMs - createdAt) / DAY;
      deal.stage = stalled ? rng.pick(['quote_sent', 'negotiation'] as const) : age < 3 ? 'new' : age < 8 ? 'qualified' : age < 20 ? 'quote_sent' : 'negotiation';
      deal.updatedAt = Math.min(w.nowMs, createdAt + Math.floor(Math.min(age, 20) * DAY * rng.between(0.3, 1)));
      c.tags.add('quote-requested');
    }
    quoted.add(c.index);
    deals.push(deal);
    return deal;
  };

  const repairs = jobs.filter((j) => j.status === 'completed' && ['ac_repair', 'furnace_repair', 'emergency_service'].includes(j.service)).sort((a, b) => a.end - b.end);
  for (const job of repairs) {
    const c = contacts[job.contact];
    if (quoted.has(c.index) || !rng.chance(Number(c.customFields.systemAgeYears) >= 10 ? 0.11 : 0.02)) continue;
    const createdAt = job.end + Math.floor(rng.between(2 * HOUR, 2 * DAY));
    if (createdAt > w.nowMs) continue;
    const deal = newDeal(c, createdAt, false);
    if (deal.status !== 'won' || deal.closedAt === null) continue;
    const start = appointmentStart(rng, deal.closedAt, rng.int(3, 12));
    const install = { ...planJob(rng, staff, w, 'installation', start, deal.closedAt, false), contact: c.index, origin: 'install' as const, notes: deal.title };
    install.amountCents = install.status === 'completed' || install.status === 'scheduled' ? deal.amountCents : null;
    installs.push(install);
    if (install.status === 'completed') {
      c.customFields.systemAgeYears = Math.max(0, Math.floor((w.nowMs - install.end) / (365 * DAY)));
      c.tags.delete('r22-system');
      c.tags.add('warranty');
    }
  }
  for (const c of contacts) {
    if (c.archetype === 'oldLead' && rng.chance(0.25)) newDeal(c, c.createdAt + Math.floor(rng.between(1, 3) * DAY), true);
    if (c.archetype === 'recentLead' && rng.chance(0.2) && c.createdAt + DAY < w.nowMs) newDeal(c, c.createdAt + Math.floor(rng.between(2 * HOUR, DAY)), true);
  }
  return { deals, installs };
}

/** Every completed job leaves a site visit on the customer's timeline. */
export function siteVisits(jobs: JobDraft[], users: DemoUser[]): InteractionDraft[] {
  const techName = new Map(users.map((u) => [u.key, u.name.split(' ')[0]]));
  return jobs
    .filter((j) => j.status === 'completed')
    .map((j) => ({
      contact: j.contact, kind: 'site_visit', direction: null, channel: 'in_person',
      subject: serviceByKey.get(j.service)!.name,
      body: `${serviceByKey.get(j.service)!.name} completed by ${techName.get(j.techKey)}. Invoice $${((j.amountCents ?? 0) / 100).toFixed(2)}.`,
      outcome: 'completed', durationSeconds: Math.round((j.end - j.start) / 1000), userKey: j.techKey, metadata: { service: j.service }, at: j.end,
    }));
}

/** Review requests after about half of completed jobs; a third answer, mostly with 4–5 stars. */
export function reviewsFor(rng: DemoRandom, w: HistoryWindow, jobs: JobDraft[], users: DemoUser[]): ReviewDraft[] {
  const techName = new Map(users.map((u) => [u.key, u.name.split(' ')[0]]));
  const out: ReviewDraft[] = [];
  for (const job of jobs) {
    if (job.status !== 'completed' || !rng.chance(0.5)) continue;
    const requestedAt = job.end + Math.floor(rng.between(HOUR, 4 * HOUR));
    if (requestedAt > w.nowMs) continue;
    let receivedAt: number | null = rng.chance(0.38) ? requestedAt + Math.floor(rng.between(20 * 60_000, 4 * DAY)) : null;
    if (receivedAt !== null && receivedAt > w.nowMs) receivedAt = null;
    const rating = receivedAt === null ? null : rng.weighted([[5, 70], [4, 18], [3, 5], [2, 3], [1, 4]]);
    const body = rating === null ? null : fill(rng.pick(REVIEW_BODIES[rating]), { tech: techName.get(job.techKey) ?? 'The tech' });
    out.push({ job, platform: 'google', status: receivedAt === null ? 'requested' : 'received', rating, body, requestedAt, receivedAt });
  }
  return out;
}

/** Manual tasks: callbacks for fresh leads, quote follow-ups, parts and warranty paperwork. */
export function tasksFor(rng: DemoRandom, w: HistoryWindow, contacts: ContactDraft[], slots: InquirySlot[], deals: DealDraft[], jobs: JobDraft[]): TaskDraft[] {
  const out: TaskDraft[] = [];
  const agent = () => rng.pick(AGENT_KEYS);
  const base = { deal: null, job: null, description: null } as const;
  for (const s of slots) {
    const c = contacts[s.contact];
    const values = { name: fullName(c), service: serviceByKey.get(s.service)!.name.toLowerCase() };
    if (!s.booked && !s.followUp && s.at > w.nowMs - 21 * DAY && rng.chance(0.5)) {
      out.push({ ...base, contact: c.index, title: fill(TASK_TEMPLATES.callbackLead, values), assigneeKey: agent(), dueAt: s.at + DAY, status: 'open', completedAt: null, createdAt: s.at, updatedAt: s.at });
    } else if (s.followUp && rng.chance(0.3)) {
      const status = rng.chance(0.05) ? 'cancelled' : 'done';
      const doneAt = s.followUp.at;
      out.push({ ...base, contact: c.index, title: fill(TASK_TEMPLATES.callbackLead, values), assigneeKey: s.followUp.userKey, dueAt: s.at + DAY, status, completedAt: status === 'done' ? doneAt : null, createdAt: s.at, updatedAt: doneAt });
    }
  }
  for (const d of deals) {
    const c = contacts[d.contact];
    const values = { name: fullName(c) };
    const sentAt = Math.min(w.nowMs, d.createdAt + Math.floor(rng.between(2 * HOUR, DAY)));
    out.push({ ...base, contact: c.index, deal: d, title: fill(TASK_TEMPLATES.sendQuote, values), assigneeKey: d.ownerKey, dueAt: d.createdAt + DAY, status: 'done', completedAt: sentAt, createdAt: d.createdAt, updatedAt: sentAt });
    if (d.status === 'open') {
      const due = d.expectedCloseDate ? DateTime.fromISO(d.expectedCloseDate, { zone: 'America/Chicago' }).set({ hour: 9 }).toMillis() : w.nowMs + 3 * DAY;
      out.push({ ...base, contact: c.index, deal: d, title: fill(TASK_TEMPLATES.quoteFollowUp, values), assigneeKey: d.ownerKey, dueAt: due, status: 'open', completedAt: null, createdAt: d.createdAt, updatedAt: d.updatedAt });
    }
  }
  for (const j of jobs) {
    const c = contacts[j.contact];
    const values = { name: fullName(c), service: serviceByKey.get(j.service)!.name.toLowerCase() };
    if (j.origin === 'install' && j.status === 'completed') {
      const open = j.end > w.nowMs - 14 * DAY && rng.chance(0.6);
      const doneAt = Math.min(w.nowMs, j.end + Math.floor(rng.between(DAY, 10 * DAY)));
      out.push({ ...base, contact: c.index, job: j, title: fill(TASK_TEMPLATES.warrantyCheck, values), assigneeKey: 'manager', dueAt: j.end + 14 * DAY, status: open ? 'open' : 'done', completedAt: open ? null : doneAt, createdAt: j.end, updatedAt: open ? j.end : doneAt });
    } else if (j.status === 'scheduled' && j.service !== 'tune_up' && rng.chance(0.2)) {
      out.push({ ...base, contact: c.index, job: j, title: fill(TASK_TEMPLATES.partsOrder, values), assigneeKey: j.techKey, dueAt: j.start - DAY, status: 'open', completedAt: null, createdAt: j.createdAt, updatedAt: j.createdAt });
    }
  }
  return out;
}

/** Internal notes staff left on about a third of the contacts. */
export function notesFor(rng: DemoRandom, w: HistoryWindow, contacts: ContactDraft[], staffKeys: string[]): InteractionDraft[] {
  const out: InteractionDraft[] = [];
  for (const c of contacts) {
    if (!rng.chance(0.3)) continue;
    const body = fill(rng.pick(NOTE_TEMPLATES), { code: String(rng.int(1000, 9999)), age: String(c.customFields.systemAgeYears) });
    const at = Math.min(w.nowMs - 60_000, Math.floor(rng.between(c.createdAt + 10 * 60_000, Math.max(c.createdAt + HOUR, w.nowMs - HOUR))));
    out.push({ contact: c.index, kind: 'note', direction: null, channel: 'internal', subject: null, body, outcome: null, durationSeconds: null, userKey: rng.pick(staffKeys), metadata: {}, at });
  }
  return out;
}
