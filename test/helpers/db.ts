import { after, before, describe } from 'node:test';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger, type AppContext, type Scope } from '../../src/context.ts';
import { dropSchema, openDatabase, type Db, type Dialect } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { VirtualClock } from '../../src/lib/clock.ts';
import { createBusiness } from '../../src/crm/businesses/businesses.ts';
import type { BusinessInput } from '../../src/crm/businesses/schema.ts';
import { installEngine } from '../../src/engine/index.ts';

installEngine();

export const PG_URL = process.env.KINETIC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ALL_DIALECTS: Dialect[] = ['sqlite', 'postgres'];

/**
 * The databases the suite runs on: both by default; `DIALECTS=sqlite npm test` for a contributor without PostgreSQL
 * (CI always runs both). Unknown names are refused so a typo cannot silently run nothing.
 */
function chosenDialects(value: string | undefined): Dialect[] {
  if (!value) return ALL_DIALECTS;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ALL_DIALECTS.includes(n as Dialect));
  if (unknown.length || names.length === 0) throw new Error(`DIALECTS=${value}: use sqlite, postgres or both (comma-separated)`);
  return ALL_DIALECTS.filter((d) => names.includes(d));
}

export const DIALECTS: Dialect[] = chosenDialects(process.env.DIALECTS);
/** True when this run includes `dialect` (see DIALECTS). */
export const runsOn = (dialect: Dialect): boolean => DIALECTS.includes(dialect);

export interface TestWorld {
  dialect: Dialect;
  ctx: AppContext;
  db: Db;
  clock: VirtualClock;
}

// Uploads (CSV imports) go to a temporary data directory, never the working copy's ./data.
export const testConfig = (overrides: Partial<Config> = {}): Config => ({
  ...loadConfig({ KINETIC_DEMO: '0' }),
  dataDir: path.join(os.tmpdir(), `kinetic-test-data-${process.pid}`),
  secret: 'test-secret-0123456789abcdef0123456789abcdef',
  ...overrides,
});

/** Opens a fresh, migrated database of the given dialect: a private in-memory SQLite or a private PostgreSQL schema. */
export async function openTestDb(dialect: Dialect, migrate: { upTo?: string } = {}): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const db = await openDatabase({ kind: 'sqlite', file: ':memory:' });
    await migrateToLatest(db, migrate);
    return { db, cleanup: () => db.close() };
  }
  const schema = `kt_${process.pid}_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema, poolSize: 5 });
  await migrateToLatest(db, migrate);
  return {
    db,
    cleanup: async () => {
      await db.close();
      await dropSchema(PG_URL, schema);
    },
  };
}

/**
 * Runs the same suite on SQLite and on PostgreSQL, each with its own fresh
 * database. `fn` receives a getter for the world, valid inside tests.
 */
export function forEachDialect(name: string, fn: (world: () => TestWorld, dialect: Dialect) => void, opts: { start?: string } = {}): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let world: TestWorld | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      before(async () => {
        const opened = await openTestDb(dialect);
        cleanup = opened.cleanup;
        const clock = new VirtualClock(opts.start ?? '2026-03-02T15:00:00Z');
        world = { dialect, db: opened.db, clock, ctx: { config: testConfig(), db: opened.db, clock, log: silentLogger } };
      });
      after(async () => {
        await cleanup?.();
      });
      fn(() => {
        if (!world) throw new Error('world used outside a test');
        return world;
      }, dialect);
    });
  }
}

let counter = 0;
/** Creates a business and returns a scope acting as the CLI within it. */
export async function makeBusiness(ctx: AppContext, input: Partial<BusinessInput> = {}): Promise<Scope> {
  counter++;
  const business = await createBusiness(ctx, { name: `Test Business ${counter}`, timeZone: 'America/Chicago', ...input });
  return { businessId: business.id, actor: { type: 'cli', id: null } };
}
