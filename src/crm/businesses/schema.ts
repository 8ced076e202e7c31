import { z } from 'zod';
import { complianceSettingsSchema } from '../../compliance/gate.ts';
import { intakeSettingsSchema } from '../../intelligence/intake/settings.ts';
import { widgetSettingsSchema } from '../../widget/settings.ts';
import { voiceSettingsSchema } from '../../voice/settings.ts';
import { cents, ianaZone, phoneText, shortText } from '../shared/fields.ts';

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

/**
 * Settings as stored and read: the basics with defaults, every other key kept
 * as it is (each part of the product checks its own block when it reads it:
 * compliance/gate.ts, voice/settings.ts, intelligence/intake/settings.ts), so a
 * stored value never makes the business unreadable.
 */
export const businessSettingsSchema = z
  .object({
    defaultCountry: z.string().length(2).toUpperCase().default('US'),
    currency: z.string().length(3).toUpperCase().default('USD'),
    compliance: complianceSettingsSchema.optional(),
  })
  .catchall(z.unknown());

/**
 * Settings as written (POST and PATCH /business): every key the product reads,
 * each checked by its owner's schema; unknown keys are refused, so a typo does
 * not sit there doing nothing; `null` removes a key (PATCH merges the rest).
 * A new setting is one line here.
 */
export const businessSettingsInputSchema = z
  .object({
    defaultCountry: z.string().length(2).toUpperCase().nullable().optional(),
    currency: z.string().length(3).toUpperCase().nullable().optional(),
    compliance: complianceSettingsSchema.nullable().optional(),
    /** More numbers the business texts and is called on (besides `phone`). */
    phoneNumbers: z.array(phoneText).max(50).nullable().optional(),
    /** More addresses inbound email is accepted at (besides `email`). */
    inboundEmails: z.array(z.email().max(254)).max(50).nullable().optional(),
    voice: voiceSettingsSchema.partial().nullable().optional(),
    intake: intakeSettingsSchema.partial().nullable().optional(),
    widget: widgetSettingsSchema.partial().nullable().optional(),
  })
  .strict();

/** A settings patch applied to the stored settings: keys set to null are removed, the rest replace or add. */
export function mergeSettings(stored: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  return out;
}

/** On create there is nothing to remove: null means "not set". */
const withoutNulls = (settings: Record<string, unknown>) => mergeSettings({}, settings);

export const businessInputSchema = z
  .object({
    name: shortText.min(1),
    slug: z.string().regex(/^[a-z0-9-]{2,60}$/, 'lower-case letters, digits and dashes').optional(),
    timeZone: ianaZone,
    phone: phoneText.nullable().optional(),
    email: z.email().nullable().optional(),
    address: postalAddressSchema.default({}),
    businessHours: weeklyHoursSchema.optional(),
    services: z.array(serviceSchema).max(200).default([]),
    reviewLink: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).nullable().optional(),
    onCall: onCallSchema.default(onCallSchema.parse({})),
    settings: businessSettingsInputSchema
      .default({})
      .transform((v) => businessSettingsSchema.parse(withoutNulls(v))),
  })
  .strict();
export type BusinessInput = z.input<typeof businessInputSchema>;

/**
 * A PATCH changes only the keys it names. zod applies a `.default()` even under `.partial()`, so the
 * keys that default on create are redeclared without their defaults: otherwise a PATCH of the name
 * would reset the services, the address and the on-call rotation.
 */
export const businessPatchSchema = businessInputSchema
  .partial()
  .extend({
    address: postalAddressSchema.optional(),
    services: z.array(serviceSchema).max(200).optional(),
    onCall: onCallSchema.optional(),
    settings: businessSettingsInputSchema.optional(),
  })
  .strict();

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
