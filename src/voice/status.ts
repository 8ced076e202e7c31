import type { AppContext } from '../context.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { claimCallEnd, insertCall, loadCall, saveCall, type VoiceCall } from './calls.ts';
import { loadIntakeClassifier } from './classifier.ts';
import { emergencyAfterHangUp, emitEmergencyAfterHangUp } from './decide.ts';
import { callbackDue, createCallbackTask, logCall, refreshCallLog, upsertCaller, type Effects } from './outcomes.ts';
import { callerWords, intakeSummary, newIntake } from './script.ts';
import { voiceSettingsForCall } from './settings.ts';

export interface CallStatusUpdate {
  callSid: string;
  /** Twilio CallStatus: queued, ringing, in-progress, completed, busy, no-answer, canceled, failed. */
  callStatus: string;
  durationSeconds: number | null;
  from: string;
  to: string;
}

const FINAL = new Set(['completed', 'busy', 'no-answer', 'canceled', 'failed']);

/**
 * What the call was, for the timeline and the answer rate. Pure.
 * staff picked up → answered; the receptionist finished the intake → completed;
 * caller hung up before anyone or mid-intake → abandoned; voicemail → voicemail.
 */
export function callOutcome(call: VoiceCall | null, callStatus: string): { outcome: string; handledBy: 'staff' | 'receptionist' | 'voicemail' | 'nobody' } {
  if (!call) return { outcome: callStatus === 'completed' ? 'answered' : callStatus === 'busy' ? 'busy' : 'missed', handledBy: 'nobody' };
  if (call.stage === 'staff_answered') return { outcome: 'answered', handledBy: 'staff' };
  if (call.state.voicemail || call.decision?.route === 'voicemail') return { outcome: 'voicemail', handledBy: 'voicemail' };
  if (call.decision && call.decision.route !== 'incomplete') return { outcome: 'completed', handledBy: 'receptionist' };
  if (call.mode === 'voicemail') return { outcome: 'missed', handledBy: 'nobody' };
  return { outcome: call.mode === 'receptionist' ? 'abandoned' : 'missed', handledBy: call.mode === 'receptionist' ? 'receptionist' : 'nobody' };
}

/**
 * Twilio's status callback for the caller's call. On the final status the
 * call is logged (once per CallSid) with outcome and duration; a caller who
 * hung up mid-intake becomes a partial lead with a follow-up task, and the
 * abandoned call emits call.missed so the text-back reaches them too. When
 * what they said so far classifies as an emergency, the on-call chain is
 * paged by text and an urgent task is due now instead of the callback task.
 */
export async function handleCallStatus(ctx: AppContext, business: Business, u: CallStatusUpdate): Promise<{ recorded: boolean; outcome: string | null }> {
  if (!FINAL.has(u.callStatus)) return { recorded: false, outcome: null };
  const settings = voiceSettingsForCall(business, ctx.log);
  const classifier = await loadIntakeClassifier();
  return ctx.db.transaction(async (trx) => {
    const now = ctx.clock.now();
    const e: Effects = { ctx, trx, business, settings, now };
    let call = await loadCall(trx, business.id, u.callSid);
    if (call?.status === 'ended') return { recorded: false, outcome: null }; // Twilio retried the callback
    if (call && !(await claimCallEnd(trx, business.id, u.callSid))) return { recorded: false, outcome: null }; // a retry delivered at the same time
    if (!call) {
      call = {
        callSid: u.callSid, businessId: business.id, contactId: null, from: u.from, to: u.to, mode: 'ring', stage: 'finished',
        state: { intake: newIntake(u.from), ringIndex: 0, ringNumbers: [], reason: 'no_team', recordingUrls: [], voicemail: null },
        decision: null, interactionId: null, status: 'in_progress', durationSeconds: null, createdAt: new Date(now.getTime() - (u.durationSeconds ?? 0) * 1000).toISOString(),
      };
      await insertCall(trx, call, now.toISOString());
      const { outcome } = callOutcome(null, u.callStatus);
      call.stage = outcome === 'answered' ? 'staff_answered' : 'finished';
    }
    const { outcome, handledBy } = callOutcome(call, u.callStatus);
    call.durationSeconds = u.durationSeconds;
    call.contactId ??= await upsertCaller(e, call.state.intake);
    let hungUpInEmergency = false;
    if (call.mode === 'receptionist' && !call.decision) {
      // Hung up mid-intake: keep what they told us and make sure someone follows up — now, if it is an emergency.
      const intake = call.state.intake;
      const said = callerWords(intake);
      const classification = said ? classifier.classify(said) : null;
      if (classification?.urgency === 'emergency') {
        await emergencyAfterHangUp(e, call, classification, classifier.name);
        hungUpInEmergency = true;
      } else {
        const summary = intakeSummary(intake, null);
        const taskId = await createCallbackTask(e, call.contactId, `Call back ${intake.name ?? call.from}: hung up during intake`, summary, call.callSid, callbackDue(e));
        call.decision = { route: 'incomplete', reason: `the caller hung up at the ${intake.stage.replace('_', ' ')} question`, classification: null, classifier: null, summary, taskId };
      }
    }
    if (call.interactionId) await refreshCallLog(e, call, handledBy);
    else call.interactionId = await logCall(e, call, call.contactId, outcome, handledBy);
    if (hungUpInEmergency) await emitEmergencyAfterHangUp(e, call);
    call.status = 'ended';
    call.stage = call.stage === 'staff_answered' ? call.stage : 'finished';
    await saveCall(trx, call, now.toISOString());
    return { recorded: true, outcome };
  });
}
