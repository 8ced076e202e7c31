import { DateTime, Duration } from 'luxon';
import { isOpenAt } from '../crm/businesses/schedule.ts';
import type { WeeklyHours } from '../crm/businesses/schema.ts';
import { weekdays } from '../crm/businesses/schema.ts';

/** Pure time arithmetic for waits and due dates; every function takes `now` and zones explicitly. */
export const addDuration = (now: Date, iso: string): Date => DateTime.fromJSDate(now).plus(Duration.fromISO(iso)).toJSDate();

/** The next moment the local clock in `zone` shows hh:mm (today if still ahead), optionally skipping weekends. */
export function nextLocalTime(now: Date, zone: string, hhmm: string, weekdaysOnly = false): Date {
  const [h, m] = hhmm.split(':').map(Number);
  let t = DateTime.fromJSDate(now, { zone }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  if (t.toMillis() <= now.getTime()) t = t.plus({ days: 1 });
  while (weekdaysOnly && t.weekday > 5) t = t.plus({ days: 1 });
  return t.toJSDate();
}

const dayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** "Next Monday 9:00" (strictly after today) or "next business day 9:00", in the business's zone. */
export function nextDayAt(now: Date, zone: string, day: (typeof dayNames)[number] | 'business_day', hhmm: string): Date {
  const [h, m] = hhmm.split(':').map(Number);
  let t = DateTime.fromJSDate(now, { zone }).startOf('day').plus({ days: 1 });
  if (day === 'business_day') {
    while (t.weekday > 5) t = t.plus({ days: 1 });
  } else {
    const want = dayNames.indexOf(day) + 1;
    while (t.weekday !== want) t = t.plus({ days: 1 });
  }
  return t.set({ hour: h, minute: m }).toJSDate();
}

/** Now if the business is open, else the start of its next opening interval (searching two weeks ahead). */
export function nextBusinessOpen(now: Date, zone: string, hours: WeeklyHours): Date {
  if (isOpenAt(hours, zone, now)) return now;
  const local = DateTime.fromJSDate(now, { zone });
  for (let d = 0; d < 14; d++) {
    const day = local.startOf('day').plus({ days: d });
    const intervals = [...(hours[weekdays[day.weekday - 1]] ?? [])].sort((a, b) => a.open.localeCompare(b.open));
    for (const i of intervals) {
      const [h, m] = i.open.split(':').map(Number);
      const open = day.set({ hour: h, minute: m });
      if (open.toMillis() > now.getTime()) return open.toJSDate();
    }
  }
  return now;
}

/** Retry delay after the n-th failure: 30 s, 1 min, 2 min, 4 min … capped at an hour. */
export const backoffMs = (attempt: number): number => Math.min(3_600_000, 30_000 * 2 ** Math.max(0, attempt - 1));
