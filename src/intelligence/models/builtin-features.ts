import { DateTime } from 'luxon';
import { byContact, type History } from './builtin-history.ts';

/**
 * Feature rows for the built-in models, built from a business's own history as
 * it stood at a moment `t` (nothing from after `t` leaks into a row). Pure.
 */
export type FeatureRecord = Record<string, string | number | boolean | null>;
export interface Examples {
  records: FeatureRecord[];
  labels: Array<0 | 1>;
}

export const DAY = 86_400_000;
export const LEAD_WINDOW_DAYS = 14;
export const CHURN_HORIZON_DAYS = 365;
export const STALL_HORIZON_DAYS = 45;

export interface Indexed {
  h: History;
  interactions: Map<string, History['interactions']>;
  jobs: Map<string, History['jobs']>;
  reviews: Map<string, History['reviews']>;
  contacts: Map<string, History['contacts'][number]>;
}

export function indexHistory(h: History): Indexed {
  return { h, interactions: byContact(h.interactions), jobs: byContact(h.jobs), reviews: byContact(h.reviews), contacts: new Map(h.contacts.map((c) => [c.id, c])) };
}

const iso = (t: number) => new Date(t).toISOString();
const round = (v: number) => Math.round(v * 10) / 10;

/** A lead moment: an inbound inquiry, or the contact's creation when the record has no inquiries. */
export interface LeadMoment {
  contactId: string;
  at: number;
  channel: string | null;
  service: string | null;
  urgency: string | null;
  outcome: string | null;
}

export function leadMoments(ix: Indexed): LeadMoment[] {
  const out: LeadMoment[] = [];
  for (const c of ix.h.contacts) {
    const inquiries = (ix.interactions.get(c.id) ?? []).filter((i) => i.inquiry && i.direction === 'inbound');
    if (inquiries.length) for (const i of inquiries) out.push({ contactId: c.id, at: i.at, channel: i.channel, service: i.service, urgency: i.urgency, outcome: i.outcome });
    else out.push({ contactId: c.id, at: c.createdAt, channel: null, service: null, urgency: null, outcome: null });
  }
  return out;
}

function priorJobs(ix: Indexed, contactId: string, t: number) {
  const done = (ix.jobs.get(contactId) ?? []).filter((j) => j.status === 'completed' && j.completedAt !== null && j.completedAt <= t);
  const last = done.reduce((m, j) => Math.max(m, j.completedAt!), -Infinity);
  return { done, last };
}

function lastRating(ix: Indexed, contactId: string, t: number): number | null {
  const rs = (ix.reviews.get(contactId) ?? []).filter((r) => r.at <= t && r.rating !== null);
  return rs.length ? rs[rs.length - 1].rating : null;
}

/** Lead conversion features at the lead moment (response time as seen at `asOf`, capped at two days). */
export function leadRecord(ix: Indexed, m: LeadMoment, asOf: number): FeatureRecord {
  const c = ix.contacts.get(m.contactId)!;
  const local = DateTime.fromMillis(m.at, { zone: ix.h.timeZone });
  const reply = (ix.interactions.get(m.contactId) ?? []).find((i) => i.direction === 'outbound' && i.at > m.at && i.at <= m.at + 2 * DAY && i.at <= asOf);
  const waited = reply ? reply.at - m.at : Math.min(asOf - m.at, 2 * DAY);
  const jobs = priorJobs(ix, m.contactId, m.at);
  const touchesLastYear = (ix.interactions.get(m.contactId) ?? []).filter((i) => i.at < m.at - 60_000 && i.at >= m.at - 365 * DAY).length;
  return {
    as_of: iso(m.at),
    source: c.source,
    channel: m.channel,
    service_type: m.service,
    urgency: m.urgency,
    first_contact_outcome: m.outcome,
    local_hour: local.hour,
    after_hours: local.hour < 8 || local.hour >= 18 || local.weekday > 5,
    new_contact: c.createdAt >= m.at - DAY,
    response_minutes: round(waited / 60_000),
    prior_jobs: jobs.done.length,
    days_since_last_job: jobs.done.length ? round((m.at - jobs.last) / DAY) : null,
    touches_last_year: touchesLastYear,
    last_review_rating: lastRating(ix, m.contactId, m.at),
  };
}

export function leadExamples(ix: Indexed): Examples {
  const out: Examples = { records: [], labels: [] };
  for (const m of leadMoments(ix)) {
    if (m.at > ix.h.now - LEAD_WINDOW_DAYS * DAY) continue; // outcome not known yet
    const booked = (ix.jobs.get(m.contactId) ?? []).some((j) => j.status !== 'cancelled' && j.createdAt >= m.at - 3_600_000 && j.createdAt <= m.at + LEAD_WINDOW_DAYS * DAY);
    out.records.push(leadRecord(ix, m, m.at + LEAD_WINDOW_DAYS * DAY));
    out.labels.push(booked ? 1 : 0);
  }
  return out;
}

/** Churn / dormancy features of a customer at `t`. Null when the contact had no completed job by then (not a customer yet). */
export function churnRecord(ix: Indexed, contactId: string, t: number): FeatureRecord | null {
  const c = ix.contacts.get(contactId)!;
  const jobs = priorJobs(ix, contactId, t);
  if (!jobs.done.length) return null;
  const spend = jobs.done.reduce((s, j) => s + (j.amountCents ?? 0), 0) / 100;
  const lastJob = jobs.done.reduce((a, j) => (j.completedAt! > a.completedAt! ? j : a));
  const inbound = (ix.interactions.get(contactId) ?? []).filter((i) => i.direction === 'inbound' && i.at <= t && i.at > t - 365 * DAY).length;
  return {
    as_of: iso(t),
    source: c.source,
    days_since_last_job: round((t - jobs.last) / DAY),
    jobs_completed: jobs.done.length,
    total_spend: Math.round(spend),
    average_ticket: Math.round(spend / jobs.done.length),
    customer_for_days: round((t - Math.min(c.createdAt, jobs.done[0].completedAt!)) / DAY),
    last_service_type: lastJob.serviceType,
    last_review_rating: lastRating(ix, contactId, t),
    inbound_contacts_last_year: inbound,
  };
}

export function churnExamples(ix: Indexed): Examples {
  const out: Examples = { records: [], labels: [] };
  const start = Math.min(...ix.h.contacts.map((c) => c.createdAt), ix.h.now);
  for (let t = start + 180 * DAY; t <= ix.h.now - CHURN_HORIZON_DAYS * DAY; t += 60 * DAY) {
    for (const c of ix.h.contacts) {
      const rec = churnRecord(ix, c.id, t);
      if (!rec) continue;
      const returned = (ix.jobs.get(c.id) ?? []).some((j) => j.status === 'completed' && j.completedAt !== null && j.completedAt > t && j.completedAt <= t + CHURN_HORIZON_DAYS * DAY);
      out.records.push(rec);
      out.labels.push(returned ? 0 : 1);
    }
  }
  return out;
}

/** Deal stall features of an open deal at `t`. */
export function dealRecord(ix: Indexed, deal: History['deals'][number], t: number): FeatureRecord {
  const c = deal.contactId ? ix.contacts.get(deal.contactId) : undefined;
  const touches = deal.contactId ? (ix.interactions.get(deal.contactId) ?? []).filter((i) => i.at >= deal.createdAt && i.at <= t) : [];
  const lastTouch = touches.length ? touches[touches.length - 1].at : deal.createdAt;
  return {
    as_of: iso(t),
    source: c?.source ?? null,
    amount: deal.amountCents === null ? null : Math.round(deal.amountCents / 100),
    age_days: round((t - deal.createdAt) / DAY),
    touches_since_created: touches.length,
    replies_since_created: touches.filter((i) => i.direction === 'inbound').length,
    days_since_last_touch: round((t - lastTouch) / DAY),
    prior_jobs: deal.contactId ? priorJobs(ix, deal.contactId, t).done.length : 0,
  };
}

export function dealExamples(ix: Indexed): Examples {
  const out: Examples = { records: [], labels: [] };
  for (const d of ix.h.deals) {
    for (const age of [7, 21, 45]) {
      const t = d.createdAt + age * DAY;
      if (t > ix.h.now - STALL_HORIZON_DAYS * DAY) continue;
      if (d.closedAt !== null && d.closedAt <= t) continue; // already decided
      const won = d.status === 'won' && d.closedAt !== null && d.closedAt <= t + STALL_HORIZON_DAYS * DAY;
      out.records.push(dealRecord(ix, d, t));
      out.labels.push(won ? 0 : 1);
    }
  }
  return out;
}
