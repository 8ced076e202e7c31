import type { AppContext } from '../context.ts';
import { AppError } from '../lib/errors.ts';

/**
 * Failed logins slow down guessing, per account and per client address, with
 * an exponential backoff: after `free` failures each further failure locks the
 * key for 1 s, 2 s, 4 s … up to `maxLockSeconds`. Failures older than the
 * window are forgotten; a successful login clears the account's counter (not
 * the address's, so one known password does not reset a spray over many
 * accounts). Counters live in the database, so every process sharing it
 * enforces the same limits.
 */
export interface ThrottlePolicy {
  free: number;
  maxLockSeconds: number;
  windowSeconds: number;
}

export const accountPolicy: ThrottlePolicy = { free: 5, maxLockSeconds: 15 * 60, windowSeconds: 15 * 60 };
export const addressPolicy: ThrottlePolicy = { free: 20, maxLockSeconds: 15 * 60, windowSeconds: 15 * 60 };

/** Seconds a key is locked after its `failures`-th failure (a pure function, tested with a table). */
export function lockSeconds(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxLockSeconds, 2 ** (failures - policy.free));
}

export interface ThrottleKeys {
  account: string;
  address: string | null;
}

const keysOf = (k: ThrottleKeys): Array<[string, ThrottlePolicy]> => [
  [`account:${k.account}`, accountPolicy],
  ...(k.address ? [[`ip:${k.address}`, addressPolicy] as [string, ThrottlePolicy]] : []),
];

/** Throws RATE_LIMITED (429, Retry-After) while the account or the address is locked. */
export async function assertNotThrottled(ctx: AppContext, keys: ThrottleKeys): Promise<void> {
  const now = ctx.clock.now().getTime();
  const rows = await ctx.db.kysely.selectFrom('login_throttles').select(['key', 'locked_until']).where('key', 'in', keysOf(keys).map(([k]) => k)).execute();
  let wait = 0;
  for (const r of rows) if (r.locked_until) wait = Math.max(wait, Date.parse(r.locked_until) - now);
  if (wait > 0) {
    const retryAfterSeconds = Math.ceil(wait / 1000);
    throw new AppError('RATE_LIMITED', `too many failed logins; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** Counts one failed login against the account and the address. */
export async function recordLoginFailure(ctx: AppContext, keys: ThrottleKeys): Promise<void> {
  const now = ctx.clock.now();
  const nowIso = now.toISOString();
  await ctx.db.transaction(async (trx) => {
    for (const [key, policy] of keysOf(keys)) {
      const row = await trx.selectFrom('login_throttles').selectAll().where('key', '=', key).executeTakeFirst();
      const stale = row && now.getTime() - Date.parse(row.last_failure_at) > policy.windowSeconds * 1000;
      const failures = row && !stale ? row.failures + 1 : 1;
      const lock = lockSeconds(failures, policy);
      const lockedUntil = lock > 0 ? new Date(now.getTime() + lock * 1000).toISOString() : null;
      const firstFailureAt = row && !stale ? row.first_failure_at : nowIso;
      await trx
        .insertInto('login_throttles')
        .values({ key, failures, first_failure_at: firstFailureAt, last_failure_at: nowIso, locked_until: lockedUntil })
        .onConflict((oc) => oc.column('key').doUpdateSet({ failures, first_failure_at: firstFailureAt, last_failure_at: nowIso, locked_until: lockedUntil }))
        .execute();
    }
  });
}

export async function clearAccountFailures(ctx: AppContext, account: string): Promise<void> {
  await ctx.db.kysely.deleteFrom('login_throttles').where('key', '=', `account:${account}`).execute();
}
