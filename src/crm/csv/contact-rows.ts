import type { Selectable } from 'kysely';
import type { ContactTable } from '../../db/types.ts';
import type { Business } from '../businesses/schema.ts';
import { deriveTimeZone } from '../contacts/normalize.ts';
import { assembleContact, displayName, type PreparedContact } from '../contacts/prepare.ts';
import type { ContactPatch, LifecycleStage } from '../contacts/schema.ts';
import { parseJson } from '../shared/fields.ts';
import { addressEmpty, type ContactDraft } from './contact-draft.ts';

/**
 * The rows for a new contact from an import draft: the same columns
 * prepareNewContact produces (test/csv/contact-rows.test.ts holds them
 * equal), built from the already-normalised phones and emails so each number
 * is parsed once per row, not twice.
 *
 * One difference: a time zone column that agrees with what the address or
 * phone already implies is recorded with that source rather than as
 * "explicit", so re-importing an export does not pin every contact's zone.
 */
export async function buildNewContact(business: Business, draft: ContactDraft, id: string, now: string, defaultStage: LifecycleStage = 'lead'): Promise<PreparedContact> {
  const phones = draft.phones.map((number) => ({ number }));
  const emails = draft.emails.map((address) => ({ address }));
  const address = draft.address;
  const phone = draft.phones[0] ?? null;
  let tz = await deriveTimeZone({ postalCode: address.postalCode, region: address.region, country: address.country, phone }, business.timeZone);
  if (draft.timeZone && draft.timeZone !== tz.timeZone) tz = { timeZone: draft.timeZone, source: 'explicit' };
  return assembleContact(business, id, now, {
    firstName: draft.firstName,
    lastName: draft.lastName,
    name: draft.name,
    phones,
    emails,
    address,
    timeZone: tz,
    source: draft.source,
    lifecycleStage: draft.lifecycleStage ?? defaultStage,
    customFields: draft.customFields,
    ownerUserId: null,
    tags: draft.tags,
  });
}

/**
 * The patch that merges a draft into an existing contact: fills empty
 * fields, adds new phones/emails/tags/custom fields, keeps every value the
 * contact already has. Null when the row adds nothing.
 */
export function mergePatch(current: Selectable<ContactTable>, currentTags: string[], draft: ContactDraft): ContactPatch | null {
  const patch: ContactPatch = {};
  if (!current.first_name && draft.firstName) patch.firstName = draft.firstName;
  if (!current.last_name && draft.lastName) patch.lastName = draft.lastName;
  const nameIsFallback = !current.first_name && !current.last_name && current.display_name === displayName(null, null, null, current.email, current.phone);
  if (nameIsFallback && draft.name) patch.name = draft.name;
  const phones = parseJson<Array<{ number: string; label?: string }>>(current.phones, []);
  const newPhones = draft.phones.filter((p) => !phones.some((e) => e.number === p));
  if (newPhones.length && phones.length < 10) patch.phones = [...phones, ...newPhones.map((number) => ({ number }))].slice(0, 10);
  const emails = parseJson<Array<{ address: string; label?: string }>>(current.emails, []);
  const newEmails = draft.emails.filter((a) => !emails.some((e) => e.address === a));
  if (newEmails.length && emails.length < 10) patch.emails = [...emails, ...newEmails.map((address) => ({ address }))].slice(0, 10);
  const currentAddress = { line1: current.address_line1, line2: current.address_line2, city: current.city, region: current.region, postalCode: current.postal_code, country: current.country };
  if (addressEmpty(currentAddress) && !addressEmpty(draft.address)) patch.address = draft.address;
  if (!current.source && draft.source) patch.source = draft.source;
  const custom = parseJson<Record<string, unknown>>(current.custom_fields, {});
  const newCustom = Object.entries(draft.customFields).filter(([k]) => !(k in custom));
  if (newCustom.length) patch.customFields = Object.fromEntries(newCustom);
  const addTags = draft.tags.filter((t) => !currentTags.includes(t));
  if (addTags.length) patch.addTags = addTags;
  return Object.keys(patch).length ? patch : null;
}
