import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { sql } from '../../db/database.ts';
import { loadTags } from '../contacts/contacts.ts';
import { loadConsent } from '../contacts/consent.ts';
import { lifecycleStages } from '../contacts/schema.ts';
import { jobStatuses } from '../jobs/jobs.ts';
import { instant, parseJson } from '../shared/fields.ts';
import { parseInput } from '../shared/validate.ts';
import type { ImportEntity } from './fields.ts';
import { neutraliseCell } from './neutralise.ts';

export { neutraliseCell } from './neutralise.ts';

export const exportFilterSchema = z
  .object({
    /** Rows created at or after this instant. */
    createdAfter: instant.optional(),
    createdBefore: instant.optional(),
    /** Contacts: one lifecycle stage; tag: contacts with this tag. */
    lifecycleStage: z.enum(lifecycleStages).optional(),
    tag: z.string().trim().toLowerCase().min(1).max(50).optional(),
    /** Jobs/interactions: one contact's records. */
    contactId: z.string().min(1).max(64).optional(),
  })
  .strict();
export type ExportFilter = z.input<typeof exportFilterSchema>;

const pageSize = 1_000;
type Cell = string | number | null | undefined;

async function writeRecords(output: NodeJS.WritableStream, records: Cell[][]): Promise<void> {
  if (records.length === 0) return;
  const text = stringify(records.map((r) => r.map((v) => neutraliseCell(v === null || v === undefined ? '' : String(v)))));
  if (!output.write(text)) await once(output, 'drain');
}

const dollars = (cents: number | null): string => (cents === null ? '' : (cents / 100).toFixed(2));

/**
 * Streams a business's contacts, jobs or interactions as CSV, a page of
 * 1,000 rows at a time (keyset by id), with every cell passed through
 * neutraliseCell. The header names are ones the importer maps back
 * automatically, so an export imports into another business unchanged.
 * The output stream is not ended: the caller owns it.
 */
export async function exportCsv(ctx: AppContext, scope: Scope, entity: Exclude<ImportEntity, 'deals'>, output: NodeJS.WritableStream, filter: ExportFilter = {}): Promise<{ rows: number }> {
  const f = parseInput(exportFilterSchema, filter, 'filter');
  if (entity === 'contacts') return exportContacts(ctx, scope, output, f);
  if (entity === 'jobs') return exportJobs(ctx, scope, output, f);
  return exportInteractions(ctx, scope, output, f);
}

async function customFieldKeys(ctx: AppContext, businessId: string): Promise<string[]> {
  const q =
    ctx.db.dialect === 'postgres'
      ? sql<{ key: string }>`select distinct jsonb_object_keys(custom_fields::jsonb) as key from contacts where business_id = ${businessId}`
      : sql<{ key: string }>`select distinct j.key as key from contacts, json_each(contacts.custom_fields) j where contacts.business_id = ${businessId}`;
  const { rows } = await q.execute(ctx.db.kysely);
  return rows.map((r) => r.key).sort();
}

async function exportContacts(ctx: AppContext, scope: Scope, output: NodeJS.WritableStream, f: z.output<typeof exportFilterSchema>): Promise<{ rows: number }> {
  const db = ctx.db.kysely;
  const businessId = scope.businessId;
  const customKeys = await customFieldKeys(ctx, businessId);
  const header = [
    'id', 'first_name', 'last_name', 'name', 'phone', 'email', 'other_phones', 'other_emails',
    'address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country', 'time_zone',
    'source', 'lifecycle_stage', 'tags', 'sms_consent', 'email_consent', 'voice_consent',
    'last_interaction_at', 'created_at', 'updated_at', ...customKeys.map((k) => `custom.${k}`),
  ];
  await writeRecords(output, [header]);
  let rows = 0;
  let after = '';
  for (;;) {
    let q = db.selectFrom('contacts').selectAll('contacts').where('contacts.business_id', '=', businessId).where('contacts.id', '>', after);
    if (f.lifecycleStage) q = q.where('contacts.lifecycle_stage', '=', f.lifecycleStage);
    if (f.createdAfter) q = q.where('contacts.created_at', '>=', f.createdAfter);
    if (f.createdBefore) q = q.where('contacts.created_at', '<', f.createdBefore);
    const tag = f.tag;
    if (tag) {
      q = q.where((eb) => eb.exists(eb.selectFrom('contact_tags').select('contact_tags.tag').whereRef('contact_tags.contact_id', '=', 'contacts.id').where('contact_tags.business_id', '=', businessId).where('contact_tags.tag', '=', tag)));
    }
    const page = await q.orderBy('contacts.id').limit(pageSize).execute();
    if (page.length === 0) break;
    const ids = page.map((c) => c.id);
    const [tags, consent] = await Promise.all([loadTags(db, businessId, ids), loadConsent(db, businessId, ids)]);
    await writeRecords(
      output,
      page.map((c) => {
        const phones = parseJson<Array<{ number: string }>>(c.phones, []).map((p) => p.number).filter((n) => n !== c.phone);
        const emails = parseJson<Array<{ address: string }>>(c.emails, []).map((e) => e.address).filter((a) => a !== c.email);
        const custom = parseJson<Record<string, unknown>>(c.custom_fields, {});
        const states = consent.get(c.id);
        const status = (channel: 'sms' | 'email' | 'voice') => (states && states[channel].status !== 'unknown' ? states[channel].status : '');
        return [
          c.id, c.first_name, c.last_name, c.display_name, c.phone, c.email, phones.join('; '), emails.join('; '),
          c.address_line1, c.address_line2, c.city, c.region, c.postal_code, c.country, c.time_zone,
          c.source, c.lifecycle_stage, (tags.get(c.id) ?? []).join('; '), status('sms'), status('email'), status('voice'),
          c.last_interaction_at, c.created_at, c.updated_at,
          ...customKeys.map((k) => (custom[k] === null || custom[k] === undefined ? '' : String(custom[k]))),
        ];
      }),
    );
    rows += page.length;
    after = page[page.length - 1].id;
  }
  return { rows };
}

async function exportJobs(ctx: AppContext, scope: Scope, output: NodeJS.WritableStream, f: z.output<typeof exportFilterSchema>): Promise<{ rows: number }> {
  const db = ctx.db.kysely;
  const businessId = scope.businessId;
  await writeRecords(output, [[
    'id', 'contact_id', 'contact_name', 'contact_phone', 'contact_email', 'service_type', 'status', 'scheduled_start', 'scheduled_end',
    'completed_at', 'amount', 'technician', 'notes', 'external_id', 'created_at', 'updated_at',
  ]]);
  // Paged per status through jobs_status_idx (business_id, status, id): ordering all of a business's jobs by id alone
  // has no index on SQLite and would sort the whole table for every page.
  let rows = 0;
  for (const status of jobStatuses) {
    let after = '';
    for (;;) {
      let q = db
        .selectFrom('jobs')
        .leftJoin('contacts', (j) => j.onRef('contacts.id', '=', 'jobs.contact_id').on('contacts.business_id', '=', businessId))
        .leftJoin('users', (j) => j.onRef('users.id', '=', 'jobs.technician_user_id').on('users.business_id', '=', businessId))
        .selectAll('jobs')
        .select(['contacts.display_name as contact_name', 'contacts.phone as contact_phone', 'contacts.email as contact_email', 'users.email as technician'])
        .where('jobs.business_id', '=', businessId)
        .where('jobs.status', '=', status)
        .where('jobs.id', '>', after);
      if (f.contactId) q = q.where('jobs.contact_id', '=', f.contactId);
      if (f.createdAfter) q = q.where('jobs.created_at', '>=', f.createdAfter);
      if (f.createdBefore) q = q.where('jobs.created_at', '<', f.createdBefore);
      const page = await q.orderBy('jobs.id').limit(pageSize).execute();
      if (page.length === 0) break;
      await writeRecords(
        output,
        page.map((j) => [
          j.id, j.contact_id, j.contact_name, j.contact_phone, j.contact_email, j.service_type, j.status, j.scheduled_start, j.scheduled_end,
          j.completed_at, dollars(j.amount_cents), j.technician, j.notes, j.external_id, j.created_at, j.updated_at,
        ]),
      );
      rows += page.length;
      after = page[page.length - 1].id;
    }
  }
  return { rows };
}

async function exportInteractions(ctx: AppContext, scope: Scope, output: NodeJS.WritableStream, f: z.output<typeof exportFilterSchema>): Promise<{ rows: number }> {
  const db = ctx.db.kysely;
  const businessId = scope.businessId;
  await writeRecords(output, [[
    'id', 'contact_id', 'contact_name', 'contact_phone', 'contact_email', 'kind', 'direction', 'channel', 'occurred_at',
    'subject', 'body', 'outcome', 'duration_seconds', 'user', 'external_id', 'created_at',
  ]]);
  // Oldest first, paged on (occurred_at, id) through interactions_business_idx (business_id, occurred_at).
  let rows = 0;
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let q = db
      .selectFrom('interactions')
      .leftJoin('contacts', (j) => j.onRef('contacts.id', '=', 'interactions.contact_id').on('contacts.business_id', '=', businessId))
      .leftJoin('users', (j) => j.onRef('users.id', '=', 'interactions.user_id').on('users.business_id', '=', businessId))
      .selectAll('interactions')
      .select(['contacts.display_name as contact_name', 'contacts.phone as contact_phone', 'contacts.email as contact_email', 'users.email as user_email'])
      .where('interactions.business_id', '=', businessId);
    if (after) {
      const { at, id } = after;
      q = q.where('interactions.occurred_at', '>=', at).where((eb) => eb.or([eb('interactions.occurred_at', '>', at), eb('interactions.id', '>', id)]));
    }
    if (f.contactId) q = q.where('interactions.contact_id', '=', f.contactId);
    if (f.createdAfter) q = q.where('interactions.created_at', '>=', f.createdAfter);
    if (f.createdBefore) q = q.where('interactions.created_at', '<', f.createdBefore);
    const page = await q.orderBy('interactions.occurred_at').orderBy('interactions.id').limit(pageSize).execute();
    if (page.length === 0) break;
    await writeRecords(
      output,
      page.map((i) => [
        i.id, i.contact_id, i.contact_name, i.contact_phone, i.contact_email, i.kind, i.direction, i.channel, i.occurred_at,
        i.subject, i.body, i.outcome, i.duration_seconds, i.user_email, i.external_id, i.created_at,
      ]),
    );
    rows += page.length;
    const last = page[page.length - 1];
    after = { at: last.occurred_at, id: last.id };
  }
  return { rows };
}
