import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { enqueueMessage } from '../engine/outbox/enqueue.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { newId, randomToken, sha256 } from '../lib/ids.ts';
import { actorRole } from './actor-role.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { getUser, mayManage, type User } from './users.ts';
import '../db/types-access.ts';

/** How long a reset link works. */
export const RESET_LINK_HOURS = 24;

export const newPasswordSchema = z.string().min(10, 'must be at least 10 characters').max(200);

/** The page of the dashboard where a reset link lands. */
export const resetLinkUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/$/, '')}/app/reset-password#token=${token}`;

/** Ends a user's sessions, all of them or all but one (the one that changed the password). */
export async function endSessions(trx: Executor, userId: string, now: string, keepSessionId?: string): Promise<number> {
  let q = trx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Sends a person a one-time link to set their password, by email through the
 * outbox. An owner or manager may send it to the people they manage (never to
 * someone above them); the link goes only to the person's own address and is
 * not shown to the sender, so no one can take over another's account with it.
 */
/** How a set-password link travels: email, or a text to the person's own phone (a technician who reads texts, not email). */
export const linkChannelSchema = z.enum(['email', 'sms']);
export type LinkChannel = z.infer<typeof linkChannelSchema>;

export async function sendPasswordReset(ctx: AppContext, scope: Scope, userId: string, reason: 'reset' | 'invite' = 'reset', trx?: Executor, by: LinkChannel = 'email'): Promise<{ sent: true; to: string; channel: LinkChannel; expiresAt: string }> {
  const run = async (t: Executor) => {
    const target = await getUser(ctx, scope, userId, t);
    const role = await actorRole(t, scope);
    const actorId = scope.actor.type === 'user' ? scope.actor.id : null;
    if (actorId !== target.id && !mayManage({ id: actorId, role }, target)) {
      throw new AppError('FORBIDDEN', target.role === 'owner' ? 'only an owner can send an owner a reset link' : `a ${role} can send reset links only to people below them`);
    }
    if (target.disabled) throw new AppError('CONFLICT', `${target.name} is disabled; enable them first`);
    if (by === 'sms' && !target.phone) throw new AppError('VALIDATION_FAILED', `${target.name} has no phone number: add one, or send the link by email`, { issues: [{ field: 'phone', message: 'needed to send the link by text' }] });
    const token = randomToken(32);
    const now = ctx.clock.now();
    const nowIso = now.toISOString();
    const expiresAt = new Date(now.getTime() + RESET_LINK_HOURS * 3_600_000).toISOString();
    const id = newId();
    // One live link per person: a new one replaces any earlier.
    await t.updateTable('password_resets').set({ used_at: nowIso }).where('user_id', '=', target.id).where('used_at', 'is', null).execute();
    await t.insertInto('password_resets').values({ id, token_hash: sha256(token), user_id: target.id, business_id: scope.businessId, created_by: actorId, created_at: nowIso, expires_at: expiresAt, used_at: null }).execute();
    const link = resetLinkUrl(ctx.config.publicUrl, token);
    if (by === 'sms') await enqueueResetText(t, target, link, reason, id, nowIso);
    else await enqueueResetEmail(ctx, t, target, link, reason, id, nowIso);
    await recordChange(t, scope, nowIso, { entityType: 'user', entityId: target.id, action: 'update', after: { passwordResetSent: true, channel: by, expiresAt } });
    return { sent: true as const, to: by === 'sms' ? target.phone! : target.email, channel: by, expiresAt };
  };
  return trx ? run(trx) : ctx.db.transaction(run);
}

async function enqueueResetEmail(ctx: AppContext, trx: Executor, user: User, link: string, reason: 'reset' | 'invite', resetId: string, now: string): Promise<void> {
  const business = await trx.selectFrom('businesses').select('name').where('id', '=', user.businessId).executeTakeFirstOrThrow();
  const subject = reason === 'invite' ? `You have been added to ${business.name} on Kinetic` : `Set your Kinetic password for ${business.name}`;
  const body = [
    `Hello ${user.name},`,
    '',
    reason === 'invite' ? `You have been added to ${business.name} on Kinetic. Choose your password here:` : 'Choose a new Kinetic password here:',
    link,
    '',
    `The link works once and for ${RESET_LINK_HOURS} hours. If you did not expect this email, ignore it; your password stays as it is.`,
  ].join('\n');
  await enqueueMessage(
    trx,
    // The key marks the row as carrying a credential: the outbox API hides its body (engine/manage.ts).
    { businessId: user.businessId, channel: 'email', purpose: 'transactional', to: user.email, subject, body, idempotencyKey: `password-reset:${resetId}`, notBefore: now },
    now,
  );
}

async function enqueueResetText(trx: Executor, user: User, link: string, reason: 'reset' | 'invite', resetId: string, now: string): Promise<void> {
  const business = await trx.selectFrom('businesses').select('name').where('id', '=', user.businessId).executeTakeFirstOrThrow();
  const body = `${reason === 'invite' ? `${business.name} added you to Kinetic (log in as ${user.email}).` : `${business.name}: reset your Kinetic password.`} Choose your password (works once, ${RESET_LINK_HOURS} h): ${link}`;
  await enqueueMessage(
    trx,
    // The same key prefix as the email: the outbox API hides the link (engine/manage.ts).
    { businessId: user.businessId, channel: 'sms', purpose: 'transactional', to: user.phone!, body, userId: user.id, idempotencyKey: `password-reset:${resetId}`, notBefore: now },
    now,
  );
}

/** Sets a password from a reset link: once, before it expires; every session of the person ends. */
export async function resetPassword(ctx: AppContext, input: unknown): Promise<{ userId: string }> {
  const data = parseInput(z.object({ token: z.string().min(1).max(200), password: newPasswordSchema }).strict(), input);
  const passwordHash = await hashPassword(data.password);
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    const row = await trx.selectFrom('password_resets').selectAll().where('token_hash', '=', sha256(data.token)).executeTakeFirst();
    if (!row || row.used_at || Date.parse(row.expires_at) <= ctx.clock.now().getTime()) {
      throw new AppError('BAD_REQUEST', 'this password link is not valid any more (used, replaced or expired); ask for a new one');
    }
    const user = await trx.selectFrom('users').select(['id', 'disabled_at']).where('id', '=', row.user_id).executeTakeFirst();
    if (!user || user.disabled_at) throw new AppError('BAD_REQUEST', 'this password link is not valid any more; ask for a new one');
    await trx.updateTable('password_resets').set({ used_at: now }).where('id', '=', row.id).execute();
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', row.user_id).execute();
    await endSessions(trx, row.user_id, now);
    await recordChange(trx, { businessId: row.business_id, actor: { type: 'user', id: row.user_id } }, now, { entityType: 'user', entityId: row.user_id, action: 'update', after: { passwordChanged: true, by: 'reset link' } });
    return { userId: row.user_id };
  });
}

/** A logged-in person changes their own password (the current one is required); their other sessions end. */
export async function changeOwnPassword(ctx: AppContext, scope: Scope, sessionId: string | undefined, input: unknown): Promise<{ endedSessions: number }> {
  const data = parseInput(z.object({ currentPassword: z.string().max(200), newPassword: newPasswordSchema }).strict(), input);
  if (scope.actor.type !== 'user' || !scope.actor.id) throw new AppError('FORBIDDEN', 'log in as the person whose password this is (an API key has no password)');
  const userId = scope.actor.id;
  const row = await ctx.db.kysely.selectFrom('users').select(['password_hash']).where('business_id', '=', scope.businessId).where('id', '=', userId).executeTakeFirstOrThrow();
  if (!(await verifyPassword(data.currentPassword, row.password_hash ?? (await dummyPasswordHash())))) {
    throw new AppError('VALIDATION_FAILED', 'currentPassword: this is not your current password', { issues: [{ field: 'currentPassword', message: 'not your current password' }] });
  }
  const passwordHash = await hashPassword(data.newPassword);
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', userId).execute();
    await trx.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
    const endedSessions = await endSessions(trx, userId, now, sessionId);
    await recordChange(trx, scope, now, { entityType: 'user', entityId: userId, action: 'update', after: { passwordChanged: true } });
    return { endedSessions };
  });
}

/** Adds a team member through the API: created without a password, and sent a link to choose one (one transaction). */
export async function inviteUser(ctx: AppContext, scope: Scope, input: unknown, create: (trx: Executor) => Promise<User>, by: LinkChannel = 'email'): Promise<User & { invitationSentTo: string; invitationChannel: LinkChannel }> {
  return ctx.db.transaction(async (trx) => {
    const user = await create(trx);
    const sent = await sendPasswordReset(ctx, scope, user.id, 'invite', trx, by);
    return { ...user, invitationSentTo: sent.to, invitationChannel: sent.channel };
  });
}
