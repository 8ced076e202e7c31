import type { AppContext } from '../context.ts';
import type { Business } from '../crm/businesses/schema.ts';
// Types only: erased at run time, so the intelligence module stays optional (see optional-export.ts).
import type { LlmClient } from '../intelligence/llm/provider.ts';
import type { readVoicemail, VoicemailReading } from '../intelligence/intake/voicemail.ts';
import { AppError } from '../lib/errors.ts';
import { loadCall, saveCall } from './calls.ts';
import { voiceLlm } from './llm-turn.ts';
import { optionalExport } from './optional-export.ts';
import { logCall, refreshCallLog, upsertCaller, type Effects } from './outcomes.ts';
import { voiceSettingsForCall } from './settings.ts';

const loadReadVoicemail = optionalExport<typeof readVoicemail>('../intelligence/intake/voicemail.ts', 'readVoicemail');

export interface VoicemailTranscription {
  interactionId: string | null;
  contactId: string | null;
  /** How intake read it; null when there was no transcript or the intelligence module is not installed. */
  reading: VoicemailReading | null;
}

/**
 * Twilio transcribed a voicemail. The transcript goes on the call's entry in
 * the contact's timeline (one transaction with the call), then intake reads it
 * like an inbound text, outside that transaction (it may ask an LLM): an
 * emergency is paged to on-call and the caller texted the safety message for
 * their hazard (intelligence/intake/voicemail.ts). A failed or empty
 * transcription changes nothing: the recording and the callback task stand.
 */
export async function handleVoicemailTranscription(ctx: AppContext, business: Business, p: { callSid: string; text: string | null }): Promise<VoicemailTranscription> {
  const settings = voiceSettingsForCall(business, ctx.log);
  const logged = await ctx.db.transaction(async (trx) => {
    const call = await loadCall(trx, business.id, p.callSid);
    if (!call) throw new AppError('NOT_FOUND', `no call ${p.callSid} for this number`);
    if (!p.text) return { interactionId: call.interactionId, contactId: call.contactId, text: null };
    const e: Effects = { ctx, trx, business, settings, now: ctx.clock.now() };
    call.state.voicemailTranscript = p.text;
    call.contactId ??= await upsertCaller(e, call.state.intake);
    const heard = `Voicemail from ${call.from}${call.state.voicemail ? `: ${call.state.voicemail.url}` : ''}\nThey said: "${p.text}"`;
    call.decision = call.decision?.route === 'voicemail' || !call.decision ? { route: 'voicemail', reason: 'the caller left a voicemail', classification: null, classifier: null, ...call.decision, summary: heard } : { ...call.decision, summary: `${call.decision.summary}\n${heard}` };
    if (call.interactionId) await refreshCallLog(e, call, 'voicemail');
    else call.interactionId = await logCall(e, call, call.contactId, 'voicemail', 'voicemail');
    await saveCall(trx, call, e.now.toISOString());
    return { interactionId: call.interactionId, contactId: call.contactId, text: p.text };
  });
  if (!logged.text || !logged.interactionId || !logged.contactId) return { interactionId: logged.interactionId, contactId: logged.contactId, reading: null };
  const read = await loadReadVoicemail();
  if (!read) return { interactionId: logged.interactionId, contactId: logged.contactId, reading: null };
  // voiceLlm is intelligence/llm's createLlmClient, typed by the receptionist for the part it uses.
  const llm = (await voiceLlm(ctx)) as LlmClient | null;
  const reading = await read(ctx, llm, business.id, { interactionId: logged.interactionId, contactId: logged.contactId, transcript: logged.text });
  return { interactionId: logged.interactionId, contactId: logged.contactId, reading };
}
