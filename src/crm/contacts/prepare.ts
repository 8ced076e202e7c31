import type { Insertable, Selectable } from 'kysely';
import type { ContactIdentityTable, ContactTable } from '../../db/types.ts';
import type { Business } from '../businesses/schema.ts';
import { parseJson } from '../shared/fields.ts';
import { validationError } from '../../lib/errors.ts';
import { deriveTimeZone, normalizeEmail, normalizePhone } from './normalize.ts';
import type { ContactInput, ContactPatch, LifecycleStage } from './schema.ts';

type PhoneList = Array<{ number: string; label?: string }>;
type EmailList = Array<{ address: string; label?: string }>;

export interface PreparedContact {
  row: Insertable<ContactTable>;
  identities: Array<Insertable<ContactIdentityTable>>;
  tags: string[];
}

function normalizePhones(entries: NonNullable<ContactInput['phones']>, lead: string | null | undefined, country: string): PhoneList {
  const out: PhoneList = [];
  const push = (raw: string, label: string | undefined, field: string) => {
    const number = normalizePhone(raw, country, field);
    if (!out.some((p) => p.number === number)) out.push(label ? { number, label } : { number });
  };
  if (lead) push(lead, undefined, 'phone');
  entries.forEach((e, i) => (typeof e === 'string' ? push(e, undefined, `phones.${i}`) : push(e.number, e.label, `phones.${i}.number`)));
  return out;
}

function normalizeEmails(entries: NonNullable<ContactInput['emails']>, lead: string | null | undefined): EmailList {
  const out: EmailList = [];
  const push = (raw: string, label: string | undefined, field: string) => {
    const address = normalizeEmail(raw, field);
    if (!out.some((e) => e.address === address)) out.push(label ? { address, label } : { address });
  };
  if (lead) push(lead, undefined, 'email');
  entries.forEach((e, i) => (typeof e === 'string' ? push(e, undefined, `emails.${i}`) : push(e.address, e.label, `emails.${i}.address`)));
  return out;
}

export function displayName(first: string | null | undefined, last: string | null | undefined, name: string | null | undefined, email: string | null, phone: string | null): string {
  const full = [first, last].filter(Boolean).join(' ').trim();
  return (name?.trim() || full || email || phone || 'Unknown').slice(0, 200);
}

export function searchText(name: string, phones: PhoneList, emails: EmailList, extra: Array<string | null | undefined> = []): string {
  return [name, ...emails.map((e) => e.address), ...phones.map((p) => p.number.replace(/\D/g, '')), ...extra]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

const uniqueTags = (tags: string[] | undefined): string[] => [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean))];

/** Turns validated input into the rows to insert (normalised phones/emails, derived time zone, search text). */
/**
 * A contact given only a full name ("Dana Reyes") gets it split into first and
 * last name, so greetings such as `{{ contact.firstName }}` work for contacts
 * created from web forms and the API as well as from CSV columns.
 */
export function splitFullName(input: { firstName?: string | null; lastName?: string | null; name?: string | null }): { firstName: string | null; lastName: string | null } {
  if (input.firstName || input.lastName || !input.name) return { firstName: input.firstName ?? null, lastName: input.lastName ?? null };
  const parts = input.name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return { firstName: null, lastName: null };
  return { firstName: parts[0] ?? null, lastName: parts.length > 1 ? parts.slice(1).join(' ') : null };
}

export async function prepareNewContact(business: Business, input: ContactInput, id: string, now: string): Promise<PreparedContact> {
  const country = business.settings.defaultCountry;
  const phones = normalizePhones(input.phones ?? [], input.phone, country);
  const emails = normalizeEmails(input.emails ?? [], input.email);
  const address = input.address ?? {};
  const phone = phones[0]?.number ?? null;
  const email = emails[0]?.address ?? null;
  const tz = await deriveTimeZone({ explicit: input.timeZone, postalCode: address.postalCode, region: address.region, country: address.country, phone }, business.timeZone);
  return assembleContact(business, id, now, {
    firstName: input.firstName ?? null,
    lastName: input.lastName ?? null,
    name: input.name ?? null,
    phones,
    emails,
    address,
    timeZone: tz,
    source: input.source ?? null,
    lifecycleStage: (input.lifecycleStage ?? 'lead') as LifecycleStage,
    customFields: input.customFields ?? {},
    ownerUserId: input.ownerUserId ?? null,
    tags: uniqueTags(input.tags),
  });
}

export interface ContactParts {
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  phones: PhoneList;
  emails: EmailList;
  address: { line1?: string; line2?: string; city?: string; region?: string; postalCode?: string; country?: string };
  timeZone: { timeZone: string; source: string };
  source: string | null;
  lifecycleStage: LifecycleStage;
  customFields: Record<string, unknown>;
  ownerUserId: string | null;
  tags: string[];
}

/** The rows of a new contact from normalised parts (the API path and CSV import both end here). */
export function assembleContact(business: Business, id: string, now: string, p: ContactParts): PreparedContact {
  const phone = p.phones[0]?.number ?? null;
  const email = p.emails[0]?.address ?? null;
  const name = displayName(p.firstName, p.lastName, p.name, email, phone);
  const { firstName, lastName } = splitFullName(p);
  const row: Insertable<ContactTable> = {
    id,
    business_id: business.id,
    first_name: firstName,
    last_name: lastName,
    display_name: name,
    phone,
    email,
    phones: JSON.stringify(p.phones),
    emails: JSON.stringify(p.emails),
    address_line1: p.address.line1 ?? null,
    address_line2: p.address.line2 ?? null,
    city: p.address.city ?? null,
    region: p.address.region ?? null,
    postal_code: p.address.postalCode ?? null,
    country: p.address.country ?? null,
    time_zone: p.timeZone.timeZone,
    time_zone_source: p.timeZone.source,
    source: p.source,
    lifecycle_stage: p.lifecycleStage,
    custom_fields: JSON.stringify(p.customFields),
    owner_user_id: p.ownerUserId,
    search_text: searchText(name, p.phones, p.emails, [p.address.city]),
    last_interaction_at: null,
    created_at: now,
    updated_at: now,
  };
  return { row, identities: identitiesFor(business.id, id, p.phones, p.emails), tags: p.tags };
}

export function identitiesFor(businessId: string, contactId: string, phones: PhoneList, emails: EmailList): Array<Insertable<ContactIdentityTable>> {
  return [
    ...phones.map((p) => ({ business_id: businessId, contact_id: contactId, kind: 'phone', value: p.number })),
    ...emails.map((e) => ({ business_id: businessId, contact_id: contactId, kind: 'email', value: e.address })),
  ];
}

/** Applies a patch to an existing row; returns the columns to update, and new identities/tags when they change. */
export async function preparePatch(
  business: Business,
  current: Selectable<ContactTable>,
  currentTags: string[],
  patch: ContactPatch,
): Promise<{ set: Partial<Insertable<ContactTable>>; identities?: Array<Insertable<ContactIdentityTable>>; tags?: string[] }> {
  const country = business.settings.defaultCountry;
  const set: Partial<Insertable<ContactTable>> = {};
  let phones: PhoneList = parseJson(current.phones, []);
  let emails: EmailList = parseJson(current.emails, []);
  let identitiesChanged = false;
  if (patch.phones !== undefined || patch.phone !== undefined) {
    const rest = patch.phones ?? phones.filter((p) => p.number !== current.phone);
    phones = normalizePhones(rest, patch.phone === undefined ? (patch.phones ? null : current.phone) : patch.phone, country);
    identitiesChanged = true;
  }
  if (patch.emails !== undefined || patch.email !== undefined) {
    const rest = patch.emails ?? emails.filter((e) => e.address !== current.email);
    emails = normalizeEmails(rest, patch.email === undefined ? (patch.emails ? null : current.email) : patch.email);
    identitiesChanged = true;
  }
  if (identitiesChanged) {
    set.phones = JSON.stringify(phones);
    set.emails = JSON.stringify(emails);
    set.phone = phones[0]?.number ?? null;
    set.email = emails[0]?.address ?? null;
  }
  if (patch.firstName !== undefined) set.first_name = patch.firstName;
  if (patch.lastName !== undefined) set.last_name = patch.lastName;
  if (patch.address !== undefined) {
    const a = patch.address ?? {};
    Object.assign(set, { address_line1: a.line1 ?? null, address_line2: a.line2 ?? null, city: a.city ?? null, region: a.region ?? null, postal_code: a.postalCode ?? null, country: a.country ?? null });
  }
  if (patch.source !== undefined) set.source = patch.source;
  if (patch.lifecycleStage !== undefined) set.lifecycle_stage = patch.lifecycleStage;
  if (patch.ownerUserId !== undefined) set.owner_user_id = patch.ownerUserId;
  if (patch.customFields !== undefined) {
    const merged: Record<string, unknown> = { ...parseJson<Record<string, unknown>>(current.custom_fields, {}) };
    for (const [k, v] of Object.entries(patch.customFields)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    set.custom_fields = JSON.stringify(merged);
  }
  const next = { ...current, ...set };
  // A display name typed by someone is kept; one computed from the parts follows them.
  const computed = (n: string | null | undefined) => displayName(next.first_name, next.last_name, n, next.email ?? null, next.phone ?? null);
  const wasCustom = current.display_name !== displayName(current.first_name, current.last_name, null, current.email, current.phone);
  const keptName = patch.name !== undefined ? patch.name : wasCustom ? current.display_name : null;
  if (!keptName && !next.first_name && !next.last_name && !next.phone && !next.email) {
    throw validationError([{ field: 'name', message: 'a contact needs at least a name, a phone or an email' }]);
  }
  const name = computed(keptName);
  if (name !== current.display_name) set.display_name = name;
  // Re-derive the zone when the evidence changed, unless someone set it explicitly.
  const addressChanged = patch.address !== undefined;
  if (patch.timeZone !== undefined || ((addressChanged || identitiesChanged) && current.time_zone_source !== 'explicit')) {
    const tz = await deriveTimeZone(
      { explicit: patch.timeZone ?? undefined, postalCode: next.postal_code, region: next.region, country: next.country, phone: next.phone },
      business.timeZone,
    );
    set.time_zone = tz.timeZone;
    set.time_zone_source = tz.source;
  }
  set.search_text = searchText(name, phones, emails, [next.city]);
  let tags: string[] | undefined;
  if (patch.tags !== undefined || patch.addTags !== undefined || patch.removeTags !== undefined) {
    const base = patch.tags !== undefined ? uniqueTags(patch.tags) : currentTags;
    const removed = new Set(uniqueTags(patch.removeTags));
    tags = uniqueTags([...base, ...(patch.addTags ?? [])]).filter((t) => !removed.has(t));
  }
  return { set, identities: identitiesChanged ? identitiesFor(business.id, current.id, phones, emails) : undefined, tags };
}
