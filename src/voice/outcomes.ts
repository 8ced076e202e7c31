import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { isOpenAt, onCallAt } from '../crm/businesses/schedule.ts';
import { isBookableOnline, type Business } from '../crm/businesses/schema.ts';
import { creationEvents, getContact, updateContact } from '../crm/contacts/contacts.ts';
import { prepareNewContact } from '../crm/contacts/prepare.ts';
import { newId } from '../lib/ids.ts';
import { interactions } from '../crm/interactions/interactions.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { tasks } from '../crm/tasks/tasks.ts';
import { contactForPhone } from '../engine/inbound.ts';
import { enqueueMessage, gateCustomerMessage } from '../engine/outbox/enqueue.ts';
import { nextBusinessOpen } from '../engine/timing.ts';
import { event } from '../events/record.ts';
import { ACK_PROMPT, type PAGE_PURPOSES } from './acknowledge.ts';
import { loadBookingLinks } from './booking.ts';
import type { CallDecision, OnCallPerson, VoiceCall } from './calls.ts';
import type { IntakeClassification } from './classifier.ts';
import { callbackNumberOf, hasCallerId, intakeSummary, type IntakeState } from './script.ts';
import type { VoiceSettings } from './settings.ts';
import { nextOpenSlots, slotLabel, spokenWhen } from './slots.ts';

/**
 * What happens in the CRM when a call reaches a decision: the caller becomes
 * (or updates) a lead, the technician or the caller gets a text through the
 * outbox, a callback task lands in the morning queue, and the call is logged
 * on the contact's timeline with its transcript and summary.
 */
export interface Effects {
  trx: Executor;
  ctx: AppContext;
  business: Business;
  settings: VoiceSettings;
  now: Date;
}

const nowIso = (e: Effects) => e.now.toISOString();
const scopeOf = (e: Effects): Scope => ({ businessId: e.business.id, actor: { type: 'system', id: null } });

/** The caller as a contact: found by phone or created as a lead; a new name and address fill gaps, never overwrite. */
export async function upsertCaller(e: Effects, intake: IntakeState): Promise<string> {
  const known = await e.trx.selectFrom('contact_identities').select('contact_id').where('business_id', '=', e.business.id).where('kind', '=', 'phone').where('value', '=', intake.callerNumber).orderBy('contact_id').executeTakeFirst();
  if (!known) return createCaller(e, intake);
  const { id } = await contactForPhone(e.trx, e.business, intake.callerNumber, 'inbound_call', nowIso(e));
  const contact = await getContact(e.ctx, scopeOf(e), id, e.trx);
  const patch: Record<string, unknown> = {};
  const unnamed = !contact.name || contact.name === 'Unknown' || contact.phones.some((p) => p.number === contact.name);
  if (intake.name && unnamed) patch.name = intake.name;
  if (intake.address && !contact.address?.line1) patch.address = { ...(contact.address ?? {}), line1: intake.address };
  if (intake.callbackNumber && !contact.phones.some((p) => p.number === intake.callbackNumber)) {
    patch.phones = [...contact.phones, { number: intake.callbackNumber, label: 'callback' }];
  }
  if (Object.keys(patch).length) await updateContact(e.ctx, scopeOf(e), id, patch, e.trx);
  return id;
}

/** A new caller becomes a lead with everything they told us in one insert (the common case, kept cheap). */
async function createCaller(e: Effects, intake: IntakeState): Promise<string> {
  const id = newId();
  const callerId = hasCallerId(intake) ? intake.callerNumber : null;
  const phones = [...new Set([callerId, intake.callbackNumber].filter((p): p is string => Boolean(p)))];
  const prepared = await prepareNewContact(
    e.business,
    {
      phone: phones[0] ?? null,
      phones: phones.slice(1).map((number) => ({ number, label: 'callback' })),
      // A caller with no caller ID who gave neither name nor number is still a lead to follow up on the timeline.
      name: intake.name ?? (phones.length ? undefined : 'Unknown caller'),
      address: intake.address ? { line1: intake.address } : undefined,
      source: 'inbound_call',
    },
    id,
    nowIso(e),
  );
  await e.trx.insertInto('contacts').values(prepared.row).execute();
  await e.trx.insertInto('contact_identities').values(prepared.identities).execute();
  await recordChange(e.trx, scopeOf(e), nowIso(e), { entityType: 'contact', entityId: id, action: 'create', after: { phone: phones[0] ?? null, name: intake.name, source: 'inbound_call' }, events: creationEvents(id, 'lead', 'inbound_call') });
  return id;
}

export function transcriptText(intake: IntakeState): string {
  return intake.transcript.map((l) => `${l.who === 'caller' ? 'Caller' : 'Receptionist'}: ${l.text}`).join('\n');
}

/**
 * Logs the call on the contact's timeline once (external id = CallSid). A
 * missed/abandoned/voicemail outcome emits call.missed, which starts the
 * missed-call text-back; answered/completed emits call.answered.
 */
export async function logCall(e: Effects, call: VoiceCall, contactId: string, outcome: string, handledBy: 'staff' | 'receptionist' | 'voicemail' | 'nobody'): Promise<string> {
  if (call.interactionId) return call.interactionId;
  const existing = await e.trx.selectFrom('interactions').select('id').where('business_id', '=', e.business.id).where('external_id', '=', call.callSid).executeTakeFirst();
  if (existing) return existing.id;
  const d = call.decision;
  const created = await interactions.createIn(
    e.trx,
    scopeOf(e),
    {
      contactId,
      kind: 'call',
      direction: 'inbound',
      subject: d ? `Phone call: ${d.route} (${d.reason})`.slice(0, 200) : `Phone call: ${outcome}`,
      body: [d?.summary, transcriptText(call.state.intake)].filter(Boolean).join('\n\n') || null,
      outcome,
      durationSeconds: call.durationSeconds,
      externalId: call.callSid,
      metadata: callMetadata(call, handledBy),
      occurredAt: call.createdAt,
    },
    nowIso(e),
  );
  return created.id;
}

/** Flat facts about the call for the interaction's metadata (scalars only, as the CRM stores them). */
export function callMetadata(call: VoiceCall, handledBy: string): Record<string, string | number | boolean | null> {
  const c = call.decision?.classification ?? null;
  return {
    callSid: call.callSid,
    handledBy,
    mode: call.mode,
    reason: call.state.reason,
    decision: call.decision?.route ?? null,
    decisionReason: call.decision?.reason ?? null,
    urgency: c?.urgency ?? null,
    intent: c?.intent ?? null,
    serviceType: c?.serviceType ?? null,
    confidence: c?.confidence ?? null,
    classifier: call.decision?.classifier ?? null,
    callbackNumber: call.state.intake.callbackNumber,
    address: call.state.intake.address,
    recordingUrl: call.state.recordingUrls.join(' ') || null,
    voicemailUrl: call.state.voicemail?.url ?? null,
  };
}

/** Updates a logged call with what arrives later (duration, final transcript), with its event. */
export async function refreshCallLog(e: Effects, call: VoiceCall, handledBy: string): Promise<void> {
  if (!call.interactionId) return;
  const body = [call.decision?.summary, transcriptText(call.state.intake)].filter(Boolean).join('\n\n') || null;
  await e.trx
    .updateTable('interactions')
    .set({
      duration_seconds: call.durationSeconds,
      body,
      metadata: JSON.stringify(callMetadata(call, handledBy)),
      ...(call.decision ? { subject: `Phone call: ${call.decision.route} (${call.decision.reason})`.slice(0, 200) } : {}),
    })
    .where('business_id', '=', e.business.id)
    .where('id', '=', call.interactionId)
    .execute();
  await recordChange(e.trx, scopeOf(e), nowIso(e), {
    entityType: 'interaction',
    entityId: call.interactionId,
    action: 'update',
    before: {},
    after: { durationSeconds: call.durationSeconds },
    events: [event('interaction.updated', { contactId: call.contactId!, interactionId: call.interactionId, changed: ['durationSeconds', 'body', 'metadata'] })],
  });
}

/** Active team members with a phone, in join order. */
export async function teamWithPhones(trx: Executor, businessId: string): Promise<Array<OnCallPerson & { role: string }>> {
  const rows = await trx
    .selectFrom('users')
    .select(['id', 'name', 'role', 'phone'])
    .where('business_id', '=', businessId)
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.filter((u) => u.phone).map((u) => ({ userId: u.id, name: u.name, phone: u.phone!, role: u.role }));
}

/** The on-call chain at this moment (primary, then escalation order), people with a phone only. */
export async function onCallChain(e: Effects): Promise<OnCallPerson[]> {
  const team = await teamWithPhones(e.trx, e.business.id);
  return onCallAt(e.business.onCall, e.now)
    .map((id) => team.find((u) => u.userId === id))
    .filter((u): u is OnCallPerson & { role: string } => Boolean(u))
    .map(({ userId, name, phone }) => ({ userId, name, phone }));
}

/**
 * Pages a team member by text (operational: no consent or quiet hours), once
 * per call and person; `at` holds it back (an escalation). The text says how
 * to take it; the first reply that does cancels the escalations still waiting.
 */
export async function textStaff(e: Effects, callSid: string, person: { userId: string; phone: string }, body: string, purpose: (typeof PAGE_PURPOSES)[number], at: Date = e.now): Promise<string> {
  const { id } = await enqueueMessage(
    e.trx,
    { businessId: e.business.id, channel: 'sms', purpose: 'transactional', to: person.phone, body: `${body} ${ACK_PROMPT}`, userId: person.userId, idempotencyKey: `voice:${callSid}:${purpose}:${person.userId}`, notBefore: at.toISOString() },
    nowIso(e),
  );
  return id;
}

export function technicianText(business: Business, intake: IntakeState, c: IntakeClassification | null): string {
  return `${business.name} EMERGENCY call. ${intakeSummary(intake, c).replace(/\n/g, '. ')}. Call them back now.`;
}

/** When the office will call back: within the hour when open, else at the next opening. */
export function callbackDue(e: Effects): Date {
  if (isOpenAt(e.business.businessHours, e.business.timeZone, e.now)) return new Date(e.now.getTime() + 3_600_000);
  return nextBusinessOpen(e.now, e.business.timeZone, e.business.businessHours);
}

export async function createCallbackTask(e: Effects, contactId: string, title: string, summary: string, callSid: string, due: Date, assigneeUserId: string | null = null): Promise<string> {
  const t = await tasks.createIn(
    e.trx,
    scopeOf(e),
    { title: title.slice(0, 200), description: summary, contactId, dueAt: due.toISOString(), status: 'open', origin: 'system', originRef: `call:${callSid}`, ...(assigneeUserId ? { assigneeUserId } : {}) },
    nowIso(e),
  );
  return t.id;
}

export interface CustomerText {
  outboxId: string | null;
  /** sent now, deferred by quiet hours until `until`, or skipped (opted out, no number). */
  status: 'queued' | 'deferred' | 'skipped';
  until: Date | null;
  reason: string | null;
}

/** A text to the caller, through the compliance gate and the outbox (once per call and purpose). */
export async function textCaller(e: Effects, callSid: string, contactId: string, to: string | null, body: string, purpose: string): Promise<CustomerText> {
  if (!to) return { outboxId: null, status: 'skipped', until: null, reason: 'no number to text' };
  const contact = await getContact(e.ctx, scopeOf(e), contactId, e.trx);
  const { decision, address } = await gateCustomerMessage(e.trx, e.business, { ...contact, phone: to, address: contact.address ?? {} }, 'sms', 'transactional', e.now);
  if (decision.action === 'skip') return { outboxId: null, status: 'skipped', until: null, reason: decision.reason };
  const notBefore = decision.action === 'defer' ? decision.until : e.now;
  const { id } = await enqueueMessage(
    e.trx,
    { businessId: e.business.id, channel: 'sms', purpose: 'transactional', to: address!, body, contactId, idempotencyKey: `voice:${callSid}:${purpose}`, notBefore: notBefore.toISOString(), why: { reason: `after a call: ${purpose.replace(/_/g, ' ')}` } },
    nowIso(e),
  );
  return { outboxId: id, status: decision.action === 'defer' ? 'deferred' : 'queued', until: decision.action === 'defer' ? decision.until : null, reason: decision.action === 'defer' ? decision.reason : null };
}

/** Routine caller: booking link (or the next open slots) by text, and what to tell them. */
export async function offerBooking(e: Effects, call: VoiceCall, contactId: string): Promise<{ spoken: string; decision: Partial<CallDecision> }> {
  const intake = call.state.intake;
  const to = callbackNumberOf(intake);
  const first = intake.name ? ` ${intake.name.split(' ')[0]}` : '';
  // A service the business books by phone only (an emergency) gets a call back, not a booking link.
  const service = e.business.services.find((s) => s.key === call.decision?.classification?.serviceType);
  if (service && !isBookableOnline(service)) {
    const due = callbackDue(e);
    const taskId = await createCallbackTask(e, contactId, `Book ${intake.name ?? to ?? 'caller'} by phone: ${service.name} is not booked online`, intakeSummary(intake, call.decision?.classification ?? null), call.callSid, due);
    return { spoken: `Someone from our team will call you ${spokenWhen(due, e.now, e.business.timeZone)} to book your ${service.name.toLowerCase()}.`, decision: { taskId } };
  }
  const bookingUrl = await loadBookingLinks();
  let body: string;
  let spokenOffer: string;
  if (bookingUrl) {
    body = `Hi${first}, thanks for calling ${e.business.name}. Pick a time that suits you here: ${bookingUrl(e.ctx, e.business.id, contactId)} Reply STOP to opt out.`;
    spokenOffer = 'a link to book the time that suits you';
  } else {
    const slots = nextOpenSlots(e.now, e.business.timeZone, e.business.businessHours).map((s) => slotLabel(s, e.business.timeZone));
    body = slots.length
      ? `Hi${first}, thanks for calling ${e.business.name}. Our next openings: ${slots.join('; ')}. Reply with the one that works for you and we will confirm. Reply STOP to opt out.`
      : `Hi${first}, thanks for calling ${e.business.name}. We will call you to find a time. Reply STOP to opt out.`;
    spokenOffer = slots.length ? `our next openings: ${slots.join(', or ')}. Just reply to the text with the one that works` : 'a note that we will call you to find a time';
  }
  const sent = await textCaller(e, call.callSid, contactId, to, body, 'booking');
  if (sent.status === 'skipped') {
    const due = callbackDue(e);
    const taskId = await createCallbackTask(e, contactId, `Book ${intake.name ?? to ?? 'caller'} by phone (${to ? 'texts not allowed' : 'no number: check the call recording or transcript'})`, intakeSummary(intake, call.decision?.classification ?? null), call.callSid, due);
    return { spoken: `Someone from our team will call you ${spokenWhen(due, e.now, e.business.timeZone)} to book a time.`, decision: { taskId } };
  }
  const when = sent.status === 'deferred' && sent.until ? ` at ${spokenWhen(sent.until, e.now, e.business.timeZone).replace(/^(today|tomorrow|on \w+) at (.*)$/, '$2 $1')}` : ' now';
  return { spoken: `I'm texting you${when} with ${spokenOffer}.`, decision: { outboxIds: [sent.outboxId!] } };
}
