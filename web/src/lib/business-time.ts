import { DateTime } from 'luxon';

/**
 * Times on the records screens are the business's wall clock (its time zone
 * from GET /me), whatever the browser's zone: a dispatcher in another state
 * books 9:00 at the customer's 9:00. Values go to the API as UTC instants.
 */
export const inZone = (iso: string, zone: string): DateTime => DateTime.fromISO(iso, { zone });

/** "2026-03-10" and "09:30" in the zone → a UTC ISO instant; null when either is empty or invalid. */
export function instantOf(date: string, time: string, zone: string): string | null {
  if (!date || !time) return null;
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  return dt.isValid ? dt.toUTC().toISO() : null;
}

/** An instant as the values of a date input and a time input in the zone. */
export function dateAndTime(iso: string | null, zone: string): { date: string; time: string } {
  if (!iso) return { date: '', time: '' };
  const dt = inZone(iso, zone);
  return { date: dt.toFormat('yyyy-LL-dd'), time: dt.toFormat('HH:mm') };
}

export const clockTime = (iso: string, zone: string) => inZone(iso, zone).toFormat('h:mm a');
export const dateTimeLabel = (iso: string, zone: string) => inZone(iso, zone).toFormat('ccc LLL d, h:mm a');

/** The zone's name and current abbreviation, e.g. "America/Chicago (CST)". */
export const zoneLabel = (zone: string, at: DateTime = DateTime.now()) => `${zone} (${at.setZone(zone).toFormat('ZZZZ')})`;

/** Midnight of today in the zone. */
export const startOfToday = (zone: string) => DateTime.now().setZone(zone).startOf('day');
