import type { Executor } from '../db/database.ts';
import type { IntakeClassification } from './classifier.ts';
import type { IntakeRoute, IntakeState } from './script.ts';

/**
 * A call's persisted state, one row per CallSid (table voice_calls). Every
 * webhook loads it, decides, and saves it in the same transaction as the CRM
 * changes it causes, so any process can answer the next webhook of the call.
 */
export type CallMode = 'ring' | 'receptionist' | 'voicemail';
export type CallStage = 'ringing' | 'staff_answered' | 'intake' | 'dialing_on_call' | 'voicemail' | 'finished';

export interface OnCallPerson {
  userId: string;
  name: string;
  phone: string;
}

/** Who took an emergency (replied to the page, took the task, or answered the on-call dial), and when. */
export interface CallAcknowledgement {
  userId: string | null;
  name: string;
  at: string;
  via: 'sms' | 'task' | 'dial';
  /** Escalation texts that were still waiting and will never be sent. */
  cancelledOutboxIds: string[];
}

export interface CallDecision {
  route: IntakeRoute | 'voicemail' | 'incomplete';
  reason: string;
  classification: IntakeClassification | null;
  classifier: string | null;
  summary: string;
  taskId?: string;
  outboxIds?: string[];
  /** Emergency: who was paged, in order, and who picked up. */
  onCall?: { chain: OnCallPerson[]; attempt: number; answeredBy: string | null; exhausted: boolean };
  /** Emergency after the caller hung up mid-intake: paged by text only, each person when their text is due. */
  paged?: Array<{ userId: string; name: string; at: string }>;
  /** Emergency: the page was taken; later escalation texts were cancelled. */
  acknowledged?: CallAcknowledgement;
}

export interface CallState {
  intake: IntakeState;
  /** Sequential ring: the index of the person ringing now. */
  ringIndex: number;
  ringNumbers: string[];
  /** Why the receptionist took the call: after hours, or nobody picked up. */
  reason: 'after_hours' | 'unanswered' | 'no_team';
  recordingUrls: string[];
  voicemail: { url: string; seconds: number } | null;
  /** What the caller said in their voicemail, as Twilio transcribed it (absent on calls from before transcription). */
  voicemailTranscript?: string | null;
}

export interface VoiceCall {
  callSid: string;
  businessId: string;
  contactId: string | null;
  from: string;
  to: string;
  mode: CallMode;
  stage: CallStage;
  state: CallState;
  decision: CallDecision | null;
  interactionId: string | null;
  status: 'in_progress' | 'ended';
  durationSeconds: number | null;
  createdAt: string;
}

export async function loadCall(trx: Executor, businessId: string, callSid: string): Promise<VoiceCall | null> {
  const r = await trx.selectFrom('voice_calls').selectAll().where('business_id', '=', businessId).where('call_sid', '=', callSid).executeTakeFirst();
  if (!r) return null;
  return {
    callSid: r.call_sid,
    businessId: r.business_id,
    contactId: r.contact_id,
    from: r.from_number,
    to: r.to_number,
    mode: r.mode as CallMode,
    stage: r.stage as CallStage,
    state: JSON.parse(r.state) as CallState,
    decision: r.decision ? (JSON.parse(r.decision) as CallDecision) : null,
    interactionId: r.interaction_id,
    status: r.status as VoiceCall['status'],
    durationSeconds: r.duration_seconds,
    createdAt: String(r.created_at),
  };
}

/** The columns a call changes as it goes on (everything but who called whom, and the timestamps). */
function progressColumns(call: VoiceCall) {
  return {
    contact_id: call.contactId,
    mode: call.mode,
    stage: call.stage,
    state: JSON.stringify(call.state),
    decision: call.decision ? JSON.stringify(call.decision) : null,
    interaction_id: call.interactionId,
    status: call.status,
    duration_seconds: call.durationSeconds,
  };
}

/** Inserts a new call; false when the CallSid is already known (a retried webhook). */
export async function insertCall(trx: Executor, call: VoiceCall, now: string): Promise<boolean> {
  const existing = await trx.selectFrom('voice_calls').select('call_sid').where('call_sid', '=', call.callSid).executeTakeFirst();
  if (existing) return false;
  await trx
    .insertInto('voice_calls')
    .values({
      call_sid: call.callSid,
      business_id: call.businessId,
      from_number: call.from,
      to_number: call.to,
      ...progressColumns(call),
      created_at: now,
      updated_at: now,
      ended_at: null,
    })
    .execute();
  return true;
}

export async function saveCall(trx: Executor, call: VoiceCall, now: string): Promise<void> {
  await trx
    .updateTable('voice_calls')
    .set({
      ...progressColumns(call),
      updated_at: now,
      ...(call.status === 'ended' ? { ended_at: now } : {}),
    })
    .where('business_id', '=', call.businessId)
    .where('call_sid', '=', call.callSid)
    .execute();
}

/**
 * Marks the call ended unless it already is; false when another delivery of
 * the final status callback got there first (PostgreSQL: the row lock makes a
 * concurrent retry wait for this one and then see 'ended').
 */
export async function claimCallEnd(trx: Executor, businessId: string, callSid: string): Promise<boolean> {
  const r = await trx.updateTable('voice_calls').set({ status: 'ended' }).where('business_id', '=', businessId).where('call_sid', '=', callSid).where('status', '<>', 'ended').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
