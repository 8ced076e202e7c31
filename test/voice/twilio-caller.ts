import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import twilio from 'twilio';

/**
 * A stand-in for Twilio's side of a phone call: it posts the webhooks Twilio
 * would post, signed with X-Twilio-Signature exactly as Twilio signs them,
 * reads the TwiML that comes back, and follows its action URLs.
 */
export const AUTH_TOKEN = 'voice-test-auth-token-0123456789';
export const PUBLIC_URL = 'https://kinetic.voice.test';

export type Verb =
  | { kind: 'Say'; text: string }
  | { kind: 'Gather'; action: string; prompt: string; attrs: Record<string, string> }
  | { kind: 'Dial'; action: string; numbers: string[]; attrs: Record<string, string> }
  | { kind: 'Record'; action: string; transcribeCallback: string | null }
  | { kind: 'Hangup' };

const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const attrsOf = (s: string) => Object.fromEntries([...s.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], decode(m[2])]));

/** The top-level verbs of a TwiML <Response> (the shapes Kinetic produces). */
export function readTwiml(xml: string): Verb[] {
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><Response>/, `not TwiML: ${xml}`);
  const body = xml.replace(/^<\?xml[^>]*\?><Response>/, '').replace(/<\/Response>$/, '');
  const verbs: Verb[] = [];
  const re = /<(Say|Gather|Dial|Record|Hangup)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g;
  for (const m of body.matchAll(re)) {
    const attrs = attrsOf(m[2]);
    const inner = m[4] ?? '';
    if (m[1] === 'Say') verbs.push({ kind: 'Say', text: decode(inner) });
    else if (m[1] === 'Gather') verbs.push({ kind: 'Gather', action: attrs.action, prompt: decode(inner.replace(/<[^>]+>/g, '')), attrs });
    else if (m[1] === 'Dial') verbs.push({ kind: 'Dial', action: attrs.action, numbers: [...inner.matchAll(/<Number>([^<]*)<\/Number>/g)].map((n) => decode(n[1])), attrs });
    else if (m[1] === 'Record') verbs.push({ kind: 'Record', action: attrs.action, transcribeCallback: attrs.transcribe === 'true' ? (attrs.transcribeCallback ?? null) : null });
    else verbs.push({ kind: 'Hangup' });
  }
  return verbs;
}

export function sign(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

/** Where requests go: the app in-process, or a started server's real address (behind our public URL, like a proxy). */
export type Transport = FastifyInstance | { listeningAt: string };
type Reply = Pick<LightMyRequestResponse, 'statusCode' | 'body' | 'headers'>;

/** POSTs form params to an absolute URL of our public address, signed (or with the given signature). */
export async function postSigned(app: Transport, url: string, params: Record<string, string>, signature: string | null = sign(url, params)): Promise<Reply> {
  assert.ok(url.startsWith(PUBLIC_URL), `Twilio would only call our public URL, not ${url}`);
  if ('listeningAt' in app) {
    const res = await fetch(`${app.listeningAt}${url.slice(PUBLIC_URL.length)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(params).toString(),
    });
    return { statusCode: res.status, body: await res.text(), headers: Object.fromEntries(res.headers.entries()) };
  }
  return app.inject({
    method: 'POST',
    url: url.slice(PUBLIC_URL.length),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    payload: new URLSearchParams(params).toString(),
  });
}

export class SimulatedCall {
  readonly callSid = `CA${randomBytes(16).toString('hex')}`;
  verbs: Verb[] = [];
  /** Everything the caller heard, in order. */
  heard: string[] = [];

  constructor(
    private readonly app: Transport,
    readonly from: string,
    readonly to: string,
  ) {}

  private base(): Record<string, string> {
    return { AccountSid: `AC${'ab'.repeat(16)}`, CallSid: this.callSid, From: this.from, To: this.to, Direction: 'inbound', ApiVersion: '2010-04-01' };
  }

  private async post(url: string, extra: Record<string, string>): Promise<Verb[]> {
    const res = await postSigned(this.app, url, { ...this.base(), ...extra });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /text\/xml/);
    this.verbs = readTwiml(res.body);
    for (const v of this.verbs) {
      if (v.kind === 'Say') this.heard.push(v.text);
      if (v.kind === 'Gather') this.heard.push(v.prompt);
    }
    return this.verbs;
  }

  find<K extends Verb['kind']>(kind: K): Extract<Verb, { kind: K }> {
    const v = this.verbs.find((x) => x.kind === kind);
    assert.ok(v, `expected <${kind}> in ${JSON.stringify(this.verbs)}`);
    return v as Extract<Verb, { kind: K }>;
  }

  /** The phone rings at Kinetic: Twilio fetches the Voice URL. */
  start(): Promise<Verb[]> {
    return this.post(`${PUBLIC_URL}/webhooks/twilio/voice`, { CallStatus: 'ringing' });
  }

  /** The caller speaks (null: silence) in answer to the current <Gather>. */
  say(speech: string | null): Promise<Verb[]> {
    const g = this.find('Gather');
    return this.post(g.action, { CallStatus: 'in-progress', ...(speech === null ? {} : { SpeechResult: speech, Confidence: '0.91' }) });
  }

  /** The current <Dial> ends with this DialCallStatus. */
  dialEnds(status: 'completed' | 'no-answer' | 'busy' | 'failed'): Promise<Verb[]> {
    const d = this.find('Dial');
    return this.post(d.action, { CallStatus: 'in-progress', DialCallStatus: status, ...(status === 'completed' ? { DialCallDuration: '95' } : {}) });
  }

  recordVoicemail(url: string, seconds: number): Promise<Verb[]> {
    const r = this.find('Record');
    return this.post(r.action, { CallStatus: 'in-progress', RecordingUrl: url, RecordingDuration: String(seconds), RecordingSid: `RE${'cd'.repeat(16)}` });
  }

  /** Twilio's transcription of the voicemail arrives (at the <Record>'s transcribeCallback, after the call). */
  async transcribed(text: string, transcribeCallback: string, status = 'completed'): Promise<Reply> {
    const res = await postSigned(this.app, transcribeCallback, { ...this.base(), CallStatus: 'completed', TranscriptionSid: `TR${'ef'.repeat(16)}`, TranscriptionStatus: status, TranscriptionText: text, RecordingSid: `RE${'cd'.repeat(16)}` });
    assert.equal(res.statusCode, 204, res.body);
    return res;
  }

  /** The call ends: Twilio posts the status callback. */
  async hangUp(durationSeconds: number, status = 'completed'): Promise<Reply> {
    const res = await postSigned(this.app, `${PUBLIC_URL}/webhooks/twilio/voice/status`, { ...this.base(), CallStatus: status, CallDuration: String(durationSeconds) });
    assert.equal(res.statusCode, 204, res.body);
    return res;
  }
}
