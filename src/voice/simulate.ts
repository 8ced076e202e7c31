import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { AppContext } from '../context.ts';
import type { Db } from '../db/database.ts';
import { isOpenAt } from '../crm/businesses/schedule.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { VirtualClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { handleCallStatus, handleGather, handleIncomingCall, handleOnCallResult, handleRingResult, handleVoicemail, handleVoicemailTranscription, voicePaths, type CallTurn } from './receptionist.ts';

/**
 * A phone call with the receptionist in a terminal: the same handlers the
 * Twilio webhooks call, driven by lines of text, on a virtual clock, inside a
 * transaction that is rolled back at the end — it shows what would be saved
 * and sent, and nothing is.
 */
export interface SimulationIo {
  say(line: string): void;
  /** The caller's next words; null when the caller hangs up (end of input). */
  listen(): Promise<string | null>;
}

/** --at: an ISO instant, a local "YYYY-MM-DD HH:MM", or a local "HH:MM" today, in the business's zone. */
export function parseSimulationTime(at: string | undefined, zone: string, now: Date): Date {
  if (!at) return now;
  const s = at.trim();
  let t = /^\d{1,2}:\d{2}$/.test(s)
    ? DateTime.fromFormat(s.padStart(5, '0'), 'HH:mm', { zone }).set({ year: DateTime.fromJSDate(now, { zone }).year, month: DateTime.fromJSDate(now, { zone }).month, day: DateTime.fromJSDate(now, { zone }).day })
    : DateTime.fromISO(s.replace(' ', 'T'), { zone, setZone: false });
  if (!t.isValid) t = DateTime.fromISO(s, { zone });
  if (!t.isValid) throw new AppError('VALIDATION_FAILED', `--at "${at}" is not a time: use 2026-03-03T02:00, "2026-03-03 21:00" or 21:00 (in the business's time zone)`);
  return t.toJSDate();
}

class Rollback extends Error {}

export async function simulateCall(base: AppContext, business: Business, opts: { at: Date; from: string }, io: SimulationIo): Promise<void> {
  const clock = new VirtualClock(opts.at);
  const local = DateTime.fromJSDate(opts.at, { zone: business.timeZone });
  const open = isOpenAt(business.businessHours, business.timeZone, opts.at);
  io.say(`Simulated call from ${opts.from} to ${business.name} at ${local.toFormat('ccc yyyy-LL-dd HH:mm')} (${business.timeZone}): ${open ? 'open' : 'after hours'}.`);
  io.say('Type what the caller says; an empty line is silence; end of input (Ctrl-D) hangs up.');
  try {
    await base.db.kysely.transaction().execute(async (trx) => {
      const db: Db = { kysely: trx, dialect: base.db.dialect, schema: base.db.schema, transaction: (fn) => fn(trx), close: async () => {} };
      const ctx: AppContext = { ...base, db, clock };
      await converse(ctx, business, opts.from, clock, io);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  io.say('Simulation only: nothing was saved or sent.');
}

async function converse(ctx: AppContext, business: Business, from: string, clock: VirtualClock, io: SimulationIo): Promise<void> {
  const callSid = `CA${randomBytes(16).toString('hex')}`;
  const started = clock.now().getTime();
  let turn: CallTurn = await handleIncomingCall(ctx, business, { callSid, from, to: business.phone ?? '+10000000000' });
  let hungUp = false;
  for (let guard = 0; guard < 60 && !hungUp; guard++) {
    let next: Promise<CallTurn> | null = null;
    for (const v of turn.reply.verbs) {
      if (v.kind === 'say') io.say(`receptionist: ${v.text}`);
      else if (v.kind === 'gather') {
        io.say(`receptionist: ${v.prompt}`);
        clock.advance(8_000);
        const heard = await io.listen();
        if (heard === null) {
          hungUp = true;
          io.say('[the caller hangs up]');
        } else next = handleGather(ctx, business, { callSid, speech: heard });
        break;
      } else if (v.kind === 'dial') {
        clock.advance(v.timeout * 1000);
        if (v.action.includes(voicePaths.onCall)) {
          io.say(`[${v.note}: answered]`);
          const attempt = Number(new URL(v.action).searchParams.get('attempt') ?? '0');
          next = handleOnCallResult(ctx, business, { callSid, dialCallStatus: 'completed', attempt });
        } else {
          io.say(`[${v.note}: nobody answers in the simulation]`);
          next = handleRingResult(ctx, business, { callSid, dialCallStatus: 'no-answer' });
        }
        break;
      } else if (v.kind === 'record') {
        const heard = await io.listen();
        io.say(`[voicemail recorded${heard ? `: "${heard}"` : ''}]`);
        const transcript = heard;
        // Twilio transcribes the voicemail after the recording; the simulation hands the typed words over the same way.
        next = handleVoicemail(ctx, business, { callSid, recordingUrl: null, recordingSeconds: 20 }).then(async (t) => {
          if (transcript) await handleVoicemailTranscription(ctx, business, { callSid, text: transcript });
          return t;
        });
        break;
      } else if (v.kind === 'hangup') {
        hungUp = true;
        break;
      }
    }
    if (!next) break;
    turn = await next;
  }
  const duration = Math.round((clock.now().getTime() - started) / 1000);
  await handleCallStatus(ctx, business, { callSid, callStatus: 'completed', durationSeconds: duration, from, to: business.phone ?? '' });
  await report(ctx, business, callSid, io);
}

async function report(ctx: AppContext, business: Business, callSid: string, io: SimulationIo): Promise<void> {
  const row = await ctx.db.kysely.selectFrom('voice_calls').selectAll().where('business_id', '=', business.id).where('call_sid', '=', callSid).executeTakeFirstOrThrow();
  const decision = row.decision ? (JSON.parse(row.decision) as { route: string; reason: string; classification: { urgency: string; intent: string; confidence: number } | null; classifier: string | null; onCall?: { chain: Array<{ userId: string; name: string }>; answeredBy: string | null } }) : null;
  io.say('');
  io.say(`decision: ${decision ? `${decision.route} (${decision.reason})` : 'none'}`);
  if (decision?.classification) io.say(`  assessed by ${decision.classifier}: ${decision.classification.urgency}, ${decision.classification.intent}, confidence ${decision.classification.confidence.toFixed(2)}`);
  if (decision?.onCall) io.say(`  on-call chain: ${decision.onCall.chain.map((p) => p.name).join(' → ') || 'nobody on call'}${decision.onCall.answeredBy ? `; answered by ${decision.onCall.chain.find((p) => p.userId === decision.onCall!.answeredBy)?.name}` : ''}`);
  if (row.contact_id) {
    const c = await ctx.db.kysely.selectFrom('contacts').select(['display_name', 'lifecycle_stage', 'address_line1']).where('business_id', '=', business.id).where('id', '=', row.contact_id).executeTakeFirst();
    if (c) io.say(`  contact: ${c.display_name} (${c.lifecycle_stage})${c.address_line1 ? `, ${c.address_line1}` : ''}`);
  }
  const texts = await ctx.db.kysely.selectFrom('outbox').select(['to_address', 'body', 'not_before']).where('business_id', '=', business.id).where('idempotency_key', 'like', `voice:${callSid}:%`).orderBy('created_at').execute();
  for (const t of texts) io.say(`  text to ${t.to_address}${String(t.not_before) > ctx.clock.now().toISOString() ? ` (held for quiet hours until ${String(t.not_before)})` : ''}: ${t.body}`);
  const tasks = await ctx.db.kysely.selectFrom('tasks').select(['title', 'due_at']).where('business_id', '=', business.id).where('origin_ref', '=', `call:${callSid}`).execute();
  for (const t of tasks) io.say(`  task: ${t.title} (due ${t.due_at ? DateTime.fromISO(String(t.due_at), { zone: business.timeZone }).toFormat('ccc HH:mm') : 'any time'})`);
  if (row.interaction_id) {
    const i = await ctx.db.kysely.selectFrom('interactions').select(['outcome', 'duration_seconds']).where('business_id', '=', business.id).where('id', '=', row.interaction_id).executeTakeFirst();
    if (i) io.say(`  timeline: call logged as ${i.outcome}, ${i.duration_seconds ?? 0} s, with transcript and summary`);
  }
}
