import type { AppContext, Scope } from '../context.ts';
import { validationError } from '../lib/errors.ts';
import { calculateLeak, leakInputNames, resolveLeakInputs, type LeakInputs, type LeakReport } from './leak.ts';
import { leakFromData } from './leak-from-data.ts';

/** GET /insights/leak: the same inputs as `kinetic leak` (camelCase), or fromData=true. */
export async function leakFromQuery(ctx: AppContext, scope: Scope, query: unknown): Promise<LeakReport> {
  const q = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).filter((k) => k !== 'fromData' && !(leakInputNames as string[]).includes(k));
  if (unknown.length) throw validationError(unknown.map((field) => ({ field, message: 'unknown field' })));
  const fromData = q.fromData;
  if (fromData !== undefined && fromData !== 'true' && fromData !== 'false' && fromData !== true && fromData !== false) {
    throw validationError([{ field: 'fromData', message: 'must be true or false' }]);
  }
  const given = Object.fromEntries(leakInputNames.map((k) => [k, q[k]])) as Partial<Record<keyof LeakInputs, unknown>>;
  if (fromData === 'true' || fromData === true) return leakFromData(ctx, scope, given);
  const { inputs, defaultsUsed } = resolveLeakInputs(given);
  return calculateLeak(inputs, defaultsUsed, 'inputs');
}
