import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AppContext, Logger } from '../context.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/types.ts';
import type { VirtualClock } from '../lib/clock.ts';

/**
 * The world the demo history is lived in: the loader's one transaction (a
 * nested `transaction` is a savepoint, so a step that fails rolls back only
 * itself, as in the real worker) and a virtual clock the loader moves.
 */
export function demoWorld(ctx: AppContext, trx: Transaction<Database>, clock: VirtualClock, log: Logger): AppContext {
  let depth = 0;
  const db: Db = {
    kysely: trx as unknown as Kysely<Database>,
    dialect: ctx.db.dialect,
    schema: ctx.db.schema,
    transaction: async (fn) => {
      const name = sql.raw(`demo_${++depth}`);
      await sql`savepoint ${name}`.execute(trx);
      try {
        const result = await fn(trx);
        await sql`release savepoint ${name}`.execute(trx);
        return result;
      } catch (err) {
        await sql`rollback to savepoint ${name}`.execute(trx);
        throw err;
      } finally {
        depth--;
      }
    },
    close: async () => undefined,
  };
  return { ...ctx, db, clock, log };
}

/**
 * Ids for the demo: UUIDv7 stamped with the virtual clock (rows sort by when
 * they happened in the story), with the random part drawn from the seed, so
 * one seed and anchor give the same ids every time.
 */
export function seededIds(seed: number, clock: VirtualClock): () => string {
  let msecs = -Infinity;
  let seq = 0;
  // xorshift128 seeded from a hash of the seed: cheap, and the same stream every time.
  const h = createHash('sha256').update(`ids:${seed}`).digest();
  const s = [h.readUInt32BE(0) | 1, h.readUInt32BE(4), h.readUInt32BE(8), h.readUInt32BE(12)];
  const word = () => {
    let t = s[3];
    t ^= t << 11;
    t ^= t >>> 8;
    s[3] = s[2];
    s[2] = s[1];
    s[1] = s[0];
    t ^= s[0] ^ (s[0] >>> 19);
    s[0] = t;
    return t >>> 0;
  };
  const random = new Uint8Array(16);
  const view = new DataView(random.buffer);
  return () => {
    for (let i = 0; i < 4; i++) view.setUint32(i * 4, word());
    const now = clock.now().getTime();
    if (now > msecs) {
      msecs = now;
      seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    } else {
      seq = (seq + 1) | 0;
    }
    return uuidv7({ random, msecs, seq });
  };
}
