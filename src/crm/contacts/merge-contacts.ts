import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { event } from '../../events/record.ts';
import { isoNow } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { recordChange } from '../shared/audit.ts';
import { idField, parseJson } from '../shared/fields.ts';
import { parseInput } from '../shared/validate.ts';
import { refreshLastInteraction } from '../interactions/interactions.ts';
import { getContact, getContactRow } from './contacts.ts';
import { identitiesFor, searchText } from './prepare.ts';
import type { Contact, LifecycleStage } from './schema.ts';

const mergeInput = z
  .object({
    survivorId: idField,
    mergeIds: z.array(idField).min(1).max(20),
  })
  .strict()
  .refine((m) => !m.mergeIds.includes(m.survivorId), { message: 'survivorId cannot also be merged into itself', path: ['mergeIds'] });

/** When records disagree, the stage that carries the most history wins. */
const stageRank: Record<LifecycleStage, number> = { customer: 4, dormant: 3, lead: 2, lost: 1 };

const childTables = ['interactions', 'jobs', 'deals', 'tasks', 'reviews', 'consents'] as const;

/**
 * Merges duplicates into one survivor: moves every interaction, job, deal,
 * task, review, consent record and company link; unions phones, emails and
 * tags; fills the survivor's empty fields from the others; deletes the rest.
 */
export async function mergeContacts(ctx: AppContext, scope: Scope, input: unknown): Promise<Contact> {
  const { survivorId, mergeIds } = parseInput(mergeInput, input);
  const ids = [...new Set(mergeIds)];
  return ctx.db.transaction(async (trx) => {
    const survivorRow = await getContactRow(trx, scope.businessId, survivorId);
    const others = await Promise.all(ids.map((id) => getContactRow(trx, scope.businessId, id)));
    const before = await getContact(ctx, scope, survivorId, trx);
    const biz = scope.businessId;
    for (const table of childTables) {
      await trx.updateTable(table).set({ contact_id: survivorId }).where('business_id', '=', biz).where('contact_id', 'in', ids).execute();
    }
    // Company links and tags: copy what the survivor lacks, then drop the originals with the merged rows.
    const links = await trx.selectFrom('contact_companies').selectAll().where('business_id', '=', biz).where('contact_id', 'in', ids).execute();
    const have = new Set((await trx.selectFrom('contact_companies').select('company_id').where('contact_id', '=', survivorId).execute()).map((l) => l.company_id));
    for (const l of links) {
      if (have.has(l.company_id)) continue;
      have.add(l.company_id);
      await trx.insertInto('contact_companies').values({ ...l, contact_id: survivorId }).execute();
    }
    const tagRows = await trx.selectFrom('contact_tags').select('tag').where('business_id', '=', biz).where('contact_id', 'in', [survivorId, ...ids]).execute();
    const tags = [...new Set(tagRows.map((t) => t.tag))].sort();

    const phones: Array<{ number: string; label?: string }> = parseJson(survivorRow.phones, []);
    const emails: Array<{ address: string; label?: string }> = parseJson(survivorRow.emails, []);
    const custom: Record<string, unknown> = parseJson(survivorRow.custom_fields, {});
    const filled: Record<string, unknown> = {};
    let stage = survivorRow.lifecycle_stage as LifecycleStage;
    const fillable = ['first_name', 'last_name', 'address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country', 'source', 'owner_user_id'] as const;
    for (const o of others) {
      for (const p of parseJson<typeof phones>(o.phones, [])) if (!phones.some((x) => x.number === p.number)) phones.push(p);
      for (const e of parseJson<typeof emails>(o.emails, [])) if (!emails.some((x) => x.address === e.address)) emails.push(e);
      for (const [k, v] of Object.entries(parseJson<Record<string, unknown>>(o.custom_fields, {}))) if (!(k in custom)) custom[k] = v;
      for (const f of fillable) if (survivorRow[f] == null && filled[f] == null && o[f] != null) filled[f] = o[f];
      if (stageRank[o.lifecycle_stage as LifecycleStage] > stageRank[stage]) stage = o.lifecycle_stage as LifecycleStage;
    }
    const earliest = [survivorRow.created_at, ...others.map((o) => o.created_at)].sort()[0];
    const now = isoNow(ctx.clock);
    await trx.deleteFrom('contacts').where('business_id', '=', biz).where('id', 'in', ids).execute();
    await trx
      .updateTable('contacts')
      .set({
        ...filled,
        phones: JSON.stringify(phones),
        emails: JSON.stringify(emails),
        phone: phones[0]?.number ?? null,
        email: emails[0]?.address ?? null,
        custom_fields: JSON.stringify(custom),
        lifecycle_stage: stage,
        search_text: searchText(survivorRow.display_name, phones, emails, [(filled.city as string | undefined) ?? survivorRow.city]),
        created_at: earliest,
        updated_at: now,
      })
      .where('business_id', '=', biz)
      .where('id', '=', survivorId)
      .execute();
    await trx.deleteFrom('contact_identities').where('contact_id', '=', survivorId).execute();
    const identities = identitiesFor(biz, survivorId, phones, emails);
    if (identities.length) await trx.insertInto('contact_identities').values(identities).execute();
    await trx.deleteFrom('contact_tags').where('contact_id', '=', survivorId).execute();
    if (tags.length) await trx.insertInto('contact_tags').values(tags.map((tag) => ({ business_id: biz, contact_id: survivorId, tag }))).execute();
    await refreshLastInteraction(trx, biz, survivorId);
    const after = await getContact(ctx, scope, survivorId, trx);
    await recordChange(trx, scope, now, {
      entityType: 'contact',
      entityId: survivorId,
      action: 'merge',
      before: { ...before, mergedIds: [] },
      after: { ...after, mergedIds: ids },
      events: [event('contacts.merged', { survivorId, mergedIds: ids })],
    });
    return after;
  });
}

export interface DuplicateGroup {
  matchedOn: 'phone' | 'email';
  value: string;
  contactIds: string[];
}

/** Groups of contacts sharing a normalised phone or email: candidates for merging. */
export async function findDuplicates(ctx: AppContext, scope: Scope, limit = 100): Promise<DuplicateGroup[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new AppError('VALIDATION_FAILED', 'limit: must be between 1 and 1000');
  const groups = await ctx.db.kysely
    .selectFrom('contact_identities')
    .select(['kind', 'value', sql<number>`count(distinct contact_id)`.as('n')])
    .where('business_id', '=', scope.businessId)
    .groupBy(['kind', 'value'])
    .having(sql`count(distinct contact_id)`, '>', 1)
    .orderBy('kind')
    .orderBy('value')
    .limit(limit)
    .execute();
  const out: DuplicateGroup[] = [];
  for (const g of groups) {
    const rows = await ctx.db.kysely
      .selectFrom('contact_identities')
      .select('contact_id')
      .distinct()
      .where('business_id', '=', scope.businessId)
      .where('kind', '=', g.kind)
      .where('value', '=', g.value)
      .orderBy('contact_id')
      .execute();
    out.push({ matchedOn: g.kind as 'phone' | 'email', value: g.value, contactIds: rows.map((r) => r.contact_id) });
  }
  return out;
}
