import { DateTime } from 'luxon';
import { bookSlot } from '../booking/book.ts';
import { findAvailability } from '../booking/find-slots.ts';
import { createDevProvider } from '../channels/dev-outbox.ts';
import type { AppContext, Scope } from '../context.ts';
import { systemActor } from '../context.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { companies } from '../crm/companies/companies.ts';
import { recordConsent } from '../crm/contacts/consent.ts';
import { createContact, updateContact } from '../crm/contacts/contacts.ts';
import { deals } from '../crm/deals/deals.ts';
import { interactions } from '../crm/interactions/interactions.ts';
import { jobs } from '../crm/jobs/jobs.ts';
import { reviews } from '../crm/reviews/reviews.ts';
import { tasks } from '../crm/tasks/tasks.ts';
import { setAutomationStatus } from '../engine/automations.ts';
import { handleInboundSms, handleInboundText } from '../engine/inbound.ts';
import { dispatchQueued, type Providers } from '../engine/outbox/dispatch.ts';
import { runDueEnrollments } from '../engine/runner.ts';
import { runSegmentTriggers } from '../engine/segments.ts';
import { discardDraft } from '../intelligence/intake/drafts.ts';
import { processInboundMessages } from '../intelligence/intake/inbound.ts';
import { AppError } from '../lib/errors.ts';
import type { VirtualClock } from '../lib/clock.ts';
import { markDormantCustomers } from '../worker/mark-dormant.ts';
import { DEMO_TIME_ZONE, serviceByKey } from './catalog.ts';
import type { Act } from './go-live.ts';
import { customerReaction, pageAnswer, ReactionDraw, visitPrice } from './reactions.ts';
import type { DemoData, DemoJob } from './types.ts';

const WORKER = 'demo-history';
/** The scheduler runs at most this often in the story: due steps within it go out together. */
const PASS_EVERY_MS = 5 * 60_000;
const BATCH = 500;
const HALF_HOUR = 30 * 60_000;

/** Reactions to what Kinetic sent, scheduled as they happen. */
type Reply =
  | { at: string; kind: 'customer_text'; contactKey: string; body: string }
  | { at: string; kind: 'staff_text'; userKey: string; body: string }
  | { at: string; kind: 'book'; contactKey: string; serviceType: string; draw: string }
  | { at: string; kind: 'google_review'; reviewId: string; rating: number; body: string };

type Step = (Act | Reply) & { order: number; seq: number };

/** Same instant: records before the calls about them, an outcome before its site visit, a booking after the call that made it. */
const ORDER: Record<(Act | Reply)['kind'], number> = {
  campaign: 0, company: 1, contact: 2, consent: 3, job_done: 4, interaction: 5, customer_text: 5, staff_text: 5, google_review: 6,
  job_booked: 7, book: 7, deal_opened: 8, deal_moved: 9, task_created: 10, task_closed: 11, contact_lost: 12, day: 13,
};

/** A min-heap of steps by (time, order, arrival). */
class Agenda {
  private heap: Step[] = [];
  private seq = 0;

  push(s: Act | Reply): void {
    const step = { ...s, order: ORDER[s.kind], seq: this.seq++ } as Step;
    this.heap.push(step);
    let i = this.heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(this.heap[i], this.heap[p])) break;
      [this.heap[i], this.heap[p]] = [this.heap[p], this.heap[i]];
      i = p;
    }
  }

  peek(): Step | undefined {
    return this.heap[0];
  }

  pop(): Step | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (this.heap.length && last) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && before(this.heap[l], this.heap[m])) m = l;
        if (r < this.heap.length && before(this.heap[r], this.heap[m])) m = r;
        if (m === i) break;
        [this.heap[i], this.heap[m]] = [this.heap[m], this.heap[i]];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: Step, b: Step) => (a.at !== b.at ? a.at < b.at : a.order !== b.order ? a.order < b.order : a.seq < b.seq);

export interface ReplayIds {
  users: Map<string, { id: string; phone: string; name: string }>;
  contacts: Map<string, string>;
  companies: Map<string, string>;
  jobs: Map<string, string>;
  deals: Map<string, string>;
  tasks: Map<string, string>;
  automations: Map<string, string>;
}

export interface ReplayStats {
  acts: number;
  passes: number;
  replies: number;
  bookings: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const toIso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/**
 * Lives the history from go-live to the anchor through the product: each act
 * through the same domain function the API or a webhook would call, with the
 * clock set to its moment; in between, the real scheduler and dev outbox run
 * whatever fell due (in passes at most PASS_EVERY_MS apart), and customers and
 * technicians answer what they were sent (reactions.ts).
 */
export async function replayHistory(w: AppContext, clock: VirtualClock, business: Business, data: DemoData, acts: Act[], ids: ReplayIds, seed: number): Promise<ReplayStats> {
  const scope: Scope = { businessId: business.id, actor: systemActor };
  const trx = w.db.kysely;
  const providers: Providers = { sms: createDevProvider('sms'), email: createDevProvider('email') };
  const agenda = new Agenda();
  for (const a of acts) agenda.push(a);
  const anchorMs = Date.parse(data.now);
  const contactsByKey = new Map(data.contacts.map((c) => [c.key, c]));
  const keyOfContact = new Map<string, string>();
  const keyOfUser = new Map<string, string>();
  for (const [k, u] of ids.users) keyOfUser.set(u.id, k);
  const sentCount = new Map<string, number>();
  const stats: ReplayStats = { acts: 0, passes: 0, replies: 0, bookings: 0 };
  let lastPass = -Infinity;
  let texts = 0;
  let booked = 0;
  const contactId = (key: string) => ids.contacts.get(key)!;
  const user = (key: string | null) => (key === null ? null : ids.users.get(key)!.id);

  const nextDue = async (): Promise<number | null> => {
    const e = await trx.selectFrom('enrollments').select((eb) => eb.fn.min('next_run_at').as('t')).where('business_id', '=', business.id).where('status', 'in', ['active', 'waiting']).executeTakeFirst();
    const o = await trx.selectFrom('outbox').select((eb) => eb.fn.min('not_before').as('t')).where('business_id', '=', business.id).where('state', '=', 'queued').executeTakeFirst();
    const times = [toIso(e?.t), toIso(o?.t)].filter((t): t is string => t !== null).map(Date.parse);
    return times.length ? Math.min(...times) : null;
  };

  const intake = async () => {
    while ((await processInboundMessages(w, null)).length > 0);
  };

  /** The technician's first name on the job a review request is about. */
  const techOf = async (vars: string | null): Promise<string> => {
    const jobId = vars ? (JSON.parse(vars) as { trigger?: { jobId?: string } }).trigger?.jobId : undefined;
    if (!jobId) return 'The tech';
    const row = await trx.selectFrom('jobs').innerJoin('users', 'users.id', 'jobs.technician_user_id').select('users.name').where('jobs.id', '=', jobId).executeTakeFirst();
    return row?.name.split(' ')[0] ?? 'The tech';
  };

  const react = async (at: string) => {
    const sent = await trx
      .selectFrom('outbox as o')
      .leftJoin('enrollments as e', 'e.id', 'o.enrollment_id')
      .leftJoin('automations as a', 'a.id', 'e.automation_id')
      .select(['o.id', 'o.contact_id', 'o.user_id', 'o.channel', 'o.step', 'o.variant', 'a.playbook', 'e.vars', 'e.occurrence_key'])
      .where('o.business_id', '=', business.id)
      .where('o.sent_at', '>=', at)
      .orderBy('o.created_at')
      .orderBy('o.id')
      .execute();
    const atMs = Date.parse(at);
    for (const m of sent) {
      if (m.user_id) {
        const tech = keyOfUser.get(m.user_id);
        if (m.playbook === 'emergency-messages' && tech) {
          const answer = pageAnswer(seed, `${tech}:${m.id}`);
          agenda.push({ at: iso(atMs + answer.afterMs), kind: 'staff_text', userKey: tech, body: answer.body });
        }
        continue;
      }
      if (m.channel !== 'sms' || !m.contact_id || !m.playbook) continue;
      let contactKey = keyOfContact.get(m.contact_id);
      if (!contactKey) {
        for (const [k, id] of ids.contacts) keyOfContact.set(id, k);
        contactKey = keyOfContact.get(m.contact_id);
      }
      if (!contactKey) continue;
      const counter = `${contactKey}:${m.playbook}:${m.step}`;
      const nth = (sentCount.get(counter) ?? 0) + 1;
      sentCount.set(counter, nth);
      const month = DateTime.fromMillis(atMs, { zone: DEMO_TIME_ZONE }).month;
      const tech = m.playbook === 'review-request' ? await techOf(m.vars) : '';
      const r = customerReaction(seed, { contactKey, playbook: m.playbook, step: m.step, nth, variant: m.variant, month, tech });
      if (r.kind === 'reply' || r.kind === 'reply_and_book') {
        agenda.push({ at: iso(atMs + r.afterMs), kind: 'customer_text', contactKey, body: r.body });
        if (r.kind === 'reply_and_book') agenda.push({ at: iso(atMs + r.afterMs + r.bookAfterMs), kind: 'book', contactKey, serviceType: r.serviceType, draw: `${counter}:${nth}` });
      } else if (r.kind === 'google_review') {
        const reviewId = m.vars ? (JSON.parse(m.vars) as { reviewRequestId?: string }).reviewRequestId : undefined;
        if (reviewId) agenda.push({ at: iso(atMs + r.afterMs), kind: 'google_review', reviewId, rating: r.rating, body: r.body });
      }
    }
  };

  const pass = async (at: number) => {
    clock.set(iso(at));
    let anySent = false;
    // Sending queues no steps: one round is enough unless a batch came back full.
    for (let guard = 0; guard < 1000; guard++) {
      const steps = await runDueEnrollments(w, WORKER, BATCH);
      const sent = await dispatchQueued(w, providers, { workerId: WORKER, limit: BATCH, concurrency: 1 });
      anySent ||= sent > 0;
      if (steps < BATCH && sent < BATCH) break;
    }
    stats.passes++;
    if (anySent) await react(iso(at));
  };

  /** A planned job, on its technician's calendar; when a booking made since has taken that time, another technician or a later time. */
  const bookPlanned = async (j: DemoJob) => {
    const length = Date.parse(j.scheduledEnd) - Date.parse(j.scheduledStart);
    const techs = [j.technicianKey, ...[...ids.users.keys()].filter((k) => k.startsWith('tech') && k !== j.technicianKey)];
    for (let shift = 0; shift < 48; shift++) {
      const start = Date.parse(j.scheduledStart) + shift * HALF_HOUR;
      for (const tech of techs) {
        try {
          const job = await w.db.transaction((t) =>
            jobs.createIn(
              t,
              scope,
              { contactId: contactId(j.contactKey), companyId: j.companyKey ? ids.companies.get(j.companyKey)! : null, serviceType: j.serviceType, status: 'scheduled', scheduledStart: iso(start), scheduledEnd: iso(start + length), technicianUserId: user(tech), notes: j.notes },
              clock.now().toISOString(),
            ),
          );
          ids.jobs.set(j.key, job.id);
          return;
        } catch (err) {
          if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
        }
      }
    }
    throw new Error(`no technician free for job ${j.key}`);
  };

  const apply = async (s: Step) => {
    const now = clock.now().toISOString();
    switch (s.kind) {
      case 'company': {
        const co = s.company;
        const row = await companies.createIn(trx, scope, { name: co.name, domain: co.domain, phone: co.phone, address: co.address, customFields: co.customFields }, now);
        ids.companies.set(co.key, row.id);
        return;
      }
      case 'contact': {
        const c = s.contact;
        const created = await createContact(w, scope, {
          firstName: c.firstName, lastName: c.lastName, phone: c.phone, phones: c.phones, email: c.email, address: c.address, source: c.source,
          lifecycleStage: 'lead', tags: c.tags, customFields: c.customFields, ownerUserId: user(c.ownerKey),
          consent: s.consents.map((x) => ({ channel: x.channel, status: x.status, method: x.method, evidence: x.evidence })),
        });
        ids.contacts.set(c.key, created.id);
        const link = data.companies.flatMap((co) => co.contacts.filter((l) => l.contactKey === c.key).map((l) => ({ co, l })))[0];
        if (link && ids.companies.has(link.co.key)) {
          await trx.insertInto('contact_companies').values({ business_id: business.id, contact_id: created.id, company_id: ids.companies.get(link.co.key)!, title: link.l.title, created_at: now }).execute();
        }
        return;
      }
      case 'consent':
        await recordConsent(w, scope, contactId(s.contactKey), { channel: s.consent.channel, status: s.consent.status, method: s.consent.method, evidence: s.consent.evidence });
        return;
      case 'interaction': {
        const i = s.interaction;
        const id = contactId(i.contactKey);
        if (i.kind === 'sms' && i.direction === 'inbound') {
          const sid = `SMdemo${String(++texts).padStart(6, '0')}`;
          await handleInboundSms(w, business, { from: contactsByKey.get(i.contactKey)!.phone, to: null, body: i.body ?? '', messageSid: sid });
          if (Object.keys(i.metadata).length && !i.metadata.optOut) {
            const row = await trx.selectFrom('interactions').select('id').where('business_id', '=', business.id).where('external_id', '=', sid).executeTakeFirstOrThrow();
            await interactions.update(w, scope, row.id, { metadata: i.metadata });
          }
          await intake();
          return;
        }
        await interactions.createIn(
          trx,
          scope,
          { contactId: id, kind: i.kind, direction: i.direction, channel: i.channel, subject: i.subject, body: i.body, outcome: i.outcome, durationSeconds: i.durationSeconds, userId: user(i.userKey), metadata: i.metadata },
          now,
        );
        if (i.direction === 'inbound' && i.kind === 'email') await intake();
        return;
      }
      case 'job_booked':
        await bookPlanned(s.job);
        return;
      case 'job_done': {
        const id = ids.jobs.get(s.job.key)!;
        await jobs.update(w, scope, id, s.job.status === 'completed' ? { status: 'completed', amountCents: s.job.amountCents } : { status: s.job.status });
        return;
      }
      case 'deal_opened': {
        const d = s.deal;
        const row = await deals.createIn(
          trx,
          scope,
          { contactId: contactId(d.contactKey), companyId: d.companyKey ? ids.companies.get(d.companyKey)! : null, title: d.title, pipeline: 'default', stage: 'new', amountCents: d.amountCents, expectedCloseDate: d.expectedCloseDate ?? DateTime.fromISO(d.createdAt, { zone: DEMO_TIME_ZONE }).plus({ days: 21 }).toISODate(), ownerUserId: user(d.ownerKey) },
          now,
        );
        ids.deals.set(d.key, row.id);
        return;
      }
      case 'deal_moved': {
        const closed = s.step.stage === 'won' || s.step.stage === 'lost';
        await deals.update(w, scope, ids.deals.get(s.dealKey)!, closed ? { stage: s.step.stage, closeReason: s.step.closeReason, expectedCloseDate: null } : { stage: s.step.stage });
        return;
      }
      case 'task_created': {
        const t = s.task;
        const row = await tasks.createIn(
          trx,
          scope,
          { title: t.title, description: t.description, contactId: t.contactKey ? contactId(t.contactKey) : null, dealId: t.dealKey ? (ids.deals.get(t.dealKey) ?? null) : null, jobId: t.jobKey ? (ids.jobs.get(t.jobKey) ?? null) : null, assigneeUserId: user(t.assigneeKey), dueAt: t.dueAt, status: 'open', origin: 'manual' },
          now,
        );
        ids.tasks.set(s.key, row.id);
        return;
      }
      case 'task_closed':
        await tasks.update(w, scope, ids.tasks.get(s.key)!, { status: s.status });
        return;
      case 'contact_lost': {
        const id = contactId(s.contactKey);
        const row = await trx.selectFrom('contacts').select('lifecycle_stage').where('id', '=', id).executeTakeFirstOrThrow();
        if (row.lifecycle_stage === 'lead') await updateContact(w, scope, id, { lifecycleStage: 'lost' });
        return;
      }
      case 'campaign':
        await setAutomationStatus(w, scope, ids.automations.get(s.playbook)!, s.enable ? 'enabled' : 'disabled');
        return;
      case 'day':
        await morning();
        return;
      case 'customer_text':
        stats.replies++;
        await handleInboundSms(w, business, { from: contactsByKey.get(s.contactKey)!.phone, to: null, body: s.body, messageSid: `SMdemo${String(++texts).padStart(6, '0')}` });
        await intake();
        return;
      case 'staff_text':
        await handleInboundText(w, business, { from: ids.users.get(s.userKey)!.phone, to: null, body: s.body, messageSid: `SMdemo${String(++texts).padStart(6, '0')}` });
        return;
      case 'google_review':
        await reviews.update(w, scope, s.reviewId, { status: 'received', platform: 'google', rating: s.rating, body: s.body });
        return;
      case 'book':
        await bookVisit(s);
        return;
    }
  };

  /** The office books a customer who answered a campaign yes: the first free time a day or more out that the draw picks. */
  const bookVisit = async (s: Extract<Reply, { kind: 'book' }>) => {
    const from = clock.now().getTime() + 24 * 3_600_000;
    const slots = await findAvailability(w, scope, { serviceType: s.serviceType, from: iso(from), to: iso(from + 10 * 86_400_000) });
    if (slots.length === 0) return;
    const slot = slots[Math.floor(new ReactionDraw(seed, `book:${s.draw}`).float() * Math.min(slots.length, 12))];
    try {
      const result = await bookSlot(w, business.id, contactId(s.contactKey), { serviceType: s.serviceType, start: slot.start, technicianId: slot.technicianId }, { actor: { type: 'user', id: ids.users.get('agent1')!.id } });
      const key = `b${String(++booked).padStart(4, '0')}`;
      ids.jobs.set(key, result.job.id);
      stats.bookings++;
      const amountCents = visitPrice(seed, key, serviceByKey.get(s.serviceType as never)?.avgTicketCents ?? 15_000);
      agenda.push({ at: result.job.scheduledEnd!, kind: 'job_done', job: { key, status: 'completed', amountCents } as DemoJob } as Act);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'CONFLICT')) throw err;
    }
  };

  /** 06:00: the worker's housekeeping (dormancy on Mondays), and the office clearing what Kinetic handed it yesterday. */
  const morning = async () => {
    if (DateTime.fromJSDate(clock.now(), { zone: DEMO_TIME_ZONE }).weekday === 1) await markDormantCustomers(w);
    await runSegmentTriggers(w);
    const dayAgo = iso(clock.now().getTime() - 24 * 3_600_000);
    const handed = await trx.selectFrom('tasks').select('id').where('business_id', '=', business.id).where('origin', '=', 'automation').where('status', '=', 'open').where('created_at', '<', dayAgo).orderBy('created_at').orderBy('id').execute();
    for (const t of handed) await tasks.update(w, scope, t.id, { status: 'done' });
    const drafts = await trx.selectFrom('drafts').select('id').where('business_id', '=', business.id).where('status', '=', 'pending').where('created_at', '<', dayAgo).orderBy('created_at').orderBy('id').execute();
    for (const d of drafts) await discardDraft(w, { businessId: business.id, actor: { type: 'user', id: ids.users.get('agent1')!.id } }, d.id);
  };

  for (;;) {
    const next = agenda.peek();
    const limit = next ? Date.parse(next.at) : anchorMs + 1;
    for (;;) {
      const due = await nextDue();
      if (due === null) break;
      const at = Math.max(due, lastPass + PASS_EVERY_MS);
      if (at >= limit || at > anchorMs) break;
      await pass(at);
      lastPass = at;
    }
    if (!next) break;
    // A pass may have planned a reaction earlier than `next`: take that first (and `next` stays for its turn).
    if (agenda.peek() !== next) continue;
    agenda.pop();
    if (Date.parse(next.at) > anchorMs) continue;
    clock.set(next.at);
    stats.acts++;
    await apply(next);
  }
  clock.set(data.now);
  return stats;
}
