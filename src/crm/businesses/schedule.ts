import { DateTime } from 'luxon';
import type { OnCallSchedule, WeeklyHours, Weekday } from './schema.ts';
import { weekdays } from './schema.ts';

/** Is the business open at this instant? (pure: hours are in the business's zone) */
export function isOpenAt(hours: WeeklyHours, timeZone: string, at: Date): boolean {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const day: Weekday = weekdays[local.weekday - 1];
  const hhmm = local.toFormat('HH:mm');
  return (hours[day] ?? []).some((i) => hhmm >= i.open && hhmm < i.close);
}

/**
 * Who is on call at `at`, in escalation order: the override holder (if any),
 * then the scheduled primary, then the rest of the rotation.
 */
export function onCallAt(schedule: OnCallSchedule, at: Date): string[] {
  const order: string[] = [];
  const t = at.getTime();
  for (const o of schedule.overrides) {
    if (t >= Date.parse(o.start) && t < Date.parse(o.end) && !order.includes(o.userId)) order.push(o.userId);
  }
  const n = schedule.rotation.length;
  if (n > 0) {
    const shiftMs = schedule.shiftHours * 3_600_000;
    const index = Math.floor((t - Date.parse(schedule.anchor)) / shiftMs);
    const primary = ((index % n) + n) % n;
    for (let k = 0; k < n; k++) {
      const userId = schedule.rotation[(primary + k) % n];
      if (!order.includes(userId)) order.push(userId);
    }
  }
  return order;
}
