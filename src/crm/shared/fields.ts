import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import { z } from 'zod';

/** False for a time's UTC offset beyond -12:00…+14:00 or with 60+ minutes (luxon accepts "+99:99"). */
export function realOffset(v: string): boolean {
  const time = v.split('T')[1];
  const m = time ? /([+-])(\d{2}):?(\d{2})$/.exec(time) : null;
  if (!m) return true;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return Number(m[3]) < 60 && (m[1] === '+' ? minutes <= 14 * 60 : minutes <= 12 * 60);
}

/** An instant: any ISO-8601 date-time with offset (or a date), stored as a UTC ISO string. */
export const instant = z
  .string()
  .max(40)
  .refine(
    (v) => {
      const utc = DateTime.fromISO(v, { setZone: true }).toUTC();
      return utc.isValid && utc.year >= 1 && utc.year <= 9999;
    },
    { message: 'must be an ISO-8601 date-time between the years 0001 and 9999, e.g. 2026-03-01T14:30:00Z' },
  )
  .refine((v) => realOffset(v), { message: 'has an offset no place on Earth uses (they run from -12:00 to +14:00, minutes below 60)' })
  .transform((v) => DateTime.fromISO(v, { zone: 'utc' }).toUTC().toISO() as string);

export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-01')
  .refine((v) => DateTime.fromISO(v).isValid, { message: 'not a real calendar date' });

export const idField = z.string().min(1).max(64);
export const shortText = z.string().trim().max(200);
export const longText = z.string().max(100_000);
export const cents = z.number().int().min(0).max(1_000_000_000);
export const customFields = z.record(z.string().min(1).max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]));

export const ianaZone = z.string().refine((v) => DateTime.local().setZone(v).isValid, { message: 'not a known IANA time zone, e.g. America/Chicago' });

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** Keys present in a patch object (undefined means "not given"). */
export const presentKeys = (patch: object): string[] => Object.entries(patch).filter(([, v]) => v !== undefined).map(([k]) => k);

/**
 * A phone number kept as the person typed it (companies, the business), held to
 * the same test as contacts' phones: a real number, national (US) or
 * international (+44 …). Contacts are stored in E.164 with the business's country.
 */
export const phoneText = z
  .string()
  .trim()
  .max(40)
  .refine((v) => parsePhoneNumberFromString(v, 'US')?.isValid() === true, { message: 'is not a valid phone number (numbers outside the US need their +country code)' });
