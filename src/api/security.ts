import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../lib/errors.ts';
import { routeAccess } from './permissions.ts';
import { SESSION_COOKIE } from './auth.ts';

/**
 * Security headers on every response (@fastify/helmet): a CSP that allows only
 * Kinetic's own scripts, styles and connections (the built dashboard has no
 * inline script), no framing by anyone (frame-ancestors 'none' and
 * X-Frame-Options), nosniff, no Referer (booking and reset links carry
 * tokens), and HSTS when the public URL is https. Pages that need a stricter
 * policy (the booking pages) set their own.
 */
export async function registerSecurityHeaders(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const https = ctx.config.publicUrl.startsWith('https://');
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // React sets style attributes through the DOM (allowed); the charts library and Swagger UI add inline <style> elements.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // Kinetic embeds nothing cross-origin; COEP would only get in the way of the API docs.
    crossOriginEmbedderPolicy: false,
  });
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery: a browser sends the session cookie with any
 * same-site request (SameSite=Lax still lets a page on another port or
 * subdomain POST), so for cookie-authenticated writes the request must come
 * from Kinetic's own pages. Sec-Fetch-Site (sent by every current browser)
 * must be same-origin or none; without it, an Origin header must be the public
 * URL's or this server's own. API keys (Authorization header) are not
 * cookies and are not checked; neither are the public, signed endpoints.
 */
export function registerCsrfCheck(app: FastifyInstance, ctx: AppContext): void {
  const publicOrigin = new URL(ctx.config.publicUrl).origin;
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!unsafeMethods.has(request.method) || request.headers.authorization) return;
    const url = request.routeOptions.url;
    const loginForm = url === '/auth/login' || url === '/auth/password-reset';
    if (!loginForm && !request.cookies?.[SESSION_COOKIE]) return;
    if (!loginForm && url && routeAccess(request.method, url).kind === 'public') return;
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string') {
      if (site === 'same-origin' || site === 'none') return;
      throw new AppError('FORBIDDEN', `cross-site request refused (Sec-Fetch-Site: ${site}); use Kinetic's own pages or an API key`);
    }
    const origin = request.headers.origin;
    if (origin === undefined) return;
    const own = `${request.protocol}://${request.host}`;
    if (origin !== publicOrigin && origin !== own) throw new AppError('FORBIDDEN', `cross-origin request refused (Origin: ${origin}); use Kinetic's own pages or an API key`);
  });
}
