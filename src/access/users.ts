import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import type { UserTable } from '../db/types.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseJson } from '../crm/shared/fields.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { normalizePhone } from '../crm/contacts/normalize.ts';
import { actorRole } from './actor-role.ts';
import { hashPassword } from './passwords.ts';
import { roleRank } from './permissions.ts';

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

/** No password here: nobody sets another person's password; they get a reset link (access/password-reset.ts). */
export const userPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(roles).optional(),
    phone: z.string().max(40).nullable().optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

/** The same answer whether the address is taken in this business or another, so nobody learns who uses Kinetic elsewhere. */
export const EMAIL_TAKEN = 'this email address cannot be used for a new team member; use another address';

/** Managers manage the people below them; owners manage everyone, owners included. Nobody changes their own role or access. */
export function mayManage(actor: { id: string | null; role: Role }, target: { id: string; role: Role }): boolean {
  if (actor.id === target.id) return false;
  return actor.role === 'owner' || roleRank[target.role] < roleRank[actor.role];
}

/** Who may give a role: owners any, managers only roles below their own. */
export const mayAssignRole = (actor: Role, role: Role): boolean => actor === 'owner' || roleRank[role] < roleRank[actor];

const refuse = (message: string) => new AppError('FORBIDDEN', message);

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

/** The country a team member's phone is read in when written without a +country code: the business's. */
async function businessCountry(trx: Executor, businessId: string): Promise<string> {
  const r = await trx.selectFrom('businesses').select('settings').where('id', '=', businessId).executeTakeFirst();
  const country = parseJson<{ defaultCountry?: unknown }>(r?.settings, {}).defaultCountry;
  return typeof country === 'string' && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : 'US';
}

export async function createUser(ctx: AppContext, scope: Scope, input: unknown, trx?: Executor): Promise<User> {
  const data = parseInput(userInputSchema, input);
  const byPerson = scope.actor.type === 'user' || scope.actor.type === 'api_key';
  // The installer at the terminal (CLI) may give a first password; through the API the new person sets their own from a link.
  if (byPerson && data.password !== undefined) throw new AppError('VALIDATION_FAILED', 'password: nobody sets another person\'s password; the new team member gets a link to set their own', { issues: [{ field: 'password', message: 'not accepted; a link to set it is sent' }] });
  const passwordHash = data.password ? await hashPassword(data.password) : null;
  const run = async (t: Executor) => {
    const role = await actorRole(t, scope);
    if (!mayAssignRole(role, data.role)) throw refuse(data.role === 'owner' ? 'only an owner can add an owner' : `a ${role} can add only people below them (${roles.filter((r) => mayAssignRole(role, r)).join(', ')})`);
    const clash = await t.selectFrom('users').select('id').where('email', '=', data.email).executeTakeFirst();
    if (clash) throw new AppError('CONFLICT', EMAIL_TAKEN, { issues: [{ field: 'email', message: EMAIL_TAKEN }] });
    const phone = data.phone ? normalizePhone(data.phone, await businessCountry(t, scope.businessId), 'phone') : null;
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
  return ctx.db.transaction(async (trx) => {
    const before = await getUser(ctx, scope, id, trx);
    const role = await actorRole(trx, scope);
    const actor = { id: scope.actor.type === 'user' ? scope.actor.id : null, role };
    if (actor.id === before.id) {
      // Your own name and phone, yes; your own role or access, no (a manager cannot promote themselves).
      if (data.role !== undefined || data.disabled !== undefined) throw refuse('you cannot change your own role or access; ask an owner');
    } else if (!mayManage(actor, before)) {
      throw refuse(before.role === 'owner' ? 'only an owner can change an owner' : `a ${role} can change only people below them`);
    }
    if (data.role !== undefined && !mayAssignRole(role, data.role)) throw refuse(data.role === 'owner' ? 'only an owner can make someone an owner' : `a ${role} cannot give the role ${data.role}`);
    const now = isoNow(ctx.clock);
    await trx
      .updateTable('users')
      .set({
        ...(data.name !== undefined && { name: data.name }),
        ...(data.role !== undefined && { role: data.role }),
        ...(data.phone !== undefined && { phone: data.phone ? normalizePhone(data.phone, await businessCountry(trx, scope.businessId), 'phone') : null }),
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
