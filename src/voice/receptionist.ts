import type { AppContext } from '../context.ts';
import { isOpenAt } from '../crm/businesses/schedule.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { AppError } from '../lib/errors.ts';
import { insertCall, loadCall, saveCall, type CallState, type VoiceCall } from './calls.ts';
import { loadIntakeClassifier } from './classifier.ts';
import { finishIntake, nextOnCall } from './decide.ts';
import { applyReading, readTurn, voiceLlm, type TurnReading } from './llm-turn.ts';
import { logCall, refreshCallLog, teamWithPhones, upsertCaller, type Effects } from './outcomes.ts';
import { newIntake, openIntake, question, takeTurn } from './script.ts';
import { voiceSettingsForCall, type VoiceSettings } from './settings.ts';
import { hangup, say, type VoiceReply, type VoiceVerb } from './twiml.ts';

/**
 * The call flow, one function per Twilio webhook. Each loads the call by
 * CallSid, decides, and saves — in one transaction with the CRM changes — and
 * returns what to do on the line. The HTTP routes render it as TwiML; the
 * terminal simulator prints it.
 */
export const voicePaths = {
  incoming: '/webhooks/twilio/voice',
  ringResult: '/webhooks/twilio/voice/ring-result',
  gather: '/webhooks/twilio/voice/gather',
  onCall: '/webhooks/twilio/voice/on-call',
  voicemail: '/webhooks/twilio/voice/voicemail',
  transcription: '/webhooks/twilio/voice/transcription',
  status: '/webhooks/twilio/voice/status',
  recording: '/webhooks/twilio/voice/recording',
} as const;

export interface CallTurn {
  reply: VoiceReply;
  call: VoiceCall;
  settings: VoiceSettings;
}

const url = (ctx: AppContext, path: string, query?: Record<string, string | number>) =>
  `${ctx.config.publicUrl.replace(/\/+$/, '')}${path}${query ? `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString()}` : ''}`;

// Twilio transcribes the voicemail and posts the text, which is read like an inbound text (voicemail.ts).
const voicemailRecord = (ctx: AppContext): VoiceVerb => ({ kind: 'record', action: url(ctx, voicePaths.voicemail), maxLength: 120, transcribe: url(ctx, voicePaths.transcription) });

function effects(ctx: AppContext, trx: Effects['trx'], business: Business, settings: VoiceSettings): Effects {
  return { ctx, trx, business, settings, now: ctx.clock.now() };
}

function greeting(business: Business, settings: VoiceSettings, reason: CallState['reason']): string {
  const recorded = settings.recordCalls ? ' This call may be recorded.' : '';
  const opener = reason === 'unanswered' ? `Thanks for holding. Everyone at ${business.name} is with a customer right now, so I'm the virtual receptionist and I'll get you looked after.` : `Thanks for calling ${business.name}. I'm the virtual receptionist and I'll get you looked after.`;
  return `${opener}${recorded}`;
}

function startReceptionist(ctx: AppContext, business: Business, settings: VoiceSettings, call: VoiceCall, reason: CallState['reason']): VoiceVerb[] {
  call.state.reason = reason;
  if ((reason === 'after_hours' ? settings.afterHours : settings.whenUnanswered) === 'voicemail') {
    call.mode = 'voicemail';
    call.stage = 'voicemail';
    return [
      say(`You've reached ${business.name}. ${reason === 'after_hours' ? 'We are closed right now.' : 'Nobody can get to the phone right now.'} Please leave your name, number and what you need after the tone, and we will call you back.`),
      voicemailRecord(ctx),
      hangup,
    ];
  }
  call.mode = 'receptionist';
  call.stage = 'intake';
  const turn = openIntake(call.state.intake, greeting(business, settings, reason));
  call.state.intake = turn.state;
  return [{ kind: 'gather', prompt: turn.say!, action: url(ctx, voicePaths.gather) }];
}

function notFoundCall(callSid: string): AppError {
  return new AppError('NOT_FOUND', `no call ${callSid} is in progress for this number`);
}

/** A call comes in: ring the team in business hours, else the receptionist (or voicemail). */
export async function handleIncomingCall(ctx: AppContext, business: Business, p: { callSid: string; from: string; to: string }): Promise<CallTurn> {
  const settings = voiceSettingsForCall(business, ctx.log);
  return ctx.db.transaction(async (trx) => {
    const now = ctx.clock.now();
    const existing = await loadCall(trx, business.id, p.callSid);
    if (existing) return { call: existing, settings, reply: repeatCurrent(ctx, settings, existing) }; // Twilio retried the webhook
    const call: VoiceCall = {
      callSid: p.callSid,
      businessId: business.id,
      contactId: null,
      from: p.from,
      to: p.to,
      mode: 'ring',
      stage: 'ringing',
      state: { intake: newIntake(p.from), ringIndex: 0, ringNumbers: [], reason: 'after_hours', recordingUrls: [], voicemail: null },
      decision: null,
      interactionId: null,
      status: 'in_progress',
      durationSeconds: null,
      createdAt: now.toISOString(),
    };
    let verbs: VoiceVerb[];
    if (isOpenAt(business.businessHours, business.timeZone, now)) {
      const team = await teamWithPhones(trx, business.id);
      const ring = settings.ringUserIds.length ? settings.ringUserIds.map((id) => team.find((u) => u.userId === id)).filter((u) => u !== undefined) : team.filter((u) => u.role !== 'technician');
      call.state.ringNumbers = ring.map((u) => u.phone);
      if (ring.length) {
        verbs = [...(settings.recordCalls ? [say(`Thanks for calling ${business.name}. This call may be recorded.`)] : []), ringVerb(ctx, settings, call)];
      } else {
        verbs = startReceptionist(ctx, business, settings, call, 'no_team');
      }
    } else {
      verbs = startReceptionist(ctx, business, settings, call, 'after_hours');
    }
    await insertCall(trx, call, now.toISOString());
    return { call, settings, reply: { verbs } };
  });
}

function ringVerb(ctx: AppContext, settings: VoiceSettings, call: VoiceCall): VoiceVerb {
  const numbers = settings.ringStrategy === 'simultaneous' ? call.state.ringNumbers : [call.state.ringNumbers[call.state.ringIndex]];
  return { kind: 'dial', numbers, action: url(ctx, voicePaths.ringResult), timeout: settings.ringTimeoutSeconds, record: settings.recordCalls ? url(ctx, voicePaths.recording) : null, note: `ringing the team (${settings.ringStrategy}): ${numbers.join(', ')}` };
}

/** What the line should be doing now, for a retried or out-of-order webhook: never restart, never drop a live caller. */
function repeatCurrent(ctx: AppContext, settings: VoiceSettings, call: VoiceCall): VoiceReply {
  if (call.status === 'ended') return { verbs: [hangup] };
  if (call.stage === 'intake') return { verbs: [{ kind: 'gather', prompt: question(call.state.intake), action: url(ctx, voicePaths.gather) }] };
  if (call.stage === 'ringing') return { verbs: [ringVerb(ctx, settings, call)] };
  if (call.stage === 'voicemail') return { verbs: [voicemailRecord(ctx), hangup] };
  return { verbs: [hangup] };
}

async function withCall(ctx: AppContext, business: Business, callSid: string, fn: (call: VoiceCall, e: Effects) => Promise<VoiceVerb[]>): Promise<CallTurn> {
  const settings = voiceSettingsForCall(business, ctx.log);
  return ctx.db.transaction(async (trx) => {
    const call = await loadCall(trx, business.id, callSid);
    if (!call) throw notFoundCall(callSid);
    const e = effects(ctx, trx, business, settings);
    const verbs = await fn(call, e);
    await saveCall(trx, call, e.now.toISOString());
    return { call, settings, reply: { verbs } };
  });
}

/** The team's phones stopped ringing: someone answered, the next person rings, or the receptionist takes over. */
export async function handleRingResult(ctx: AppContext, business: Business, p: { callSid: string; dialCallStatus: string }): Promise<CallTurn> {
  return withCall(ctx, business, p.callSid, async (call, e) => {
    if (call.stage !== 'ringing') return repeatCurrent(ctx, e.settings, call).verbs;
    if (p.dialCallStatus === 'completed' || p.dialCallStatus === 'answered') {
      call.stage = 'staff_answered';
      return [hangup];
    }
    if (e.settings.ringStrategy === 'sequential' && call.state.ringIndex + 1 < call.state.ringNumbers.length) {
      call.state.ringIndex += 1;
      return [ringVerb(ctx, e.settings, call)];
    }
    // Nobody picked up: a missed call now (the text-back starts within the minute), then the receptionist.
    const verbs = startReceptionist(ctx, business, e.settings, call, 'unanswered');
    call.contactId = await upsertCaller(e, call.state.intake);
    call.interactionId = await logCall(e, call, call.contactId, call.mode === 'voicemail' ? 'voicemail' : 'missed', 'nobody');
    return verbs;
  });
}

/** The caller answered a question (or said nothing). */
export async function handleGather(ctx: AppContext, business: Business, p: { callSid: string; speech: string | null }): Promise<CallTurn> {
  const reading = await readWithLlm(ctx, business, p);
  return withCall(ctx, business, p.callSid, async (call, e) => {
    if (call.stage !== 'intake') return repeatCurrent(ctx, e.settings, call).verbs;
    let turn = takeTurn(call.state.intake, p.speech, { maxReprompts: e.settings.maxReprompts, maxTurns: e.settings.maxTurns, defaultCountry: business.settings.defaultCountry });
    if (reading && reading.turns === call.state.intake.turns) turn = applyReading(turn, reading.reading, business.settings.defaultCountry);
    call.state.intake = turn.state;
    if (turn.say) return [{ kind: 'gather', prompt: turn.say, action: url(ctx, voicePaths.gather) }];
    return finishIntake(e, call, await loadIntakeClassifier(), url(ctx, voicePaths.onCall, { attempt: 0 }));
  });
}

/**
 * With an LLM configured, read the caller's words before the transaction
 * opens (a slow model must never hold database locks), within the turn budget.
 */
async function readWithLlm(ctx: AppContext, business: Business, p: { callSid: string; speech: string | null }): Promise<{ turns: number; reading: TurnReading } | null> {
  if (!p.speech) return null;
  const llm = await voiceLlm(ctx);
  if (!llm) return null;
  const call = await loadCall(ctx.db.kysely, business.id, p.callSid);
  if (!call || call.stage !== 'intake') return null;
  const reading = await readTurn(llm, call.state.intake, p.speech, voiceSettingsForCall(business, ctx.log).llmTurnBudgetMs);
  return reading ? { turns: call.state.intake.turns, reading } : null;
}

/** An on-call technician's phone stopped ringing: connected, or escalate to the next person. */
export async function handleOnCallResult(ctx: AppContext, business: Business, p: { callSid: string; dialCallStatus: string; attempt: number }): Promise<CallTurn> {
  return withCall(ctx, business, p.callSid, async (call, e) => {
    const page = call.decision?.onCall;
    if (call.stage !== 'dialing_on_call' || !page || page.attempt !== p.attempt) return [hangup]; // a retried or stale callback
    return nextOnCall(e, call, p.dialCallStatus === 'completed' || p.dialCallStatus === 'answered', (attempt) => url(ctx, voicePaths.onCall, { attempt }));
  });
}

/** The caller left a voicemail. */
export async function handleVoicemail(ctx: AppContext, business: Business, p: { callSid: string; recordingUrl: string | null; recordingSeconds: number }): Promise<CallTurn> {
  return withCall(ctx, business, p.callSid, async (call, e) => {
    if (p.recordingUrl) call.state.voicemail = { url: p.recordingUrl, seconds: p.recordingSeconds };
    call.contactId ??= await upsertCaller(e, call.state.intake);
    call.decision = { route: 'voicemail', reason: 'the caller left a voicemail', classification: null, classifier: null, summary: `Voicemail from ${call.from}${p.recordingUrl ? `: ${p.recordingUrl}` : ''}` };
    if (call.interactionId) await refreshCallLog(e, call, 'voicemail');
    else call.interactionId = await logCall(e, call, call.contactId, 'voicemail', 'voicemail');
    call.stage = 'finished';
    return [say('Thank you. We will call you back soon. Goodbye.'), hangup];
  });
}

/** A recording of a dialled leg is ready (recordCalls). */
export async function handleRecording(ctx: AppContext, business: Business, p: { callSid: string; recordingUrl: string }): Promise<CallTurn> {
  return withCall(ctx, business, p.callSid, async (call, e) => {
    if (!call.state.recordingUrls.includes(p.recordingUrl)) call.state.recordingUrls.push(p.recordingUrl);
    await refreshCallLog(e, call, call.mode === 'ring' ? 'staff' : call.mode);
    return [];
  });
}

export { handleCallStatus } from './status.ts';
export { handleVoicemailTranscription } from './voicemail.ts';
