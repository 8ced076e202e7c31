import { z } from 'zod';
import type { WebhookParams } from '../channels/twilio-webhooks.ts';
import { validationError, zodIssues } from '../lib/errors.ts';

/** Typed parsing of Twilio Voice webhook params; a bad field is a 400 naming it. */
const one = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const str = z.preprocess(one, z.string().min(1, 'is required'));
const optStr = z.preprocess((v) => { const x = one(v); return x === '' ? undefined : x; }, z.string().optional());

const callSchema = z.object({
  CallSid: z.preprocess(one, z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a Twilio CA… call sid')),
  From: str,
  To: str,
});

function parse<T>(schema: z.ZodType<T>, params: WebhookParams, what: string): T {
  const r = schema.safeParse(params);
  if (!r.success) throw validationError(zodIssues(r.error), `Not a Twilio ${what}: ${zodIssues(r.error).map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** CallSid, From (the caller; "anonymous" for a withheld number) and To (our number). */
export function parseCallParams(params: WebhookParams): { callSid: string; from: string; to: string } {
  const p = parse(callSchema, params, 'voice webhook');
  return { callSid: p.CallSid, from: p.From, to: p.To };
}

/** <Dial> action: DialCallStatus (completed, answered, busy, no-answer, failed, canceled). */
export function parseDialResult(params: WebhookParams): string {
  return parse(z.object({ DialCallStatus: str }), params, '<Dial> result').DialCallStatus;
}

/** <Gather input="speech"> action: the recognised speech, or null when the caller said nothing. */
export function parseGather(params: WebhookParams): string | null {
  const p = parse(z.object({ SpeechResult: optStr }), params, '<Gather> result');
  return p.SpeechResult?.trim() ? p.SpeechResult.trim() : null;
}

export function parseRecording(params: WebhookParams): { url: string | null; seconds: number } {
  const p = parse(z.object({ RecordingUrl: optStr, RecordingDuration: optStr }), params, 'recording callback');
  const seconds = p.RecordingDuration && /^\d+$/.test(p.RecordingDuration) ? Number(p.RecordingDuration) : 0;
  return { url: p.RecordingUrl ?? null, seconds };
}

export function parseStatus(params: WebhookParams): { callStatus: string; durationSeconds: number | null } {
  const p = parse(z.object({ CallStatus: str, CallDuration: optStr }), params, 'call status callback');
  if (p.CallDuration !== undefined && !/^\d+$/.test(p.CallDuration)) throw validationError([{ field: 'CallDuration', message: 'must be a whole number of seconds' }]);
  return { callStatus: p.CallStatus, durationSeconds: p.CallDuration === undefined ? null : Number(p.CallDuration) };
}

/** <Record transcribe> callback: the transcript when TranscriptionStatus is completed, else null (failed, or nothing heard). */
export function parseTranscription(params: WebhookParams): { text: string | null; status: string } {
  const p = parse(z.object({ TranscriptionStatus: str, TranscriptionText: optStr }), params, 'transcription callback');
  const text = p.TranscriptionStatus === 'completed' && p.TranscriptionText?.trim() ? p.TranscriptionText.trim().slice(0, 5000) : null;
  return { text, status: p.TranscriptionStatus };
}
