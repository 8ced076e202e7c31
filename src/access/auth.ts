import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId, randomToken, sha256 } from '../lib/ids.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { clearAccountFailures, assertNotThrottled, recordLoginFailure } from './login-throttle.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { actorRole } from './actor-role.ts';
import { roleRank } from './permissions.ts';
import { roles, toUser, type Role, type User } from './users.ts';
import '../db/types-access.ts';

export const API_KEY_PREFIX = 'kin_';

export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Principal {
  businessId: string;
  kind: 'user' | 'api_key';
  id: string;
  user: User | null;
  /** What the permission table grants: the user's role, or the role the API key was created with. */
  role: Role;
  /** The session a logged-in user came with (a password change keeps this one). */
  sessionId?: string;
}

export const principalScope = (p: Principal): Scope => ({ businessId: p.businessId, actor: { type: p.kind, id: p.id } });

/**
 * Creates an API key for one business. The secret is returned once and stored
 * only as a hash. The key acts with the creator's role (or a lower one asked
 * for), so nobody can mint a key with more rights than they have.
 */
export async function createApiKey(ctx: AppContext, scope: Scope, input: unknown): Promise<ApiKeyInfo & { key: string }> {
  const parsed = parseInput(z.object({ name: z.string().trim().min(1).max(100), role: z.enum(roles).optional() }).strict(), input);
  const { name } = parsed;
  const creatorRole = await actorRole(ctx.db.kysely, scope);
  const role = parsed.role ?? creatorRole;
  if (roleRank[role] > roleRank[creatorRole]) throw new AppError('FORBIDDEN', `a ${creatorRole} cannot create a key that acts as ${role}`);
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const id = newId();
  const now = isoNow(ctx.clock);
  await ctx.db.transaction(async (trx) => {
    await trx
      .insertInto('api_keys')
      .values({ id, business_id: scope.businessId, name, role, prefix: key.slice(0, 12), key_hash: sha256(key), created_by: scope.actor.id, created_at: now, last_used_at: null, revoked_at: null })
      .execute();
    await recordChange(trx, scope, now, { entityType: 'api_key', entityId: id, action: 'create', after: { name, role, prefix: key.slice(0, 12) } });
  });
  return { id, name, role, prefix: key.slice(0, 12), createdAt: now, lastUsedAt: null, revokedAt: null, key };
}

export async function listApiKeys(ctx: AppContext, scope: Scope): Promise<ApiKeyInfo[]> {
  const rows = await ctx.db.kysely.selectFrom('api_keys').selectAll().where('business_id', '=', scope.businessId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role as Role, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
}

export async function revokeApiKey(ctx: AppContext, scope: Scope, id: string): Promise<void> {
  const now = isoNow(ctx.clock);
  await ctx.db.transaction(async (trx) => {
    const res = await trx.updateTable('api_keys').set({ revoked_at: now }).where('business_id', '=', scope.businessId).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw notFound('api key', id);
    await recordChange(trx, scope, now, { entityType: 'api_key', entityId: id, action: 'delete' });
  });
}

export async function authenticateApiKey(ctx: AppContext, key: string): Promise<Principal | null> {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  const row = await ctx.db.kysely.selectFrom('api_keys').selectAll().where('key_hash', '=', sha256(key)).executeTakeFirst();
  if (!row || row.revoked_at) return null;
  const now = ctx.clock.now();
  // Touch last_used_at at most once a minute to keep reads cheap.
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > 60_000) {
    await ctx.db.kysely.updateTable('api_keys').set({ last_used_at: now.toISOString() }).where('id', '=', row.id).execute();
  }
  return { businessId: row.business_id, kind: 'api_key', id: row.id, user: null, role: row.role as Role };
}

/**
 * Email and password to a session. Every failure looks the same (one message,
 * one status, the same scrypt work against a dummy hash when the email is
 * unknown, so timing does not tell either), and failures are throttled per
 * account and per client address (429 with Retry-After while locked).
 */
export async function login(ctx: AppContext, input: unknown, client: { address?: string | null } = {}): Promise<{ token: string; user: User; expiresAt: string }> {
  const { email, password } = parseInput(z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(200) }).strict(), input);
  const keys = { account: email, address: client.address ?? null };
  await assertNotThrottled(ctx, keys);
  const row = await ctx.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
  if (!row || !row.password_hash || !ok || row.disabled_at) {
    await recordLoginFailure(ctx, keys);
    throw new AppError('UNAUTHENTICATED', 'email or password is incorrect');
  }
  await clearAccountFailures(ctx, email);
  const token = randomToken(32);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlHours * 3_600_000).toISOString();
  await ctx.db.kysely
    .insertInto('sessions')
    .values({ id: newId(), token_hash: sha256(token), user_id: row.id, business_id: row.business_id, created_at: now.toISOString(), expires_at: expiresAt, revoked_at: null })
    .execute();
  return { token, user: toUser(row), expiresAt };
}

export async function authenticateSession(ctx: AppContext, token: string): Promise<Principal | null> {
  const row = await ctx.db.kysely
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.id as session_id', 'sessions.expires_at as session_expires_at', 'sessions.revoked_at as session_revoked_at'])
    .where('sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.session_revoked_at || row.disabled_at || Date.parse(row.session_expires_at) <= ctx.clock.now().getTime()) return null;
  const user = toUser(row);
  return { businessId: row.business_id, kind: 'user', id: row.id, user, role: user.role, sessionId: row.session_id };
}

/**
 * Whether a principal authenticated earlier still holds: the key not revoked,
 * the session not ended, the user not disabled. Long-lived connections (the
 * event stream) ask this every few seconds.
 */
export async function principalStillValid(ctx: AppContext, p: Principal): Promise<boolean> {
  if (p.kind === 'api_key') {
    const row = await ctx.db.kysely.selectFrom('api_keys').select('revoked_at').where('id', '=', p.id).executeTakeFirst();
    return row !== undefined && row.revoked_at === null;
  }
  const user = await ctx.db.kysely.selectFrom('users').select(['disabled_at', 'role']).where('id', '=', p.id).executeTakeFirst();
  if (!user || user.disabled_at || user.role !== p.role) return false;
  if (!p.sessionId) return true;
  const session = await ctx.db.kysely.selectFrom('sessions').select(['revoked_at', 'expires_at']).where('id', '=', p.sessionId).executeTakeFirst();
  return session !== undefined && session.revoked_at === null && Date.parse(session.expires_at) > ctx.clock.now().getTime();
}

export async function logout(ctx: AppContext, token: string): Promise<void> {
  await ctx.db.kysely.updateTable('sessions').set({ revoked_at: isoNow(ctx.clock) }).where('token_hash', '=', sha256(token)).execute();
}
