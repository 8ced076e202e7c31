import { DateTime } from 'luxon';
import type { WeeklyHours } from '../crm/businesses/schema.ts';
import { weekdays } from '../crm/businesses/schema.ts';

/**
 * The next bookable starts offered to a routine caller when there is no
 * booking page: the first `count` opening-hour starts (on the hour) at least
 * `leadHours` ahead, one per day so the caller gets a real choice. Pure.
 */
export function nextOpenSlots(now: Date, zone: string, hours: WeeklyHours, count = 3, leadHours = 12): Date[] {
  const earliest = DateTime.fromJSDate(now, { zone }).plus({ hours: leadHours });
  const out: Date[] = [];
  for (let d = 0; d < 21 && out.length < count; d++) {
    const day = earliest.startOf('day').plus({ days: d });
    const intervals = [...(hours[weekdays[day.weekday - 1]] ?? [])].sort((a, b) => a.open.localeCompare(b.open));
    for (const i of intervals) {
      const [oh, om] = i.open.split(':').map(Number);
      const [ch, cm] = i.close.split(':').map(Number);
      let t = day.set({ hour: oh, minute: om });
      if (t.minute !== 0) t = t.plus({ hours: 1 }).set({ minute: 0 });
      const close = day.set({ hour: ch === 24 ? 23 : ch, minute: ch === 24 ? 59 : cm });
      while (t < earliest) t = t.plus({ hours: 1 });
      if (t.plus({ hours: 1 }) <= close) {
        out.push(t.toJSDate());
        break;
      }
    }
  }
  return out;
}

/** "Tue Mar 3, 8:00 AM" in the business's zone. */
export const slotLabel = (at: Date, zone: string): string => DateTime.fromJSDate(at, { zone }).toFormat('ccc LLL d, h:mm a');

/** "tomorrow at 8 AM", "today at 1 PM", "on Monday at 8 AM": when the caller should expect us. */
export function spokenWhen(at: Date, now: Date, zone: string): string {
  const t = DateTime.fromJSDate(at, { zone });
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const days = Math.round(t.startOf('day').diff(today, 'days').days);
  const time = t.minute === 0 ? t.toFormat('h a') : t.toFormat('h:mm a');
  const day = days <= 0 ? 'today' : days === 1 ? 'tomorrow' : `on ${t.toFormat('cccc')}`;
  return `${day} at ${time}`;
}
