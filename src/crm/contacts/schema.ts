import { z } from 'zod';
import { postalAddressSchema } from '../businesses/schema.ts';
import { customFields, ianaZone, idField, instant, shortText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';

export const lifecycleStages = ['lead', 'customer', 'dormant', 'lost'] as const;
export type LifecycleStage = (typeof lifecycleStages)[number];

export const consentChannels = ['sms', 'email', 'voice'] as const;
export type ConsentChannel = (typeof consentChannels)[number];
export const consentStatuses = ['granted', 'revoked'] as const;
export const consentMethods = ['web_form', 'verbal', 'written', 'sms_keyword', 'email_link', 'import', 'api', 'booking', 'inbound_message', 'staff'] as const;

export const consentInputSchema = z
  .object({
    channel: z.enum(consentChannels),
    status: z.enum(consentStatuses),
    method: z.enum(consentMethods).default('api'),
    evidence: z.string().max(2000).nullable().optional(),
    at: instant.optional(),
  })
  .strict();
export type ConsentInput = z.input<typeof consentInputSchema>;

const phoneEntry = z.union([
  z.string().max(40),
  z.object({ number: z.string().max(40), label: z.string().trim().max(30).optional() }).strict(),
]);
const emailEntry = z.union([
  z.string().max(254),
  z.object({ address: z.string().max(254), label: z.string().trim().max(30).optional() }).strict(),
]);
const tag = z.string().trim().min(1).max(50).toLowerCase();

const contactFields = {
  firstName: shortText.nullable().optional(),
  lastName: shortText.nullable().optional(),
  name: shortText.nullable().optional(),
  phone: z.string().max(40).nullable().optional(),
  email: z.string().max(254).nullable().optional(),
  phones: z.array(phoneEntry).max(10).optional(),
  emails: z.array(emailEntry).max(10).optional(),
  address: postalAddressSchema.nullable().optional(),
  timeZone: ianaZone.nullable().optional(),
  source: z.string().trim().max(60).nullable().optional(),
  lifecycleStage: z.enum(lifecycleStages).optional(),
  tags: z.array(tag).max(100).optional(),
  customFields: customFields.optional(),
  ownerUserId: idField.nullable().optional(),
};

export const contactInputSchema = z
  .object({
    ...contactFields,
    companyId: idField.optional(),
    consent: z.array(consentInputSchema).max(10).optional(),
  })
  .strict()
  .refine((c) => Boolean(c.name || c.firstName || c.lastName || c.phone || c.email || c.phones?.length || c.emails?.length), {
    message: 'a contact needs at least a name, a phone or an email',
  });
export type ContactInput = z.input<typeof contactInputSchema>;

export const contactPatchSchema = z
  .object({
    ...contactFields,
    addTags: z.array(tag).max(100).optional(),
    removeTags: z.array(tag).max(100).optional(),
  })
  .strict();
export type ContactPatch = z.input<typeof contactPatchSchema>;

const csv = <T extends z.ZodType<string, string>>(inner: T) =>
  z
    .string()
    .max(500)
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(inner).max(20));

export const contactFilterSchema = z
  .object({
    ...pageQuerySchema,
    q: z.string().trim().max(200).optional(),
    /** These contacts only (comma-separated ids, up to 100): names for a calendar or a task list. */
    ids: z
      .string()
      .max(6600)
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(idField).max(100, 'at most 100 ids at a time'))
      .optional(),
    lifecycleStage: csv(z.enum(lifecycleStages)).optional(),
    source: z.string().trim().max(60).optional(),
    tag: csv(z.string().trim().toLowerCase().max(50)).optional(),
    ownerUserId: idField.optional(),
    companyId: idField.optional(),
    /** Contacts with a job assigned to this technician. */
    technicianUserId: idField.optional(),
    phone: z.string().max(40).optional(),
    email: z.string().max(254).optional(),
    createdAfter: instant.optional(),
    createdBefore: instant.optional(),
    updatedAfter: instant.optional(),
    lastInteractionBefore: instant.optional(),
  })
  .strict();
export type ContactFilter = z.input<typeof contactFilterSchema>;

export interface ConsentState {
  status: 'granted' | 'revoked' | 'unknown';
  method: string | null;
  at: string | null;
}

export interface Contact {
  id: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  phones: Array<{ number: string; label?: string }>;
  emails: Array<{ address: string; label?: string }>;
  address: z.infer<typeof postalAddressSchema>;
  timeZone: string | null;
  timeZoneSource: string | null;
  source: string | null;
  lifecycleStage: LifecycleStage;
  tags: string[];
  customFields: Record<string, unknown>;
  ownerUserId: string | null;
  consent: Record<ConsentChannel, ConsentState>;
  lastInteractionAt: string | null;
  createdAt: string;
  updatedAt: string;
}
