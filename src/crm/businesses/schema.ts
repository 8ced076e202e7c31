import { z } from 'zod';
import { complianceSettingsSchema } from '../../compliance/gate.ts';
import { cents, ianaZone, shortText } from '../shared/fields.ts';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time like 08:00');
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

const interval = z
  .object({ open: hhmm, close: hhmm })
  .strict()
  .refine((i) => i.open < i.close, { message: 'open must be before close' });

/** Opening hours per weekday, in the business's time zone; an empty list means closed. */
export const weeklyHoursSchema = z
  .object(Object.fromEntries(weekdays.map((d) => [d, z.array(interval).max(4).default([])])) as Record<Weekday, z.ZodDefault<z.ZodArray<typeof interval>>>)
  .strict();
export type WeeklyHours = z.infer<typeof weeklyHoursSchema>;

export const serviceSchema = z
  .object({
    key: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be lower_snake_case, e.g. ac_repair'),
    name: shortText.min(1),
    durationMinutes: z.number().int().min(5).max(24 * 60),
    avgTicketCents: cents,
    /** Whether customers may book it on the booking page and through the availability API; absent means true. Emergencies are a phone call. */
    bookableOnline: z.boolean().optional(),
  })
  .strict();
export type Service = z.infer<typeof serviceSchema>;

/** A service is bookable online unless the business said otherwise (services stored before the flag existed are). */
export const isBookableOnline = (service: Pick<Service, 'bookableOnline'>): boolean => service.bookableOnline !== false;

/**
 * On-call rotation: `rotation` lists user ids in order; each shift lasts
 * `shiftHours` starting at `anchor`. The next people in the rotation are the
 * escalation chain. Overrides replace the primary for a window.
 */
export const onCallSchema = z
  .object({
    rotation: z.array(z.string().min(1)).max(50).default([]),
    anchor: z.string().datetime({ offset: true }).default('2024-01-01T17:00:00Z'),
    shiftHours: z.number().int().min(1).max(24 * 28).default(168),
    escalationMinutes: z.number().int().min(1).max(240).default(10),
    overrides: z
      .array(z.object({ userId: z.string().min(1), start: z.string().datetime({ offset: true }), end: z.string().datetime({ offset: true }) }).strict())
      .max(200)
      .default([]),
  })
  .strict();
export type OnCallSchedule = z.infer<typeof onCallSchema>;

export const postalAddressSchema = z
  .object({
    line1: shortText.optional(),
    line2: shortText.optional(),
    city: shortText.optional(),
    region: shortText.optional(),
    postalCode: z.string().trim().max(20).optional(),
    country: z.string().trim().length(2).toUpperCase().optional(),
  })
  .strict();
export type PostalAddress = z.infer<typeof postalAddressSchema>;

export const businessSettingsSchema = z
  .object({
    defaultCountry: z.string().length(2).toUpperCase().default('US'),
    currency: z.string().length(3).toUpperCase().default('USD'),
    compliance: complianceSettingsSchema.optional(),
  })
  .catchall(z.unknown());

export const businessInputSchema = z
  .object({
    name: shortText.min(1),
    slug: z.string().regex(/^[a-z0-9-]{2,60}$/, 'lower-case letters, digits and dashes').optional(),
    timeZone: ianaZone,
    phone: z.string().max(40).nullable().optional(),
    email: z.email().nullable().optional(),
    address: postalAddressSchema.default({}),
    businessHours: weeklyHoursSchema.optional(),
    services: z.array(serviceSchema).max(200).default([]),
    reviewLink: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).nullable().optional(),
    onCall: onCallSchema.default(onCallSchema.parse({})),
    settings: businessSettingsSchema.default(businessSettingsSchema.parse({})),
  })
  .strict();
export type BusinessInput = z.input<typeof businessInputSchema>;

export const businessPatchSchema = businessInputSchema.partial().strict();

export const defaultBusinessHours: WeeklyHours = {
  mon: [{ open: '08:00', close: '17:00' }],
  tue: [{ open: '08:00', close: '17:00' }],
  wed: [{ open: '08:00', close: '17:00' }],
  thu: [{ open: '08:00', close: '17:00' }],
  fri: [{ open: '08:00', close: '17:00' }],
  sat: [],
  sun: [],
};

export interface Business {
  id: string;
  name: string;
  slug: string;
  timeZone: string;
  phone: string | null;
  email: string | null;
  address: PostalAddress;
  businessHours: WeeklyHours;
  services: Service[];
  reviewLink: string | null;
  onCall: OnCallSchedule;
  settings: z.infer<typeof businessSettingsSchema>;
  createdAt: string;
  updatedAt: string;
}
