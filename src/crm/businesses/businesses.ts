import type { Selectable } from 'kysely';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { BusinessTable } from '../../db/types.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { assertUserInBusiness } from '../../access/users.ts';
import { recordChange } from '../shared/audit.ts';
import { parseJson } from '../shared/fields.ts';
import { parseInput } from '../shared/validate.ts';
import { receivingNumbers, syncProfileNumbers } from './numbers.ts';
import { claimInstallDefaults } from './channels.ts';
import {
  businessInputSchema,
  businessPatchSchema,
  businessSettingsSchema,
  defaultBusinessHours,
  mergeSettings,
  onCallSchema,
  type Business,
} from './schema.ts';

export function toBusiness(row: Selectable<BusinessTable>): Business {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    timeZone: row.time_zone,
    phone: row.phone,
    email: row.email,
    address: parseJson(row.address, {}),
    businessHours: parseJson(row.business_hours, defaultBusinessHours),
    services: parseJson(row.services, []),
    reviewLink: row.review_link,
    onCall: onCallSchema.parse(parseJson(row.on_call, {})),
    settings: businessSettingsSchema.parse(parseJson(row.settings, {})),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const slugify = (name: string): string =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'business';

export { receivingNumbers } from './numbers.ts';

export async function createBusiness(ctx: AppContext, input: unknown, trx?: Executor): Promise<Business> {
  // The business and its number index are written together.
  if (!trx) return ctx.db.transaction((t) => createBusiness(ctx, input, t));
  const data = parseInput(businessInputSchema, input);
  const now = isoNow(ctx.clock);
  let slug = data.slug ?? slugify(data.name);
  const taken = await trx.selectFrom('businesses').select('slug').where('slug', 'like', `${slug}%`).execute();
  if (taken.some((t) => t.slug === slug)) {
    if (data.slug) throw new AppError('CONFLICT', `slug "${slug}" is already used by another business`);
    let n = 2;
    while (taken.some((t) => t.slug === `${slug}-${n}`)) n++;
    slug = `${slug}-${n}`;
  }
  const id = newId();
  await trx
    .insertInto('businesses')
    .values({
      id,
      name: data.name,
      slug,
      time_zone: data.timeZone,
      phone: data.phone ?? null,
      email: data.email ?? null,
      address: JSON.stringify(data.address),
      business_hours: JSON.stringify(data.businessHours ?? defaultBusinessHours),
      services: JSON.stringify(data.services),
      review_link: data.reviewLink ?? null,
      on_call: JSON.stringify(data.onCall),
      settings: JSON.stringify(data.settings),
      created_at: now,
      updated_at: now,
    })
    .execute();
  const created = await getBusiness(ctx, id, trx);
  await syncProfileNumbers(trx, created, now);
  await claimInstallDefaults(trx, ctx.config, created.id, now);
  return created;
}

/** A business that must exist (its id comes from a row that references it): read through the given executor. */
export async function loadBusiness(trx: Executor, id: string): Promise<Business> {
  return toBusiness(await trx.selectFrom('businesses').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

export async function getBusiness(ctx: AppContext, id: string, trx: Executor = ctx.db.kysely): Promise<Business> {
  const row = await trx.selectFrom('businesses').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('business', id);
  return toBusiness(row);
}

/** Finds a business by id or slug (CLI convenience). */
export async function findBusiness(ctx: AppContext, idOrSlug: string): Promise<Business | undefined> {
  const row = await ctx.db.kysely
    .selectFrom('businesses')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug)]))
    .executeTakeFirst();
  return row ? toBusiness(row) : undefined;
}

export async function listBusinesses(ctx: AppContext): Promise<Business[]> {
  const rows = await ctx.db.kysely.selectFrom('businesses').selectAll().orderBy('created_at').execute();
  return rows.map(toBusiness);
}

export async function updateBusiness(ctx: AppContext, scope: Scope, patch: unknown): Promise<Business> {
  const data = parseInput(businessPatchSchema, patch);
  return ctx.db.transaction(async (trx) => {
    const before = await getBusiness(ctx, scope.businessId, trx);
    const now = isoNow(ctx.clock);
    for (const [i, userId] of (data.onCall?.rotation ?? []).entries()) await assertUserInBusiness(trx, scope.businessId, userId, `onCall.rotation.${i}`);
    for (const [i, o] of (data.onCall?.overrides ?? []).entries()) await assertUserInBusiness(trx, scope.businessId, o.userId, `onCall.overrides.${i}.userId`);
    if (data.slug && data.slug !== before.slug) {
      const clash = await trx.selectFrom('businesses').select('id').where('slug', '=', data.slug).executeTakeFirst();
      if (clash) throw new AppError('CONFLICT', `slug "${data.slug}" is already used by another business`);
    }
    await trx
      .updateTable('businesses')
      .set({
        ...(data.name !== undefined && { name: data.name }),
        ...(data.slug !== undefined && { slug: data.slug }),
        ...(data.timeZone !== undefined && { time_zone: data.timeZone }),
        ...(data.phone !== undefined && { phone: data.phone }),
        ...(data.email !== undefined && { email: data.email }),
        ...(data.address !== undefined && { address: JSON.stringify(data.address) }),
        ...(data.businessHours !== undefined && { business_hours: JSON.stringify(data.businessHours) }),
        ...(data.services !== undefined && { services: JSON.stringify(data.services) }),
        ...(data.reviewLink !== undefined && { review_link: data.reviewLink }),
        ...(data.onCall !== undefined && { on_call: JSON.stringify(data.onCall) }),
        ...(data.settings !== undefined && { settings: JSON.stringify(mergeSettings(before.settings, data.settings)) }),
        updated_at: now,
      })
      .where('id', '=', scope.businessId)
      .execute();
    const after = await getBusiness(ctx, scope.businessId, trx);
    if (data.phone !== undefined || data.settings !== undefined) await syncProfileNumbers(trx, after, now, receivingNumbers(before));
    await recordChange(trx, scope, now, { entityType: 'business', entityId: after.id, action: 'update', before: { ...before }, after: { ...after } });
    return after;
  });
}
