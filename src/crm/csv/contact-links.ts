import { sql } from 'kysely';
import type { Executor } from '../../db/database.ts';
import { isoNow } from '../../lib/clock.ts';
import type { BatchResult, ImportEnv } from './batch.ts';
import { chunks } from './bulk.ts';
import type { ContactDraft } from './contact-draft.ts';
import type { CsvRow } from './reader.ts';

/** How a job, interaction or deal row names its contact. */
export interface ContactReference {
  contactId: string | null;
  contact: ContactDraft | null;
  vendorCustomerId?: string | null;
}

export interface LinkedRow<D> {
  row: CsvRow;
  draft: D;
  contactId: string;
}

/**
 * Resolves every row's contact: a given contact id (one query), the vendor's
 * customer id (contacts imported from its customers export keep it as a
 * custom field), else the row's phone/email (found like contact dedupe; new
 * contacts are written first).
 */
export async function linkContacts<D extends ContactReference>(env: ImportEnv, trx: Executor, drafts: Array<{ row: CsvRow; draft: D }>, result: BatchResult): Promise<Array<LinkedRow<D>>> {
  const businessId = env.scope.businessId;
  const ids = [...new Set(drafts.map((d) => d.draft.contactId).filter((id): id is string => id !== null))];
  const known = new Set<string>();
  for (const part of chunks(ids)) {
    for (const r of await trx.selectFrom('contacts').select('id').where('business_id', '=', businessId).where('id', 'in', part).execute()) known.add(r.id);
  }
  const byVendorId = await contactsByVendorId(env, trx, drafts.filter((d) => !known.has(d.draft.contactId ?? '')).map((d) => d.draft.vendorCustomerId));
  const direct = (d: ContactReference): string | undefined =>
    d.contactId !== null && known.has(d.contactId) ? d.contactId : d.vendorCustomerId ? byVendorId.get(d.vendorCustomerId) : undefined;
  const usable: Array<{ row: CsvRow; draft: D }> = [];
  for (const d of drafts) {
    const byIdentity = d.draft.contact !== null && (d.draft.contact.phones.length > 0 || d.draft.contact.emails.length > 0);
    if (direct(d.draft) !== undefined || byIdentity) usable.push(d);
    else if (d.draft.vendorCustomerId && d.draft.contactId === null) {
      const column = env.plan.columns[env.plan.byField.get('vendorCustomerId')![0]].header;
      result.rejected.push({ row: d.row, error: `${column}: customer "${d.draft.vendorCustomerId}" is not a contact of this business yet, and the row has no phone or email to find the contact by; import the customers export first` });
    } else result.rejected.push({ row: d.row, error: `contact id "${d.draft.contactId}" is not a contact of this business, and the row has no phone or email to find the contact by` });
  }
  await env.contacts.prefetch(trx, usable.filter((d) => direct(d.draft) === undefined).map((d) => d.draft.contact!));
  const linked = usable.map(({ row, draft }) => ({ row, draft, contactId: direct(draft) ?? env.contacts.resolve(draft.contact!).contactId }));
  await env.contacts.flush(trx, isoNow(env.ctx.clock));
  return linked;
}

/** Contacts whose custom field (the shape's customerIdField) holds one of these vendor customer ids. */
async function contactsByVendorId(env: ImportEnv, trx: Executor, vendorIds: Array<string | null | undefined>): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const field = env.shape?.shape.customerIdField;
  const wanted = [...new Set(vendorIds.filter((v): v is string => !!v))];
  if (!field || wanted.length === 0) return found;
  // custom_fields is JSON text; the vendor id is read out of it (no index: one pass over the business's contacts per batch).
  const value = env.ctx.db.dialect === 'postgres' ? sql<string>`(custom_fields::jsonb ->> ${field})` : sql<string>`json_extract(custom_fields, ${`$."${field}"`})`;
  for (const part of chunks(wanted)) {
    const rows = await trx.selectFrom('contacts').select(['id', value.as('vendor_id')]).where('business_id', '=', env.scope.businessId).where(value, 'in', part).orderBy('id').execute();
    for (const r of rows) if (!found.has(String(r.vendor_id))) found.set(String(r.vendor_id), r.id);
  }
  return found;
}
