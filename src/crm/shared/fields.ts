import { DateTime } from 'luxon';
import { z } from 'zod';

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
