import { DateTime } from 'luxon';
import { MONTHLY_VOLUME, SERVICE_SEASONALITY, serviceByKey, TARGETS, type ServiceKey } from './catalog.ts';
import { appointmentStart, DAY, DemoRandom, HOUR, isBusinessHours, localWeekdayHour, nextOpenMoment, roundTo } from './random.ts';
import type { DemoJobStatus } from './types.ts';

/** The generated period: 36 months back from now. */
export interface HistoryWindow {
  startMs: number;
  nowMs: number;
  /** [start, end) of each month of history, oldest first. */
  months: Array<{ start: number; end: number; monthOfYear: number }>;
}

export function historyWindow(now: Date): HistoryWindow {
  const end = DateTime.fromJSDate(now, { zone: 'America/Chicago' });
  const start = end.minus({ months: TARGETS.months });
  const months = Array.from({ length: TARGETS.months }, (_, i) => {
    const a = start.plus({ months: i });
    const b = i === TARGETS.months - 1 ? end : start.plus({ months: i + 1 });
    return { start: a.toMillis(), end: b.toMillis(), monthOfYear: a.plus({ days: 14 }).month };
  });
  return { startMs: start.toMillis(), nowMs: end.toMillis(), months };
}

/** A job before it has a key: times in epoch ms. */
export interface JobDraft {
  contact: number;
  service: ServiceKey;
  status: DemoJobStatus;
  start: number;
  end: number;
  amountCents: number | null;
  techKey: string;
  createdAt: number;
  updatedAt: number;
  origin: 'inquiry' | 'plan' | 'install';
  notes: string | null;
}

export interface OutboundTouch {
  at: number;
  kind: 'call' | 'sms' | 'email';
  userKey: string;
  reached: boolean;
  converted: boolean;
  /** A text reply from the customer, when a texted follow-up got one. */
  replyAt: number | null;
}

/** One inbound inquiry and everything that followed it, before a contact is attached. */
export interface InquirySlot {
  at: number;
  channel: 'call' | 'web' | 'sms';
  service: Exclude<ServiceKey, 'installation'>;
  emergency: boolean;
  afterHours: boolean;
  answered: boolean;
  outcome: 'answered' | 'missed' | 'voicemail' | null;
  durationSeconds: number | null;
  handledBy: string | null;
  /** The office's reply to a web form or text. */
  response: OutboundTouch | null;
  bookedNow: boolean;
  followUp: OutboundTouch | null;
  callback: OutboundTouch | null;
  booked: boolean;
  bookedAt: number | null;
  job: JobDraft | null;
  contact: number;
  isNew: boolean;
}

export interface Staff {
  csr(): string;
  /** Who is on call at that moment (answers the phone after hours). */
  onCall(at: number): string;
  /**
   * Books a technician for [start, end): one free for the whole time (the
   * on-call one first after hours), or null when all four are busy then.
   */
  bookTech(start: number, end: number): string | null;
}

const inquiryServices = Object.keys(SERVICE_SEASONALITY) as Array<Exclude<ServiceKey, 'installation'>>;
const volumeMean = MONTHLY_VOLUME.reduce((a, b) => a + b, 0) / MONTHLY_VOLUME.length;

function inquiryInstant(rng: DemoRandom, start: number, end: number, afterHours: boolean): number {
  for (let guard = 0; guard < 200; guard++) {
    const t = Math.floor(rng.between(start, end));
    if (isBusinessHours(t) === afterHours) continue;
    const hour = localWeekdayHour(t).hour;
    // After-hours calls cluster in the evening; few at night.
    if (afterHours && (hour < 6 || hour >= 23) && rng.chance(0.75)) continue;
    return t;
  }
  return Math.floor(rng.between(start, end));
}

function touch(rng: DemoRandom, at: number, kind: OutboundTouch['kind'], userKey: string, reach: number, convert: number): OutboundTouch {
  const converted = rng.chance(convert);
  const reached = converted || rng.chance(reach);
  const replyAt = kind === 'sms' && reached ? at + Math.floor(rng.between(10 * 60_000, 3 * HOUR)) : null;
  return { at, kind, userKey, reached, converted, replyAt };
}

/** How far ahead the appointment lands, in days. */
function leadDays(rng: DemoRandom, service: ServiceKey): number {
  if (service === 'ac_repair' || service === 'furnace_repair') return rng.weighted([[0, 2], [1, 4], [2, 3], [3, 2], [5, 1]]);
  return rng.int(3, 13);
}

export function jobStatusAt(rng: DemoRandom, end: number, nowMs: number, risky: boolean): DemoJobStatus {
  if (end > nowMs) return 'scheduled';
  if (!risky) return 'completed';
  return rng.weighted<DemoJobStatus>([['completed', 92.5], ['cancelled', 4.5], ['no_show', 3]]);
}

/** A price around the service's average ticket. */
export function ticketCents(rng: DemoRandom, service: ServiceKey): number {
  const avg = serviceByKey.get(service)!.avgTicketCents;
  const sigma = service === 'tune_up' ? 0.15 : 0.5;
  return Math.max(8_900, roundTo(avg * rng.spread(sigma), 500));
}

/** A job booked at `createdAt` for `start`; risky jobs can end cancelled or as a no-show. */
export function planJob(rng: DemoRandom, staff: Staff, w: HistoryWindow, service: ServiceKey, start: number, createdAt: number, risky: boolean): JobDraft {
  const minutes = serviceByKey.get(service)!.durationMinutes;
  const length = roundTo(minutes * rng.between(0.75, 1.35), 5) * 60_000;
  // A technician is in one place at a time: when everyone is out then, the visit moves half an hour at a time.
  let techKey: string | null = null;
  for (let tries = 0; tries < 96 && techKey === null; tries++) {
    techKey = staff.bookTech(start, start + length);
    if (techKey === null) start += 30 * 60_000;
  }
  if (techKey === null) throw new Error('no technician free for two days');
  const end = start + length;
  const status = jobStatusAt(rng, end, w.nowMs, risky);
  const updatedAt = status === 'completed' ? end : status === 'cancelled' ? Math.floor(rng.between(createdAt, start)) : status === 'no_show' ? start + HOUR : createdAt;
  return {
    contact: -1,
    service,
    status,
    start,
    end,
    amountCents: status === 'completed' ? ticketCents(rng, service) : null,
    techKey,
    createdAt,
    updatedAt: Math.min(updatedAt, w.nowMs),
    origin: 'inquiry',
    notes: null,
  };
}

function bookJob(rng: DemoRandom, staff: Staff, w: HistoryWindow, slot: InquirySlot, bookedAt: number): JobDraft {
  const start = slot.emergency ? bookedAt + Math.floor(rng.between(0.75 * HOUR, 4 * HOUR)) : appointmentStart(rng, bookedAt, leadDays(rng, slot.service));
  return planJob(rng, staff, w, slot.service, start, bookedAt, !slot.emergency);
}

/** ~100 inquiries a month with seasonality, each with its answer, booking, follow-up and job. */
export function generateInquiries(rng: DemoRandom, w: HistoryWindow, staff: Staff): InquirySlot[] {
  const slots: InquirySlot[] = [];
  const lastMoment = w.nowMs - HOUR;
  for (const month of w.months) {
    const count = Math.round(((TARGETS.inquiriesPerMonth * MONTHLY_VOLUME[month.monthOfYear - 1]) / volumeMean) * rng.spread(0.06));
    for (let i = 0; i < count; i++) {
      const afterHours = rng.chance(TARGETS.afterHoursShare);
      const at = inquiryInstant(rng, month.start, Math.min(month.end, lastMoment), afterHours);
      const channel = rng.chance(TARGETS.callShare) ? 'call' : rng.chance(0.65) ? 'web' : 'sms';
      const service = rng.weighted(
        inquiryServices.map((s) => [s, SERVICE_SEASONALITY[s][month.monthOfYear - 1] * (afterHours && s === 'emergency_service' ? 3 : 1)] as const),
      );
      const emergency = service === 'emergency_service';
      const slot: InquirySlot = {
        at, channel, service, emergency, afterHours,
        answered: true, outcome: null, durationSeconds: null, handledBy: null, response: null,
        bookedNow: false, followUp: null, callback: null, booked: false, bookedAt: null, job: null, contact: -1, isNew: false,
      };
      let decidedAt = at;
      if (channel === 'call') {
        slot.answered = rng.chance(afterHours ? TARGETS.answerAfterHours : TARGETS.answerInHours);
        if (slot.answered) {
          slot.outcome = 'answered';
          slot.durationSeconds = Math.round(rng.between(70, 540));
          slot.handledBy = afterHours ? staff.onCall(at) : staff.csr();
        } else {
          slot.outcome = rng.chance(0.45) ? 'voicemail' : 'missed';
          slot.durationSeconds = slot.outcome === 'voicemail' ? Math.round(rng.between(15, 75)) : null;
        }
      } else {
        const replyAt = afterHours ? nextOpenMoment(rng, at, 0, 45 * 60_000) : at + Math.floor(rng.between(3 * 60_000, 90 * 60_000));
        const kind = channel === 'sms' ? 'sms' : rng.chance(0.6) ? 'call' : 'email';
        // A form or text that arrived just now may not have had its reply yet.
        if (replyAt <= w.nowMs) slot.response = { at: replyAt, kind, userKey: staff.csr(), reached: true, converted: false, replyAt: null };
        slot.answered = slot.response !== null;
        decidedAt = replyAt;
      }
      if (slot.answered) {
        slot.bookedNow = rng.chance(TARGETS.bookWhenAnswered);
        if (!slot.bookedNow && rng.chance(TARGETS.followUpWhenNotBooked)) {
          const followAt = nextOpenMoment(rng, decidedAt, DAY, 4 * DAY);
          slot.followUp = touch(rng, followAt, rng.chance(0.6) ? 'call' : 'sms', staff.csr(), 0.4, TARGETS.followUpConverts);
        }
      } else if (rng.chance(TARGETS.callbackWhenMissed)) {
        slot.callback = touch(rng, nextOpenMoment(rng, at, 10 * 60_000, 3 * HOUR), 'call', staff.csr(), TARGETS.callbackReached, TARGETS.callbackReached * TARGETS.callbackConverts);
      }
      // Touches that would happen after "now" have not happened yet.
      if (slot.followUp && Math.max(slot.followUp.at, slot.followUp.replyAt ?? 0) > w.nowMs) slot.followUp = null;
      if (slot.callback && slot.callback.at > w.nowMs) slot.callback = null;
      if (slot.bookedNow) slot.bookedAt = decidedAt;
      else if (slot.followUp?.converted) slot.bookedAt = slot.followUp.replyAt ?? slot.followUp.at;
      else if (slot.callback?.converted) slot.bookedAt = slot.callback.at;
      slot.booked = slot.bookedAt !== null;
      if (slot.bookedAt !== null) slot.job = bookJob(rng, staff, w, slot, slot.bookedAt);
      slots.push(slot);
    }
  }
  return slots.sort((a, b) => a.at - b.at);
}
