import { after, before } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createApiKey } from '../../src/access/auth.ts';
import { createUser } from '../../src/access/users.ts';
import type { AppContext, Scope } from '../../src/context.ts';
import { makeBusiness } from './db.ts';

export interface ApiTenant {
  scope: Scope;
  key: string;
  ownerEmail: string;
  password: string;
}

/** A business with an owner who can log in and an API key. */
export async function makeTenant(ctx: AppContext, name?: string): Promise<ApiTenant> {
  const scope = await makeBusiness(ctx, name ? { name } : {});
  const ownerEmail = `owner-${scope.businessId.slice(-12)}@example.com`;
  const password = 'correct horse battery';
  await createUser(ctx, scope, { email: ownerEmail, name: 'Owner', role: 'owner', password });
  const { key } = await createApiKey(ctx, scope, { name: 'test' });
  return { scope, key, ownerEmail, password };
}

export async function makeApi(ctx: AppContext): Promise<FastifyInstance> {
  const app = await buildServer(ctx);
  await app.ready();
  return app;
}

/** A small client bound to one API key. */
export function client(app: FastifyInstance, key: string | null) {
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, body: unknown = {}) => call('POST', url, body),
    patch: (url: string, body: unknown) => call('PATCH', url, body),
    put: (url: string, body: unknown = {}) => call('PUT', url, body),
    delete: (url: string) => call('DELETE', url),
  };
}

/**
 * For a suite inside forEachDialect: a started API and one tenant, created before the suite's tests
 * and closed after. Read the parts inside tests (`s.api`, `s.tenant`, `s.app`).
 */
export function useApiTenant(world: () => { ctx: AppContext }, name: string) {
  const s = {} as { app: FastifyInstance; tenant: ApiTenant; api: ReturnType<typeof client> };
  before(async () => {
    s.app = await buildServer(world().ctx);
    await s.app.ready();
    s.tenant = await makeTenant(world().ctx, name);
    s.api = client(s.app, s.tenant.key);
  });
  after(() => s.app?.close());
  return s;
}
