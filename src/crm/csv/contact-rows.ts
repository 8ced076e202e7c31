import type { Selectable } from 'kysely';
import type { ContactTable } from '../../db/types.ts';
import type { Business, PostalAddress } from '../businesses/schema.ts';
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
  const phones = draft.phones.map((number) => withLabel(number, draft.phoneLabels));
  const emails = draft.emails.map((address) => ({ address }));
  const address = draft.address;
  const phone = draft.phones[0] ?? null;
  let tz = await deriveTimeZone({ postalCode: address.postalCode, region: address.region, country: address.country, phone }, business.timeZone);
  if (draft.timeZone && draft.timeZone !== tz.timeZone) tz = { timeZone: draft.timeZone, source: 'explicit' };
  const prepared = assembleContact(business, id, now, {
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
    ownerUserId: draft.ownerUserId ?? null,
    tags: draft.tags,
  });
  // The export's created date is when the business first saw this person (never later than the import itself).
  if (draft.firstSeenAt && draft.firstSeenAt < now) prepared.row.created_at = draft.firstSeenAt;
  return prepared;
}

const withLabel = (number: string, labels: Record<string, string> | undefined): { number: string; label?: string } => (labels?.[number] ? { number, label: labels[number] } : { number });

/**
 * The patch that merges a draft into an existing contact: fills empty
 * fields, adds new phones/emails/tags/custom fields, keeps every value the
 * contact already has — unless `overwrite` (the import's --update-existing),
 * when the file's non-empty values replace the stored ones. Null when the row
 * adds nothing.
 */
export function mergePatch(current: Selectable<ContactTable>, currentTags: string[], draft: ContactDraft, overwrite = false): ContactPatch | null {
  const patch: ContactPatch = {};
  if (draft.firstName && (!current.first_name || (overwrite && current.first_name !== draft.firstName))) patch.firstName = draft.firstName;
  if (draft.lastName && (!current.last_name || (overwrite && current.last_name !== draft.lastName))) patch.lastName = draft.lastName;
  const nameIsFallback = !current.first_name && !current.last_name && current.display_name === displayName(null, null, null, current.email, current.phone);
  if ((nameIsFallback || (overwrite && !draft.firstName && !draft.lastName)) && draft.name && draft.name !== current.display_name) patch.name = draft.name;
  const phones = parseJson<Array<{ number: string; label?: string }>>(current.phones, []);
  const newPhones = draft.phones.filter((p) => !phones.some((e) => e.number === p));
  if (newPhones.length && phones.length < 10) patch.phones = [...phones, ...newPhones.map((number) => withLabel(number, draft.phoneLabels))].slice(0, 10);
  const emails = parseJson<Array<{ address: string; label?: string }>>(current.emails, []);
  const newEmails = draft.emails.filter((a) => !emails.some((e) => e.address === a));
  if (newEmails.length && emails.length < 10) patch.emails = [...emails, ...newEmails.map((address) => ({ address }))].slice(0, 10);
  const currentAddress = { line1: current.address_line1, line2: current.address_line2, city: current.city, region: current.region, postalCode: current.postal_code, country: current.country };
  // An address is one thing: filled when the contact has none, never mixed part by part with another.
  if (!addressEmpty(draft.address) && (addressEmpty(currentAddress) || (overwrite && !sameAddress(currentAddress, draft.address)))) patch.address = draft.address;
  if (draft.source && (!current.source || (overwrite && current.source !== draft.source))) patch.source = draft.source;
  if (overwrite && draft.lifecycleStage && draft.lifecycleStage !== current.lifecycle_stage) patch.lifecycleStage = draft.lifecycleStage;
  if (draft.ownerUserId && (!current.owner_user_id || (overwrite && current.owner_user_id !== draft.ownerUserId))) patch.ownerUserId = draft.ownerUserId;
  const custom = parseJson<Record<string, unknown>>(current.custom_fields, {});
  const newCustom = Object.entries(draft.customFields).filter(([k, v]) => !(k in custom) || custom[k] === null || custom[k] === '' || (overwrite && custom[k] !== v));
  if (newCustom.length) patch.customFields = Object.fromEntries(newCustom);
  const addTags = draft.tags.filter((t) => !currentTags.includes(t));
  if (addTags.length) patch.addTags = addTags;
  return Object.keys(patch).length ? patch : null;
}

function sameAddress(a: { [K in keyof PostalAddress]?: string | null }, b: PostalAddress): boolean {
  return (['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const).every((k) => (a[k] ?? '') === (b[k] ?? ''));
}
