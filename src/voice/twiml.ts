import twilio from 'twilio';
import type { VoiceSettings } from './settings.ts';

/**
 * What the receptionist does on the line, independent of TwiML: the webhook
 * renders it with twilio's VoiceResponse, the terminal simulator prints it.
 */
export type VoiceVerb =
  | { kind: 'say'; text: string }
  | { kind: 'gather'; prompt: string; action: string }
  /** record: the recording status callback URL when the leg is recorded, else null. */
  | { kind: 'dial'; numbers: string[]; action: string; timeout: number; record: string | null; callerId?: string | null; note: string }
  /** transcribe: where Twilio posts the transcript (voicemail), else no transcription. */
  | { kind: 'record'; action: string; maxLength: number; transcribe?: string | null }
  | { kind: 'hangup' };

export interface VoiceReply {
  verbs: VoiceVerb[];
}

export const say = (text: string): VoiceVerb => ({ kind: 'say', text });
export const hangup: VoiceVerb = { kind: 'hangup' };

/** TwiML for a reply, made with the official twilio library. */
export function renderTwiml(reply: VoiceReply, settings: Pick<VoiceSettings, 'voice' | 'language'>): string {
  const r = new twilio.twiml.VoiceResponse();
  const sayAttrs = { voice: settings.voice as 'Polly.Joanna', language: settings.language as 'en-US' };
  for (const v of reply.verbs) {
    switch (v.kind) {
      case 'say':
        r.say(sayAttrs, v.text);
        break;
      case 'gather': {
        const g = r.gather({
          input: ['speech'],
          action: v.action,
          method: 'POST',
          speechTimeout: 'auto',
          timeout: 6,
          actionOnEmptyResult: true,
          language: settings.language as 'en-US',
          profanityFilter: false,
        });
        g.say(sayAttrs, v.prompt);
        break;
      }
      case 'dial': {
        const d = r.dial({
          action: v.action,
          method: 'POST',
          timeout: v.timeout,
          answerOnBridge: true,
          ...(v.record ? { record: 'record-from-answer-dual' as const, recordingStatusCallback: v.record, recordingStatusCallbackEvent: ['completed' as const] } : {}),
          ...(v.callerId ? { callerId: v.callerId } : {}),
        });
        for (const n of v.numbers) d.number(n);
        break;
      }
      case 'record':
        r.record({ action: v.action, method: 'POST', maxLength: v.maxLength, playBeep: true, finishOnKey: '#', ...(v.transcribe ? { transcribe: true, transcribeCallback: v.transcribe } : {}) });
        break;
      case 'hangup':
        r.hangup();
        break;
    }
  }
  return r.toString();
}
