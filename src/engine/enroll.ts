import type { Executor } from '../db/database.ts';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import type { StoredEvent } from '../events/record.ts';
import { newId } from '../lib/ids.ts';
import { evaluate } from './conditions.ts';
import type { AutomationDefinition, ExitReason } from './definition.ts';
import { loadFacts, notifyWorkers, signalEvidence, signalFieldsIn, withSignals, type SignalEvidence } from './facts.ts';
import { writeLog } from './log.ts';
import { handOff } from './handoff.ts';
import { readReply, type ReplyReading } from './reply-intent.ts';

async function isKeywordMessage(trx: Executor, e: StoredEvent): Promise<boolean> {
  if (typeof e.payload.interactionId !== 'string') return false;
  const row = await trx.selectFrom('interactions').select('metadata').where('business_id', '=', e.businessId).where('id', '=', e.payload.interactionId).executeTakeFirst();
  return Boolean(row && (JSON.parse(row.metadata) as { keyword?: string }).keyword);
}

/** The text of the message that woke a wait, read for intent (confirm, reschedule, rating, unhappy). */
async function readReplyOf(trx: Executor, e: StoredEvent): Promise<ReplyReading | null> {
  if (typeof e.payload.interactionId !== 'string') return null;
  const row = await trx.selectFrom('interactions').select('body').where('business_id', '=', e.businessId).where('id', '=', e.payload.interactionId).executeTakeFirst();
  return row?.body ? readReply(row.body) : null;
}

export const LIVE_STATUSES = ['active', 'waiting'] as const;

/** Which exit condition an event satisfies for the contact it is about. */
export function exitReasonFor(e: StoredEvent): ExitReason | null {
  switch (e.type) {
    case 'message.received':
      return 'replied';
    case 'job.scheduled':
    case 'job.completed':
      // A job done (even one never scheduled in Kinetic) is a conversion as much as a booking.
      return 'booked';
    case 'consent.changed':
      return e.payload.status === 'revoked' ? 'opted_out' : null;
    case 'deal.won':
      return 'deal_won';
    case 'deal.lost':
      return 'deal_lost';
    case 'job.cancelled':
      return 'job_cancelled';
    case 'review.received':
      return 'reviewed';
    case 'intake.emergency':
      // The contact's message was an emergency: on-call has it, so sales follow-ups stop.
      return 'emergency';
    default:
      return null;
  }
}

/** Ends the contact's live enrolments whose automation exits on this reason. */
async function applyExit(trx: Executor, e: StoredEvent, reason: ExitReason): Promise<void> {
  const live = await trx
    .selectFrom('enrollments')
    .innerJoin('automation_versions', (j) => j.onRef('automation_versions.automation_id', '=', 'enrollments.automation_id').onRef('automation_versions.version', '=', 'enrollments.version'))
    .select(['enrollments.id', 'enrollments.contact_id', 'enrollments.trigger_event_id', 'enrollments.automation_id', 'enrollments.vars', 'enrollments.created_at', 'enrollments.step', 'automation_versions.definition'])
    .where('enrollments.business_id', '=', e.businessId)
    .where('enrollments.contact_id', '=', e.contactId!)
    .where('enrollments.status', 'in', [...LIVE_STATUSES])
    .execute();
  for (const en of live) {
    if (en.trigger_event_id === e.id) continue;
    // The first message of a new contact (a lead who texts in) started this enrolment; it is not a reply to it.
    if (reason === 'replied' && en.step === 0 && en.created_at >= e.occurredAt) continue;
    // A step's own effect (a review it recorded, a job it cancelled) does not end the enrolment that is running it.
    if (e.actor.type === 'automation' && e.actor.id === en.automation_id) continue;
    const def = JSON.parse(en.definition) as AutomationDefinition;
    if (!def.exitOn.includes(reason as (typeof def.exitOn)[number])) continue;
    // A cancelled job ends only the enrolment about that job (its reminders), not the contact's other sequences.
    const triggerJob = (JSON.parse(en.vars) as { trigger?: { jobId?: unknown } }).trigger?.jobId;
    if (reason === 'job_cancelled' && typeof triggerJob === 'string' && triggerJob !== e.payload.jobId) continue;
    await trx
      .updateTable('enrollments')
      .set({ status: 'exited', exit_reason: reason, next_run_at: null, waiting_for: null, finished_at: e.occurredAt, updated_at: e.occurredAt })
      .where('id', '=', en.id)
      .execute();
    await writeLog(trx, { businessId: e.businessId, enrollmentId: en.id, contactId: en.contact_id, step: null, stepType: null, outcome: 'exited', detail: { reason, eventType: e.type, eventId: e.id }, at: e.occurredAt });
    if (def.handoff?.on.includes(reason as (typeof def.handoff.on)[number])) await handOff(trx, e, en, def.handoff, reason);
  }
}

/** Wakes enrolments waiting for this event type ("wait until they reply, or 3 days"). */
async function resumeWaiting(trx: Executor, e: StoredEvent): Promise<boolean> {
  const waiting = await trx
    .selectFrom('enrollments')
    .select(['id', 'waiting_for', 'vars', 'contact_id'])
    .where('business_id', '=', e.businessId)
    .where('contact_id', '=', e.contactId!)
    .where('status', '=', 'waiting')
    .execute();
  let resumed = false;
  for (const en of waiting) {
    const w = en.waiting_for ? (JSON.parse(en.waiting_for) as { kind: string; event?: string }) : null;
    if (!w || w.kind !== 'event' || w.event !== e.type) continue;
    const vars: Record<string, unknown> = { ...(JSON.parse(en.vars) as Record<string, unknown>), waitResult: 'event', waitEvent: { type: e.type, id: e.id, ...e.payload } };
    if (e.type === 'message.received') vars.reply = await readReplyOf(trx, e);
    await trx
      .updateTable('enrollments')
      .set({ status: 'active', waiting_for: null, next_run_at: e.occurredAt, vars: JSON.stringify(vars), updated_at: e.occurredAt })
      .where('id', '=', en.id)
      .where('status', '=', 'waiting')
      .execute();
    await writeLog(trx, { businessId: e.businessId, enrollmentId: en.id, contactId: en.contact_id, step: null, stepType: 'wait', outcome: 'resumed', detail: { eventType: e.type, eventId: e.id }, at: e.occurredAt });
    resumed = true;
  }
  return resumed;
}

export interface EnrollRequest {
  businessId: string;
  automationId: string;
  version: number;
  contactId: string;
  occurrenceKey: string;
  triggerEventId: string | null;
  at: string;
  vars?: Record<string, unknown>;
  reason: string;
  /** The score fields the trigger filter read, with their values and model versions (explainability). */
  scores?: SignalEvidence;
}

/**
 * Enrols a contact once per occurrence (a unique key guards it) and never
 * while the contact is still live in the same automation. Returns whether a
 * new enrolment was created.
 */
export async function enroll(trx: Executor, r: EnrollRequest): Promise<string | null> {
  const live = await trx
    .selectFrom('enrollments')
    .select('id')
    .where('automation_id', '=', r.automationId)
    .where('contact_id', '=', r.contactId)
    .where('status', 'in', [...LIVE_STATUSES, 'parked'])
    .executeTakeFirst();
  if (live) return null;
  const id = newId();
  const res = await trx
    .insertInto('enrollments')
    .values({
      id,
      business_id: r.businessId,
      automation_id: r.automationId,
      version: r.version,
      contact_id: r.contactId,
      occurrence_key: r.occurrenceKey,
      trigger_event_id: r.triggerEventId,
      status: 'active',
      step: 0,
      attempt: 0,
      next_run_at: r.at,
      waiting_for: null,
      vars: JSON.stringify(r.vars ?? {}),
      last_error: null,
      exit_reason: null,
      locked_by: null,
      locked_until: null,
      created_at: r.at,
      updated_at: r.at,
      finished_at: null,
    })
    .onConflict((oc) => oc.columns(['automation_id', 'contact_id', 'occurrence_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!res) return null;
  await writeLog(trx, { businessId: r.businessId, enrollmentId: id, contactId: r.contactId, step: null, stepType: null, outcome: 'enrolled', detail: { reason: r.reason, occurrence: r.occurrenceKey, version: r.version, ...(r.scores ? { scores: r.scores } : {}) }, at: r.at });
  return id;
}

/**
 * The engine's event hook, run inside the transaction that wrote the events:
 * ends sequences on exit conditions, resumes waits, and enrols contacts into
 * automations whose trigger matches.
 */
export async function onEvents(trx: Executor, events: StoredEvent[]): Promise<void> {
  let wake = false;
  for (const e of events) {
    if (!e.contactId) continue;
    if (e.type === 'contact.deleted') continue;
    let reason = exitReasonFor(e);
    // STOP / START / HELP are answered by the compliance layer; they are not a reply a sequence should end on (STOP ends it as an opt-out).
    if (reason === 'replied' && (await isKeywordMessage(trx, e))) reason = null;
    if (reason) await applyExit(trx, e, reason);
    if (!(e.type === 'message.received' && reason === null) && (await resumeWaiting(trx, e))) wake = true;
    const candidates = await trx
      .selectFrom('automations')
      .select(['id', 'version', 'definition'])
      .where('business_id', '=', e.businessId)
      .where('status', '=', 'enabled')
      .where('trigger_type', '=', 'event')
      .where((eb) => eb.or([eb('trigger_event', '=', e.type), eb('trigger_event', 'is', null)]))
      .execute();
    // Automations started by several events have no indexed trigger: keep those this event starts before reading any facts.
    const matching = candidates
      .map((a) => ({ ...a, def: JSON.parse(a.definition) as AutomationDefinition }))
      .filter((a) => !(e.actor.type === 'automation' && e.actor.id === a.id) && a.def.trigger.type === 'event' && (a.def.trigger.event === e.type || Boolean(a.def.trigger.alsoOn?.includes(e.type))));
    if (matching.length === 0) continue;
    const contactExists = await trx.selectFrom('contacts').select('id').where('id', '=', e.contactId).executeTakeFirst();
    if (!contactExists) continue;
    const business = await loadBusiness(trx, e.businessId);
    const facts = await loadFacts(trx, e.businessId, e.contactId, e.payload, {}, business);
    for (const a of matching) {
      // An automation's own changes never re-trigger it (no loops).
      const def = a.def;
      if (def.trigger.type !== 'event') continue;
      const filter = def.trigger.filter;
      if (filter && !evaluate(filter, await withSignals(trx, facts, { fields: signalFieldsIn(filter), now: new Date(e.occurredAt) }))) continue;
      const id = await enroll(trx, {
        businessId: e.businessId,
        automationId: a.id,
        version: a.version,
        contactId: e.contactId,
        occurrenceKey: def.reenroll ? `event:${e.id}` : 'once',
        triggerEventId: e.id,
        at: e.occurredAt,
        vars: { trigger: { type: e.type, ...e.payload } },
        reason: `event ${e.type}`,
        ...(filter ? signalEvidence(filter, facts) : {}),
      });
      if (id) wake = true;
    }
  }
  if (wake) await notifyWorkers(trx);
}
