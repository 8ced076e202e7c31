import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import type { UserTable } from '../db/types.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { normalizePhone } from '../crm/contacts/normalize.ts';
import { hashPassword } from './passwords.ts';

export const roles = ['owner', 'manager', 'technician', 'agent'] as const;
export type Role = (typeof roles)[number];

export interface User {
  id: string;
  businessId: string;
  email: string;
  name: string;
  role: Role;
  phone: string | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export const userInputSchema = z
  .object({
    email: z.email().max(254).transform((v) => v.trim().toLowerCase()),
    name: z.string().trim().min(1).max(200),
    role: z.enum(roles).default('agent'),
    phone: z.string().max(40).nullable().optional(),
    password: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
  })
  .strict();

export const userPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(roles).optional(),
    phone: z.string().max(40).nullable().optional(),
    password: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const toUser = (row: Selectable<UserTable>): User => ({
  id: row.id,
  businessId: row.business_id,
  email: row.email,
  name: row.name,
  role: row.role as Role,
  phone: row.phone,
  disabled: row.disabled_at !== null,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function createUser(ctx: AppContext, scope: Scope, input: unknown, trx?: Executor): Promise<User> {
  const data = parseInput(userInputSchema, input);
  const phone = data.phone ? normalizePhone(data.phone, 'US', 'phone') : null;
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  const run = async (t: Executor) => {
    const clash = await t.selectFrom('users').select('id').where('email', '=', data.email).executeTakeFirst();
    if (clash) throw new AppError('CONFLICT', `a user with email ${data.email} already exists`, { field: 'email' });
    const now = isoNow(ctx.clock);
    const id = newId();
    await t
      .insertInto('users')
      .values({ id, business_id: scope.businessId, email: data.email, name: data.name, role: data.role, phone, password_hash: passwordHash, disabled_at: null, created_at: now, updated_at: now })
      .execute();
    const user = await getUser(ctx, scope, id, t);
    await recordChange(t, scope, now, { entityType: 'user', entityId: id, action: 'create', after: { ...user } });
    return user;
  };
  return trx ? run(trx) : ctx.db.transaction(run);
}

export async function getUser(ctx: AppContext, scope: Scope, id: string, trx: Executor = ctx.db.kysely): Promise<User> {
  const row = await trx.selectFrom('users').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('user', id);
  return toUser(row);
}

export async function listUsers(ctx: AppContext, scope: Scope, filter: { role?: Role } = {}): Promise<User[]> {
  let q = ctx.db.kysely.selectFrom('users').selectAll().where('business_id', '=', scope.businessId);
  if (filter.role) q = q.where('role', '=', filter.role);
  return (await q.orderBy('created_at').orderBy('id').execute()).map(toUser);
}

export async function updateUser(ctx: AppContext, scope: Scope, id: string, patch: unknown): Promise<User> {
  const data = parseInput(userPatchSchema, patch);
  const passwordHash = data.password ? await hashPassword(data.password) : undefined;
  return ctx.db.transaction(async (trx) => {
    const before = await getUser(ctx, scope, id, trx);
    const now = isoNow(ctx.clock);
    await trx
      .updateTable('users')
      .set({
        ...(data.name !== undefined && { name: data.name }),
        ...(data.role !== undefined && { role: data.role }),
        ...(data.phone !== undefined && { phone: data.phone ? normalizePhone(data.phone, 'US', 'phone') : null }),
        ...(passwordHash !== undefined && { password_hash: passwordHash }),
        ...(data.disabled !== undefined && { disabled_at: data.disabled ? now : null }),
        updated_at: now,
      })
      .where('business_id', '=', scope.businessId)
      .where('id', '=', id)
      .execute();
    if (data.disabled) await trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    const after = await getUser(ctx, scope, id, trx);
    await recordChange(trx, scope, now, { entityType: 'user', entityId: id, action: 'update', before: { ...before }, after: { ...after } });
    return after;
  });
}

/** Checks that a user id belongs to the caller's business (for owner/assignee/technician fields). */
export async function assertUserInBusiness(trx: Executor, businessId: string, userId: string | null | undefined, field: string): Promise<void> {
  if (!userId) return;
  const row = await trx.selectFrom('users').select('id').where('business_id', '=', businessId).where('id', '=', userId).executeTakeFirst();
  if (!row) throw new AppError('VALIDATION_FAILED', `${field}: no user ${userId} in this business`, { issues: [{ field, message: 'unknown user' }] });
}
