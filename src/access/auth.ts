import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId, randomToken, sha256 } from '../lib/ids.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { verifyPassword } from './passwords.ts';
import { toUser, type User } from './users.ts';

export const API_KEY_PREFIX = 'kin_';

export interface ApiKeyInfo {
  id: string;
  name: string;
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
}

export const principalScope = (p: Principal): Scope => ({ businessId: p.businessId, actor: { type: p.kind, id: p.id } });

/** Creates an API key for one business. The secret is returned once and stored only as a hash. */
export async function createApiKey(ctx: AppContext, scope: Scope, input: unknown): Promise<ApiKeyInfo & { key: string }> {
  const { name } = parseInput(z.object({ name: z.string().trim().min(1).max(100) }).strict(), input);
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const id = newId();
  const now = isoNow(ctx.clock);
  await ctx.db.transaction(async (trx) => {
    await trx
      .insertInto('api_keys')
      .values({ id, business_id: scope.businessId, name, prefix: key.slice(0, 12), key_hash: sha256(key), created_by: scope.actor.id, created_at: now, last_used_at: null, revoked_at: null })
      .execute();
    await recordChange(trx, scope, now, { entityType: 'api_key', entityId: id, action: 'create', after: { name, prefix: key.slice(0, 12) } });
  });
  return { id, name, prefix: key.slice(0, 12), createdAt: now, lastUsedAt: null, revokedAt: null, key };
}

export async function listApiKeys(ctx: AppContext, scope: Scope): Promise<ApiKeyInfo[]> {
  const rows = await ctx.db.kysely.selectFrom('api_keys').selectAll().where('business_id', '=', scope.businessId).orderBy('created_at').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, prefix: r.prefix, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at }));
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
  return { businessId: row.business_id, kind: 'api_key', id: row.id, user: null };
}

export async function login(ctx: AppContext, input: unknown): Promise<{ token: string; user: User; expiresAt: string }> {
  const { email, password } = parseInput(z.object({ email: z.string().trim().toLowerCase().max(254), password: z.string().max(200) }).strict(), input);
  const row = await ctx.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(password, row?.password_hash ?? null);
  if (!row || !ok || row.disabled_at) throw new AppError('UNAUTHENTICATED', 'email or password is incorrect');
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
    .select(['sessions.expires_at as session_expires_at', 'sessions.revoked_at as session_revoked_at'])
    .where('sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.session_revoked_at || row.disabled_at || Date.parse(row.session_expires_at) <= ctx.clock.now().getTime()) return null;
  return { businessId: row.business_id, kind: 'user', id: row.id, user: toUser(row) };
}

export async function logout(ctx: AppContext, token: string): Promise<void> {
  await ctx.db.kysely.updateTable('sessions').set({ revoked_at: isoNow(ctx.clock) }).where('token_hash', '=', sha256(token)).execute();
}
