import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.ts';
import { authenticateApiKey, authenticateSession, principalScope, type Principal } from '../access/auth.ts';
import type { Role } from '../access/users.ts';
import { AppError } from '../lib/errors.ts';

export const SESSION_COOKIE = 'kinetic_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Paths that need no login: health, login, docs and the dashboard's static shell. */
const isPublic = (url: string): boolean => {
  const path = url.split('?')[0];
  return path === '/health' || path === '/auth/login' || path === '/' || path === '/docs' || path.startsWith('/docs/') || path === '/openapi.json' || path === '/app' || path.startsWith('/app/') || path.startsWith('/webhooks/') || path.startsWith('/unsubscribe/') || path.startsWith('/book/');
};

/** Resolves `Authorization: Bearer <api key>` or the session cookie into a principal, for every request. */
export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization header must be "Bearer <api key>"');
      request.principal = await authenticateApiKey(ctx, match[1]);
      if (!request.principal) throw new AppError('UNAUTHENTICATED', 'API key is invalid or revoked');
      return;
    }
    const token = request.cookies?.[SESSION_COOKIE];
    if (token) request.principal = await authenticateSession(ctx, token);
    if (!request.principal && !isPublic(request.url)) {
      throw new AppError('UNAUTHENTICATED', 'log in or send "Authorization: Bearer <api key>"');
    }
  });
}

/** The caller's scope; every domain call made by a route goes through it. */
export function scopeOf(request: FastifyRequest): Scope {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'log in or send "Authorization: Bearer <api key>"');
  return principalScope(request.principal);
}

/** Restricts a route to some user roles; API keys act with owner rights for their business. */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const p = request.principal;
    if (!p) throw new AppError('UNAUTHENTICATED', 'log in or send "Authorization: Bearer <api key>"');
    if (p.kind === 'user' && p.user && !roles.includes(p.user.role)) {
      throw new AppError('FORBIDDEN', `this action needs one of the roles: ${roles.join(', ')}`);
    }
  };
}
