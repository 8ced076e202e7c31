import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { createApiKey, listApiKeys, login, logout, revokeApiKey } from '../../access/auth.ts';
import { createUser, getUser, listUsers, roles, updateUser, userInputSchema, userPatchSchema } from '../../access/users.ts';
import { getBusiness, updateBusiness } from '../../crm/businesses/businesses.ts';
import { businessPatchSchema } from '../../crm/businesses/schema.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { changeOwnPassword, inviteUser, linkChannelSchema, resetPassword, sendPasswordReset } from '../../access/password-reset.ts';
import { permissionsOf } from '../../access/permissions.ts';
import { scopeOf, SESSION_COOKIE } from '../auth.ts';
import { idParams } from './resources.ts';

// Who may call each route is decided in one place: src/api/permissions.ts.

export function registerAccessRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/auth/login',
    { schema: { tags: ['Auth'], summary: 'Log in with email and password; sets the session cookie', body: z.object({ email: z.string(), password: z.string() }) } },
    async (req, reply) => {
      const session = await login(ctx, req.body, { address: req.ip });
      void reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: ctx.config.publicUrl.startsWith('https://'),
        expires: new Date(session.expiresAt),
      });
      return { user: session.user, expiresAt: session.expiresAt };
    },
  );
  app.post('/auth/logout', { schema: { tags: ['Auth'], summary: 'End the session' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await logout(ctx, token);
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });
  app.get('/me', { schema: { tags: ['Auth'], summary: 'Who is calling, for which business' } }, async (req) => {
    const scope = scopeOf(req);
    const p = req.principal!;
    return { kind: p.kind, user: p.user, role: p.role, permissions: permissionsOf(p.role), business: await getBusiness(ctx, scope.businessId) };
  });
  app.post(
    '/auth/password',
    { schema: { tags: ['Auth'], summary: 'Change your own password (the current one is required); your other sessions end', body: z.object({ currentPassword: z.string(), newPassword: z.string() }) } },
    (req) => changeOwnPassword(ctx, scopeOf(req), req.principal?.sessionId, req.body),
  );
  app.post(
    '/auth/password-reset',
    { schema: { tags: ['Auth'], summary: 'Set a password with the token from a reset or invitation link; every session of that person ends', body: z.object({ token: z.string(), password: z.string() }) } },
    async (req, reply) => {
      await resetPassword(ctx, req.body);
      return reply.code(204).send();
    },
  );

  app.get('/business', { schema: { tags: ['Business'], summary: "The caller's business: hours, services, on-call schedule, settings" } }, (req) => getBusiness(ctx, scopeOf(req).businessId));
  app.patch('/business', { schema: { tags: ['Business'], summary: 'Update business settings', body: businessPatchSchema } }, (req) => updateBusiness(ctx, scopeOf(req), req.body));

  app.get('/users', { schema: { tags: ['Users'], summary: 'Team members', querystring: z.object({ role: z.enum(roles).optional() }).strict() } }, async (req) => ({
    data: await listUsers(ctx, scopeOf(req), parseInput(z.object({ role: z.enum(roles).optional() }).strict(), req.query)),
  }));
  const inviteBody = userInputSchema.omit({ password: true }).extend({ inviteBy: linkChannelSchema.optional() });
  app.post('/users', { schema: { tags: ['Users'], summary: 'Add a team member; they get a link to choose their password, by email or (inviteBy: "sms", with a phone) by text', body: inviteBody } }, async (req, reply) => {
    const scope = scopeOf(req);
    const { inviteBy, ...person } = parseInput(z.object({ inviteBy: linkChannelSchema.optional() }).passthrough(), req.body);
    return reply.code(201).send(await inviteUser(ctx, scope, person, (trx) => createUser(ctx, scope, person, trx), inviteBy));
  });
  app.get('/users/:id', { schema: { tags: ['Users'], params: idParams } }, (req) => getUser(ctx, scopeOf(req), (req.params as { id: string }).id));
  app.patch('/users/:id', { schema: { tags: ['Users'], params: idParams, body: userPatchSchema } }, (req) =>
    updateUser(ctx, scopeOf(req), (req.params as { id: string }).id, req.body),
  );

  const resetBody = z.object({ by: linkChannelSchema.default('email') }).strict();
  app.post('/users/:id/password-reset', { schema: { tags: ['Users'], summary: 'Send a person a one-time link to set a new password, by email or ({ by: "sms" }) text to their phone (nobody sets another person\'s password)', params: idParams } }, async (req, reply) => {
    const { by } = parseInput(resetBody, req.body ?? {});
    return reply.code(202).send(await sendPasswordReset(ctx, scopeOf(req), (req.params as { id: string }).id, 'reset', undefined, by));
  });

  app.get('/api-keys', { schema: { tags: ['API keys'], summary: 'API keys of this business (secrets are never shown again)' } }, async (req) => ({
    data: await listApiKeys(ctx, scopeOf(req)),
  }));
  app.post('/api-keys', { schema: { tags: ['API keys'], summary: 'Create an API key; the secret is returned once', body: z.object({ name: z.string(), role: z.enum(roles).optional() }) } }, async (req, reply) =>
    reply.code(201).send(await createApiKey(ctx, scopeOf(req), req.body)),
  );
  app.delete('/api-keys/:id', { schema: { tags: ['API keys'], summary: 'Revoke an API key', params: idParams } }, async (req, reply) => {
    await revokeApiKey(ctx, scopeOf(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });
}
