import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext, Scope } from '../context.ts';
import { authenticateApiKey, authenticateSession, principalScope, type Principal } from '../access/auth.ts';
import { routeAccess } from './permissions.ts';
import { AppError } from '../lib/errors.ts';

export const SESSION_COOKIE = 'kinetic_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Routes that need no login (listed in src/api/permissions.ts); a path no route matches needs one. */
const isPublic = (request: FastifyRequest): boolean => {
  const url = request.routeOptions.url;
  return url !== undefined && routeAccess(request.method, url).kind === 'public';
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
    if (!request.principal && !isPublic(request)) {
      throw new AppError('UNAUTHENTICATED', 'log in or send "Authorization: Bearer <api key>"');
    }
  });
}

/** The caller's scope; every domain call made by a route goes through it. */
export function scopeOf(request: FastifyRequest): Scope {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'log in or send "Authorization: Bearer <api key>"');
  return principalScope(request.principal);
}
