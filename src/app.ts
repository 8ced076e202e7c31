import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Config } from './config.ts';
import type { AppContext, Logger } from './context.ts';
import { openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { installEngine } from './engine/index.ts';

/** Builds the world once at start-up: database (migrated), clock, logger. */
export async function createContext(config: Config, opts: { clock?: Clock; log?: Logger; migrate?: boolean } = {}): Promise<AppContext> {
  config = { ...config, secret: config.secret ?? localSecret(config.dataDir) };
  installEngine();
  const db = await openDatabase(config.database, { poolSize: config.dbPoolSize });
  if (opts.migrate !== false) await migrateToLatest(db);
  const log = opts.log ?? (pino({ level: config.logLevel }) as unknown as Logger);
  return { config, db, clock: opts.clock ?? systemClock, log };
}

/**
 * Without KINETIC_SECRET, a single-machine install keeps a generated secret in
 * its data directory (mode 0600). Several machines sharing PostgreSQL must set
 * KINETIC_SECRET to the same value.
 */
function localSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  return secret;
}
