import type { Config } from '../config.ts';
import type { AppContext, Scope } from '../context.ts';
import { AppError } from '../lib/errors.ts';
import { silentLogger } from '../context.ts';

// The application (database, providers, domain) is loaded when a command runs, not when its help is printed.

/** Opens the configured database for one command and closes it afterwards. */
export async function withContext<T>(config: () => Config, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const { createContext } = await import('../app.ts');
  const ctx = await createContext(config(), { log: silentLogger });
  try {
    return await fn(ctx);
  } finally {
    await ctx.db.close();
  }
}

/** The business a command acts on: --business (id or slug), or the only one there is. */
export async function resolveBusiness(ctx: AppContext, idOrSlug: string | undefined): Promise<Scope> {
  const { findBusiness, listBusinesses } = await import('../crm/businesses/businesses.ts');
  if (idOrSlug) {
    const b = await findBusiness(ctx, idOrSlug);
    if (!b) throw new AppError('NOT_FOUND', `no business with id or slug "${idOrSlug}" (see: kinetic business list)`);
    return { businessId: b.id, actor: { type: 'cli', id: null } };
  }
  const all = await listBusinesses(ctx);
  if (all.length === 1) return { businessId: all[0].id, actor: { type: 'cli', id: null } };
  if (all.length === 0) throw new AppError('BAD_REQUEST', 'there is no business yet: run `kinetic demo` or `kinetic business create --name … --time-zone …`');
  throw new AppError('BAD_REQUEST', `there are ${all.length} businesses: pass --business <id or slug> (see: kinetic business list)`);
}
