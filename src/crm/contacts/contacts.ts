import type { Selectable } from 'kysely';
import type { AppContext, Scope } from '../../context.ts';
import { sql, type Executor } from '../../db/database.ts';
import type { ContactTable } from '../../db/types.ts';
import { event, type PendingEvent } from '../../events/record.ts';
import { isoNow } from '../../lib/clock.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { assertUserInBusiness } from '../../access/users.ts';
import { getBusiness } from '../businesses/businesses.ts';
import { recordChange } from '../shared/audit.ts';
import { parseJson } from '../shared/fields.ts';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import { parseInput } from '../shared/validate.ts';
import { appendConsents, loadConsent } from './consent.ts';
import { tryNormalizePhone } from './normalize.ts';
import { prepareNewContact, preparePatch } from './prepare.ts';
import {
  consentInputSchema,
  contactFilterSchema,
  contactInputSchema,
  contactPatchSchema,
  type Contact,
  type ConsentChannel,
  type ConsentState,
  type LifecycleStage,
} from './schema.ts';

export function toContact(row: Selectable<ContactTable>, tags: string[], consent: Record<ConsentChannel, ConsentState>): Contact {
  return {
    id: row.id,
    name: row.display_name,
    firstName: row.first_name,
    lastName: row.last_name,
    phone: row.phone,
    email: row.email,
    phones: parseJson(row.phones, []),
    emails: parseJson(row.emails, []),
    address: Object.fromEntries(
      Object.entries({ line1: row.address_line1, line2: row.address_line2, city: row.city, region: row.region, postalCode: row.postal_code, country: row.country }).filter(([, v]) => v !== null),
    ),
    timeZone: row.time_zone,
    timeZoneSource: row.time_zone_source,
    source: row.source,
    lifecycleStage: row.lifecycle_stage as LifecycleStage,
    tags,
    customFields: parseJson(row.custom_fields, {}),
    ownerUserId: row.owner_user_id,
    consent,
    lastInteractionAt: row.last_interaction_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function loadTags(trx: Executor, businessId: string, contactIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(contactIds.map((id) => [id, []]));
  if (contactIds.length === 0) return map;
  const rows = await trx.selectFrom('contact_tags').select(['contact_id', 'tag']).where('business_id', '=', businessId).where('contact_id', 'in', contactIds).orderBy('tag').execute();
  for (const r of rows) map.get(r.contact_id)?.push(r.tag);
  return map;
}

/** A contact in its API shape, read through any executor (used by the engine inside its transactions). */
export async function loadContact(trx: Executor, businessId: string, id: string): Promise<Contact> {
  const row = await getContactRow(trx, businessId, id);
  return (await hydrate(trx, businessId, [row]))[0];
}

async function hydrate(trx: Executor, businessId: string, rows: Array<Selectable<ContactTable>>): Promise<Contact[]> {
  const ids = rows.map((r) => r.id);
  const [tags, consent] = await Promise.all([loadTags(trx, businessId, ids), loadConsent(trx, businessId, ids)]);
  return rows.map((r) => toContact(r, tags.get(r.id) ?? [], consent.get(r.id)!));
}

export async function getContactRow(trx: Executor, businessId: string, id: string): Promise<Selectable<ContactTable>> {
  const row = await trx.selectFrom('contacts').selectAll().where('business_id', '=', businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('contact', id);
  return row;
}

export async function getContact(ctx: AppContext, scope: Scope, id: string, trx: Executor = ctx.db.kysely): Promise<Contact> {
  const row = await getContactRow(trx, scope.businessId, id);
  return (await hydrate(trx, scope.businessId, [row]))[0];
}

/** Events a new contact emits: always contact.created; lead.created when it enters as a lead. */
export function creationEvents(contactId: string, stage: string, source: string | null): PendingEvent[] {
  const events: PendingEvent[] = [event('contact.created', { contactId, lifecycleStage: stage, source })];
  if (stage === 'lead') events.push(event('lead.created', { contactId, source }));
  return events;
}

export async function createContact(ctx: AppContext, scope: Scope, input: unknown): Promise<Contact> {
  const data = parseInput(contactInputSchema, input);
  const business = await getBusiness(ctx, scope.businessId);
  const now = isoNow(ctx.clock);
  const id = newId();
  const prepared = await prepareNewContact(business, data, id, now);
  return ctx.db.transaction(async (trx) => {
    await assertUserInBusiness(trx, scope.businessId, data.ownerUserId, 'ownerUserId');
    if (data.companyId) {
      const company = await trx.selectFrom('companies').select('id').where('business_id', '=', scope.businessId).where('id', '=', data.companyId).executeTakeFirst();
      if (!company) throw notFound('company', data.companyId);
    }
    await trx.insertInto('contacts').values(prepared.row).execute();
    if (prepared.identities.length) await trx.insertInto('contact_identities').values(prepared.identities).execute();
    if (prepared.tags.length) await trx.insertInto('contact_tags').values(prepared.tags.map((tag) => ({ business_id: scope.businessId, contact_id: id, tag }))).execute();
    if (data.companyId) await trx.insertInto('contact_companies').values({ business_id: scope.businessId, contact_id: id, company_id: data.companyId, title: null, created_at: now }).execute();
    const consentEvents = await appendConsents(trx, scope, id, (data.consent ?? []).map((c) => consentInputSchema.parse(c)), now);
    const contact = await getContact(ctx, scope, id, trx);
    await recordChange(trx, scope, now, {
      entityType: 'contact',
      entityId: id,
      action: 'create',
      after: { ...contact },
      events: [...creationEvents(id, contact.lifecycleStage, contact.source), ...consentEvents],
    });
    return contact;
  });
}

/** Updates a contact; pass `inTrx` to make the change part of a larger transaction (automation steps do). */
export async function updateContact(ctx: AppContext, scope: Scope, id: string, input: unknown, inTrx?: Executor): Promise<Contact> {
  const patch = parseInput(contactPatchSchema, input);
  const business = await getBusiness(ctx, scope.businessId, inTrx);
  const run = async (trx: Executor) => {
    const current = await getContactRow(trx, scope.businessId, id);
    const before = (await hydrate(trx, scope.businessId, [current]))[0];
    await assertUserInBusiness(trx, scope.businessId, patch.ownerUserId, 'ownerUserId');
    const { set, identities, tags } = await preparePatch(business, current, before.tags, patch);
    const now = isoNow(ctx.clock);
    await trx.updateTable('contacts').set({ ...set, updated_at: now }).where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    if (identities) {
      await trx.deleteFrom('contact_identities').where('business_id', '=', scope.businessId).where('contact_id', '=', id).execute();
      if (identities.length) await trx.insertInto('contact_identities').values(identities).execute();
    }
    if (tags) {
      await trx.deleteFrom('contact_tags').where('business_id', '=', scope.businessId).where('contact_id', '=', id).execute();
      if (tags.length) await trx.insertInto('contact_tags').values(tags.map((tag) => ({ business_id: scope.businessId, contact_id: id, tag }))).execute();
    }
    const after = await getContact(ctx, scope, id, trx);
    const changed = Object.keys(diffKeys(before, after));
    const events: PendingEvent[] = [];
    if (changed.length) events.push(event('contact.updated', { contactId: id, changed }));
    if (before.lifecycleStage !== after.lifecycleStage) events.push(event('contact.stage_changed', { contactId: id, from: before.lifecycleStage, to: after.lifecycleStage }));
    await recordChange(trx, scope, now, { entityType: 'contact', entityId: id, action: 'update', before: { ...before }, after: { ...after }, events });
    return after;
  };
  return inTrx ? run(inTrx) : ctx.db.transaction(run);
}

function diffKeys(a: Contact, b: Contact): Record<string, true> {
  const out: Record<string, true> = {};
  for (const key of Object.keys(b) as Array<keyof Contact>) {
    if (key === 'updatedAt') continue;
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = true;
  }
  return out;
}

export async function deleteContact(ctx: AppContext, scope: Scope, id: string): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const before = await getContact(ctx, scope, id, trx);
    await trx.deleteFrom('contacts').where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    await recordChange(trx, scope, isoNow(ctx.clock), { entityType: 'contact', entityId: id, action: 'delete', before: { ...before }, after: null, events: [event('contact.deleted', { contactId: id })] });
  });
}

export async function listContacts(ctx: AppContext, scope: Scope, query: unknown): Promise<Page<Contact>> {
  const f = parseInput(contactFilterSchema, query);
  const business = await getBusiness(ctx, scope.businessId);
  const db = ctx.db.kysely;
  let q = db.selectFrom('contacts').selectAll('contacts').where('contacts.business_id', '=', scope.businessId);
  const after = decodeCursor(f.cursor);
  if (after) q = q.where('contacts.id', '<', after);
  if (f.ids) q = q.where('contacts.id', 'in', f.ids.length ? f.ids : ['']);
  if (f.lifecycleStage?.length) q = q.where('contacts.lifecycle_stage', 'in', f.lifecycleStage);
  if (f.source) q = q.where('contacts.source', '=', f.source);
  if (f.ownerUserId) q = q.where('contacts.owner_user_id', '=', f.ownerUserId);
  if (f.createdAfter) q = q.where('contacts.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q = q.where('contacts.created_at', '<', f.createdBefore);
  if (f.updatedAfter) q = q.where('contacts.updated_at', '>=', f.updatedAfter);
  if (f.lastInteractionBefore) {
    const cutoff = f.lastInteractionBefore;
    q = q.where((eb) => eb.or([eb('contacts.last_interaction_at', '<', cutoff), eb.and([eb('contacts.last_interaction_at', 'is', null), eb('contacts.created_at', '<', cutoff)])]));
  }
  for (const tag of f.tag ?? []) {
    q = q.where((eb) => eb.exists(eb.selectFrom('contact_tags').select('contact_tags.tag').whereRef('contact_tags.contact_id', '=', 'contacts.id').where('contact_tags.business_id', '=', scope.businessId).where('contact_tags.tag', '=', tag)));
  }
  if (f.companyId) {
    const companyId = f.companyId;
    q = q.where((eb) => eb.exists(eb.selectFrom('contact_companies').select('contact_companies.company_id').whereRef('contact_companies.contact_id', '=', 'contacts.id').where('contact_companies.business_id', '=', scope.businessId).where('contact_companies.company_id', '=', companyId)));
  }
  if (f.technicianUserId) {
    const technicianUserId = f.technicianUserId;
    q = q.where((eb) => eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.contact_id', '=', 'contacts.id').where('jobs.business_id', '=', scope.businessId).where('jobs.technician_user_id', '=', technicianUserId)));
  }
  const identity = (kind: 'phone' | 'email', value: string) =>
    q.where((eb) => eb.exists(eb.selectFrom('contact_identities').select('contact_identities.value').whereRef('contact_identities.contact_id', '=', 'contacts.id').where('contact_identities.business_id', '=', scope.businessId).where('contact_identities.kind', '=', kind).where('contact_identities.value', '=', value)));
  if (f.phone) q = identity('phone', tryNormalizePhone(f.phone, business.settings.defaultCountry) ?? f.phone);
  if (f.email) q = identity('email', f.email.trim().toLowerCase());
  if (f.q) {
    // search_text is stored lower-cased; a substring match needs no LIKE escaping.
    const needles = [f.q.toLowerCase()];
    const digits = f.q.replace(/\D/g, '');
    if (digits.length >= 4 && digits.length !== f.q.length) needles.push(digits);
    const contains = (needle: string) =>
      ctx.db.dialect === 'postgres' ? sql<boolean>`strpos(contacts.search_text, ${needle}) > 0` : sql<boolean>`instr(contacts.search_text, ${needle}) > 0`;
    q = q.where((eb) => eb.or(needles.map(contains)));
  }
  const rows = await q.orderBy('contacts.id', 'desc').limit(f.limit + 1).execute();
  const page = toPage(rows, f.limit, (r) => r);
  return { data: await hydrate(db, scope.businessId, page.data), nextCursor: page.nextCursor };
}
