import { v7 as uuidv7 } from 'uuid';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';

/**
 * Work that must be reproducible (the demo business, generated from a seed)
 * can make its own ids: within `withIdSource`, and only in the async work it
 * starts, newId() asks that source instead of the random generator.
 */
const idSource = new AsyncLocalStorage<() => string>();
export const withIdSource = <T>(next: () => string, fn: () => Promise<T>): Promise<T> => idSource.run(next, fn);

/** Random bytes drawn 4 KB at a time: one call into the CSPRNG per 256 ids instead of one per id. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function random16(): Uint8Array {
  if (poolAt + 16 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  return bytes;
}

/** uuid's own monotonic state, kept here because passing random bytes switches the library's off. */
const state = { msecs: -Infinity, seq: 0 };

/**
 * Time-ordered identifiers (UUIDv7): sortable, so cursor pagination can order
 * by id. Ids made in the same millisecond count up (RFC 9562 method 1, as the
 * uuid package does), so they sort in the order they were made.
 */
export function newId(): string {
  const scoped = idSource.getStore();
  if (scoped) return scoped();
  const random = random16();
  const now = Date.now();
  if (now > state.msecs) {
    state.seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++;
  }
  return uuidv7({ random, msecs: state.msecs, seq: state.seq });
}

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
