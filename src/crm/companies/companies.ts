import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { containsText, sql } from '../../db/database.ts';
import { isoNow } from '../../lib/clock.ts';
import { notFound } from '../../lib/errors.ts';
import { recordChange } from '../shared/audit.ts';
import { parseInput } from '../shared/validate.ts';
import { getContactRow } from '../contacts/contacts.ts';
import { event } from '../../events/record.ts';
import { customFields, idField, phoneText, shortText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';
import { changedFields, defineResource } from '../shared/resource.ts';
import { parseJson } from '../shared/fields.ts';

export interface Company {
  id: string;
  name: string;
  domain: string | null;
  phone: string | null;
  address: { line1?: string; city?: string; region?: string; postalCode?: string };
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const fields = {
  name: shortText.min(1),
  domain: z.string().trim().toLowerCase().max(253).regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'must be a domain like example.com').nullable().optional(),
  phone: phoneText.nullable().optional(),
  address: z.object({ line1: shortText.optional(), city: shortText.optional(), region: shortText.optional(), postalCode: z.string().max(20).optional() }).strict().optional(),
  customFields: customFields.optional(),
};
const createSchema = z.object(fields).strict();
const patchSchema = z.object(fields).partial().strict();
const filterSchema = z.object({ ...pageQuerySchema, q: z.string().trim().max(200).optional(), domain: z.string().max(253).optional(), contactId: idField.optional() }).strict();

export const companies = defineResource({
  table: 'companies',
  entityType: 'company',
  createSchema,
  patchSchema,
  filterSchema,
  toApi: (r): Company => ({
    id: r.id,
    name: r.name as string,
    domain: r.domain as string | null,
    phone: r.phone as string | null,
    address: Object.fromEntries(Object.entries({ line1: r.address_line1, city: r.city, region: r.region, postalCode: r.postal_code }).filter(([, v]) => v !== null)),
    customFields: parseJson(r.custom_fields as string, {}),
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
  }),
  insertValues: (d) => ({
    name: d.name,
    domain: d.domain ?? null,
    phone: d.phone ?? null,
    address_line1: d.address?.line1 ?? null,
    city: d.address?.city ?? null,
    region: d.address?.region ?? null,
    postal_code: d.address?.postalCode ?? null,
    custom_fields: JSON.stringify(d.customFields ?? {}),
  }),
  updateValues: (d, current) => ({
    ...(d.name !== undefined && { name: d.name }),
    ...(d.domain !== undefined && { domain: d.domain }),
    ...(d.phone !== undefined && { phone: d.phone }),
    ...(d.address !== undefined && { address_line1: d.address.line1 ?? null, city: d.address.city ?? null, region: d.address.region ?? null, postal_code: d.address.postalCode ?? null }),
    ...(d.customFields !== undefined && { custom_fields: JSON.stringify({ ...current.customFields, ...d.customFields }) }),
  }),
  checkReferences: async () => {},
  applyFilter: (q, f, dialect) => {
    if (f.q) q = q.where(containsText(dialect, 'name', f.q));
    if (f.domain) q = q.where('domain', '=', f.domain.toLowerCase());
    if (f.contactId) q = q.where(sql<boolean>`id in (select company_id from contact_companies where business_id = companies.business_id and contact_id = ${f.contactId})`);
    return q;
  },
  createdEvents: (c) => [event('company.created', { companyId: c.id, name: c.name })],
  updatedEvents: (b, a) => {
    const changed = changedFields(b, a);
    return changed.length ? [event('company.updated', { companyId: a.id, changed })] : [];
  },
  deletedEvents: (c) => [event('company.deleted', { companyId: c.id })],
});

/** Links a contact to a company (idempotent), with an optional job title. */
export async function linkContactToCompany(ctx: AppContext, scope: Scope, contactId: string, companyId: string, input: unknown = {}): Promise<{ contactId: string; companyId: string; title: string | null }> {
  const { title } = parseInput(z.object({ title: shortText.nullable().optional() }).strict(), input ?? {});
  return ctx.db.transaction(async (trx) => {
    await getContactRow(trx, scope.businessId, contactId);
    await companies.get(ctx, scope, companyId, trx);
    const now = isoNow(ctx.clock);
    const existing = await trx.selectFrom('contact_companies').select('title').where('contact_id', '=', contactId).where('company_id', '=', companyId).executeTakeFirst();
    if (existing) {
      if (title !== undefined) await trx.updateTable('contact_companies').set({ title }).where('contact_id', '=', contactId).where('company_id', '=', companyId).execute();
    } else {
      await trx.insertInto('contact_companies').values({ business_id: scope.businessId, contact_id: contactId, company_id: companyId, title: title ?? null, created_at: now }).execute();
    }
    await recordChange(trx, scope, now, { entityType: 'contact', entityId: contactId, action: 'update', before: {}, after: { companyId, title: title ?? null } });
    return { contactId, companyId, title: title ?? existing?.title ?? null };
  });
}

export async function unlinkContactFromCompany(ctx: AppContext, scope: Scope, contactId: string, companyId: string): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const res = await trx.deleteFrom('contact_companies').where('business_id', '=', scope.businessId).where('contact_id', '=', contactId).where('company_id', '=', companyId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw notFound('contact-company link', `${contactId}/${companyId}`);
    await recordChange(trx, scope, isoNow(ctx.clock), { entityType: 'contact', entityId: contactId, action: 'update', before: { companyId }, after: { companyId: null } });
  });
}

/** The companies a contact belongs to, with their titles. */
export async function contactCompanies(ctx: AppContext, scope: Scope, contactId: string): Promise<Array<Company & { title: string | null }>> {
  await getContactRow(ctx.db.kysely, scope.businessId, contactId);
  const rows = await ctx.db.kysely
    .selectFrom('contact_companies')
    .innerJoin('companies', 'companies.id', 'contact_companies.company_id')
    .selectAll('companies')
    .select('contact_companies.title as link_title')
    .where('contact_companies.business_id', '=', scope.businessId)
    .where('contact_companies.contact_id', '=', contactId)
    .orderBy('companies.name')
    .execute();
  return rows.map((r) => ({ ...companies.toApiRow(r), title: r.link_title }));
}
