// Voice webhook latency: whole receptionist calls (incoming → 4 speech turns → status callback),
// signed like Twilio signs them, at a steady request rate, offline mode (script + classifier, no LLM).
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import twilio from 'twilio';
import { buildServer } from '../src/api/server.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger, type AppContext } from '../src/context.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import type { Dialect } from '../src/db/database.ts';
import { installEngine } from '../src/engine/index.ts';
import { systemClock } from '../src/lib/clock.ts';
import { benchDb, fmt, percentile } from './util.ts';

const TOKEN = 'bench-voice-auth-token';
const PUBLIC = 'https://bench.kinetic.test';
const NUMBER = '+15125550100';
const closed = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };

const SCRIPT: Array<Record<string, string> & { path: string }> = [
  { path: '/webhooks/twilio/voice', CallStatus: 'ringing' },
  { path: '/webhooks/twilio/voice/gather', SpeechResult: 'My name is Dana Whitfield' },
  { path: '/webhooks/twilio/voice/gather', SpeechResult: 'yes' },
  { path: '/webhooks/twilio/voice/gather', SpeechResult: '12 Oak Street' },
  { path: '/webhooks/twilio/voice/gather', SpeechResult: "I'd like to book a furnace tune-up next week" },
  { path: '/webhooks/twilio/voice/status', CallStatus: 'completed', CallDuration: '74' },
];

export async function benchVoiceWebhooks(dialect: Dialect, perSecond = 200, seconds = 10): Promise<string> {
  installEngine();
  const { db, cleanup } = await benchDb(dialect);
  try {
    const config = { ...loadConfig({ KINETIC_DEMO: '0' }), secret: 'bench-secret-0123456789abcdef0123456789', publicUrl: PUBLIC, twilio: { accountSid: `AC${'ab'.repeat(16)}`, authToken: TOKEN, fromNumber: NUMBER, messagingServiceSid: null, apiBaseUrl: null } };
    const ctx: AppContext = { config, db, clock: systemClock, log: silentLogger };
    await createBusiness(ctx, { name: 'Bench Heating', timeZone: 'UTC', phone: NUMBER, businessHours: closed, settings: { compliance: { quietHours: { start: '00:00', end: '23:59' } } } });
    const app = await buildServer(ctx);
    await app.ready();
    const calls: Array<{ sid: string; from: string; step: number; busy: boolean }> = [];
    const latencies: number[] = [];
    let failures = 0;
    const total = perSecond * seconds;
    const inflight: Array<Promise<void>> = [];
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      let call = calls.find((c) => !c.busy && c.step < SCRIPT.length);
      if (!call) {
        call = { sid: `CA${randomBytes(16).toString('hex')}`, from: `+1512${String(4000000 + calls.length)}`, step: 0, busy: false };
        calls.push(call);
      }
      const c = call;
      const { path, ...extra } = SCRIPT[c.step];
      const params = { CallSid: c.sid, From: c.from, To: NUMBER, AccountSid: config.twilio.accountSid, ...extra };
      c.busy = true;
      const started = performance.now();
      inflight.push(
        app
          .inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC}${path}`, params) }, payload: new URLSearchParams(params).toString() })
          .then((res) => {
            latencies.push(performance.now() - started);
            if (res.statusCode >= 300) failures++;
            c.step++;
            c.busy = false;
          }),
      );
    }
    await Promise.all(inflight);
    await app.close();
    latencies.sort((a, b) => a - b);
    const completed = calls.filter((c) => c.step === SCRIPT.length).length;
    return `voice webhooks ${dialect.padEnd(8)} ${perSecond} req/s × ${seconds} s: ${latencies.length} requests (${completed} whole calls, ${failures} errors), p50 ${fmt(percentile(latencies, 50), 1)} ms  p99 ${fmt(percentile(latencies, 99), 1)} ms`;
  } finally {
    await cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const d of ['sqlite', 'postgres'] as const) console.log(await benchVoiceWebhooks(d));
  process.exit(0);
}
