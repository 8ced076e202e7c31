import { DateTime } from 'luxon';
import type { WeeklyHours, Weekday } from '../crm/businesses/schema.ts';
import { weekdays } from '../crm/businesses/schema.ts';
import type { BookingSettings } from './settings.ts';

/**
 * Bookable slots: a pure function of opening hours, technicians' working
 * weeks and days off, the jobs already on their calendars, the service
 * duration and the booking settings. Loading those from the database is
 * find-slots.ts's job; this file only decides.
 */
export interface Slot {
  start: string;
  end: string;
  technicianId: string;
}

export interface BusyInterval {
  technicianId: string;
  start: string;
  end: string;
}

export interface TechnicianHours {
  id: string;
  /** null: works the business's opening hours. */
  weeklyHours: WeeklyHours | null;
  /** Local dates (yyyy-mm-dd) off. */
  daysOff: string[];
}

export interface AvailabilityInput {
  timeZone: string;
  businessHours: WeeklyHours;
  technicians: TechnicianHours[];
  busy: BusyInterval[];
  durationMinutes: number;
  settings: Pick<BookingSettings, 'bufferMinutes' | 'slotStepMinutes' | 'minNoticeMinutes'>;
  from: Date;
  to: Date;
  now: Date;
}

type Interval = { open: string; close: string };
const MINUTE = 60_000;

/** Where two lists of same-day hh:mm intervals overlap. */
export function intersectIntervals(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const open = x.open > y.open ? x.open : y.open;
      const close = x.close < y.close ? x.close : y.close;
      if (open < close) out.push({ open, close });
    }
  }
  return out.sort((p, q) => (p.open < q.open ? -1 : 1));
}

const atLocal = (day: DateTime, hhmm: string): DateTime =>
  hhmm === '24:00' ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3)), second: 0, millisecond: 0 });

/** Two technician bookings conflict when either one's job plus buffer overlaps the other's job. */
export function conflicts(start: number, end: number, busy: { start: number; end: number }, bufferMs: number): boolean {
  return start < busy.end + bufferMs && busy.start < end + bufferMs;
}

export function computeSlots(input: AvailabilityInput): Slot[] {
  const { timeZone, settings } = input;
  const durationMs = input.durationMinutes * MINUTE;
  const bufferMs = settings.bufferMinutes * MINUTE;
  const stepMs = settings.slotStepMinutes * MINUTE;
  const earliest = Math.max(input.from.getTime(), input.now.getTime() + settings.minNoticeMinutes * MINUTE);
  const latest = input.to.getTime();
  if (earliest >= latest) return [];

  const busyBy = new Map<string, Array<{ start: number; end: number }>>();
  for (const b of input.busy) {
    const list = busyBy.get(b.technicianId) ?? [];
    list.push({ start: Date.parse(b.start), end: Date.parse(b.end) });
    busyBy.set(b.technicianId, list);
  }

  const slots: Array<Slot & { order: number; t: number }> = [];
  const lastDay = DateTime.fromMillis(latest, { zone: timeZone }).startOf('day');
  for (let day = DateTime.fromMillis(earliest, { zone: timeZone }).startOf('day'); day <= lastDay; day = day.plus({ days: 1 }).startOf('day')) {
    const weekday: Weekday = weekdays[day.weekday - 1];
    const date = day.toISODate() ?? '';
    const open = input.businessHours[weekday] ?? [];
    input.technicians.forEach((tech, order) => {
      if (tech.daysOff.includes(date)) return;
      const hours = tech.weeklyHours ? intersectIntervals(open, tech.weeklyHours[weekday] ?? []) : open;
      const busy = busyBy.get(tech.id) ?? [];
      for (const interval of hours) {
        const openAt = atLocal(day, interval.open).toMillis();
        const closeAt = atLocal(day, interval.close).toMillis();
        for (let t = openAt; t + durationMs <= closeAt; t += stepMs) {
          if (t < earliest || t >= latest) continue;
          const end = t + durationMs;
          if (busy.some((b) => conflicts(t, end, b, bufferMs))) continue;
          slots.push({ start: new Date(t).toISOString(), end: new Date(end).toISOString(), technicianId: tech.id, order, t });
        }
      }
    });
  }
  slots.sort((a, b) => a.t - b.t || a.order - b.order);
  return slots.map(({ start, end, technicianId }) => ({ start, end, technicianId }));
}

/** Distinct start times, earliest first, at most `limit` (the public page shows times, not technicians). */
export function distinctStarts(slots: Slot[], limit: number): Array<{ start: string; end: string }> {
  const seen = new Set<string>();
  const out: Array<{ start: string; end: string }> = [];
  for (const s of slots) {
    if (seen.has(s.start)) continue;
    seen.add(s.start);
    out.push({ start: s.start, end: s.end });
    if (out.length >= limit) break;
  }
  return out;
}
