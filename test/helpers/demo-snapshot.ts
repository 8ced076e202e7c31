/**
 * The demo business, loaded once and copied per suite.
 *
 * Loading the demo (src/demo) replays three years of history and takes about a
 * minute per database; most suites only need it as their starting world. The
 * load is deterministic for a seed and an anchor (seeded ids, a virtual clock),
 * so it is done once per dialect and every suite gets a private copy of the
 * result:
 * - SQLite: the loaded database file's bytes, opened as an in-memory database
 *   (openDatabase's `image`); cached across processes in a file under the
 *   temporary directory.
 * - PostgreSQL: a template schema holding the loaded demo; each suite migrates
 *   its own schema as usual and copies the template's rows and sequence values.
 *   The template is shared across processes (advisory locks) and marked complete
 *   by its schema comment, written last.
 * Both caches are keyed by a hash of everything that can change the result: the
 * files under src/, package-lock.json, this file, the seed, the anchor and the
 * test configuration. Old keys are removed.
 *
 * Suites that test loading itself (test/demo/demo.test.ts, history.test.ts) call
 * loadDemo. KINETIC_TEST_DEMO_SNAPSHOT=0 makes every suite load the demo itself.
 */
import { after, before, describe } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { silentLogger, type AppContext } from '../../src/context.ts';
import { openDatabase, sql, type Db, type Dialect } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { DEFAULT_DEMO_SEED, loadDemo, type DemoResult } from '../../src/demo/index.ts';
import { VirtualClock } from '../../src/lib/clock.ts';
import { DIALECTS, openTestDb, PG_URL, testConfig, type TestWorld } from './db.ts';

export interface DemoTestWorld extends TestWorld {
  /** What loadDemo returned for this world's data (loadMs: the original load's). */
  demo: DemoResult;
}

export interface DemoOptions {
  seed?: number;
  /** The virtual clock's start, which is also the demo's anchor (loadDemo's default `now`). */
  start?: string;
}

const DEFAULT_START = '2026-03-02T15:00:00Z';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const snapshotsOn = process.env.KINETIC_TEST_DEMO_SNAPSHOT !== '0';

/**
 * Like forEachDialect, with the demo business already loaded in each world
 * (a copy of one load, see above). `fn` receives a getter valid inside tests.
 */
export function forEachDemoDialect(name: string, fn: (world: () => DemoTestWorld, dialect: Dialect) => void, opts: DemoOptions = {}): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      let world: DemoTestWorld | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      before(async () => {
        const start = opts.start ?? DEFAULT_START;
        const opened = await openDemoDb(dialect, { seed: opts.seed, start });
        cleanup = opened.cleanup;
        const clock = new VirtualClock(start);
        world = { dialect, db: opened.db, clock, ctx: { config: testConfig(), db: opened.db, clock, log: silentLogger }, demo: opened.demo };
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

/** A fresh private database of `dialect` holding the demo business loaded with `seed` at `start`. */
export async function openDemoDb(dialect: Dialect, opts: DemoOptions = {}): Promise<{ db: Db; cleanup: () => Promise<void>; demo: DemoResult }> {
  const seed = opts.seed ?? DEFAULT_DEMO_SEED;
  const start = new Date(opts.start ?? DEFAULT_START).toISOString();
  if (!snapshotsOn) {
    const opened = await openTestDb(dialect);
    try {
      return { ...opened, demo: await loadDemo(demoCtx(opened.db, start), { seed }) };
    } catch (err) {
      await opened.cleanup();
      throw err;
    }
  }
  const key = snapshotKey(dialect, seed, start);
  return dialect === 'sqlite' ? openSqliteCopy(key, seed, start) : openPostgresCopy(key, seed, start);
}

/** The context the demo is loaded with: the one forEachDialect builds, clock at the anchor. */
function demoCtx(db: Db, start: string): AppContext {
  return { config: testConfig(), db, clock: new VirtualClock(start), log: silentLogger };
}

let sourceHash: string | undefined;
function snapshotKey(dialect: Dialect, seed: number, start: string): string {
  if (!sourceHash) {
    const h = createHash('sha256');
    const files = [...listFiles(path.join(root, 'src')), path.join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
    for (const file of files) h.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
    sourceHash = h.digest('hex');
  }
  const { dataDir: _perProcess, ...config } = testConfig();
  return createHash('sha256').update(JSON.stringify({ sourceHash, dialect, seed, start, config })).digest('hex').slice(0, 24);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- SQLite ------------------------------------------------------------------------------------------------------

interface SqliteSnapshot {
  image: Buffer;
  demo: DemoResult;
}

const sqliteSnapshots = new Map<string, Promise<SqliteSnapshot>>();
const CACHE_PREFIX = 'kinetic-demo-';
const OTHER_SNAPSHOTS_KEPT = 2;

async function openSqliteCopy(key: string, seed: number, start: string) {
  let snap = sqliteSnapshots.get(key);
  if (!snap) {
    snap = sqliteSnapshot(key, seed, start);
    sqliteSnapshots.set(key, snap);
    snap.catch(() => sqliteSnapshots.delete(key));
  }
  const { image, demo } = await snap;
  const db = await openDatabase({ kind: 'sqlite', file: ':memory:', image });
  return { db, demo: structuredClone(demo), cleanup: () => db.close() };
}

/** The cached snapshot (a file: the result as one JSON line, then the database's bytes), made first if missing. */
async function sqliteSnapshot(key: string, seed: number, start: string): Promise<SqliteSnapshot> {
  const file = path.join(os.tmpdir(), `${CACHE_PREFIX}${key}.sqlite`);
  const lock = `${file}.lock`;
  for (;;) {
    const cached = readSnapshotFile(file);
    if (cached) return cached;
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Another process is making it: wait, unless it died or gave up long ago.
      if (staleLock(lock)) rmQuiet(lock);
      else await sleep(500);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      const snap = await buildSqliteSnapshot(seed, start);
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(snap.demo)}\n`), snap.image]));
      renameSync(tmp, file);
      removeOldCacheFiles(file);
      return snap;
    } finally {
      rmQuiet(lock);
    }
  }
}

function readSnapshotFile(file: string): SqliteSnapshot | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) return null;
  try {
    return { demo: JSON.parse(bytes.subarray(0, nl).toString('utf8')) as DemoResult, image: bytes.subarray(nl + 1) };
  } catch {
    return null;
  }
}

async function buildSqliteSnapshot(seed: number, start: string): Promise<SqliteSnapshot> {
  // Loaded into a private file (its bytes are what better-sqlite3's serialize() would give), then read back.
  const file = path.join(os.tmpdir(), `${CACHE_PREFIX}build-${process.pid}-${randomBytes(4).toString('hex')}.db`);
  try {
    const db = await openDatabase({ kind: 'sqlite', file });
    try {
      await migrateToLatest(db);
      const demo = await loadDemo(demoCtx(db, start), { seed });
      // Back to a rollback journal, so the file is the whole database and opens in memory.
      await sql`pragma journal_mode = delete`.execute(db.kysely);
      await db.close();
      return { demo, image: readFileSync(file) };
    } catch (err) {
      await db.close().catch(() => undefined);
      throw err;
    }
  } finally {
    for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmQuiet(f);
  }
}

function staleLock(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > 30 * 60_000) return true;
    const pid = Number(readFileSync(lock, 'utf8'));
    if (!pid) return Date.now() - statSync(lock).mtimeMs > 10_000; // still being written
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Snapshots of other keys (older sources) but the two newest, and any unused for an hour; builds of processes long gone. */
function removeOldCacheFiles(keep: string): void {
  const dir = path.dirname(keep);
  const others: Array<{ full: string; mtime: number; atime: number }> = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (!name.startsWith(CACHE_PREFIX) || full === keep || name.endsWith('.lock')) continue;
    try {
      const st = statSync(full);
      others.push({ full, mtime: st.mtimeMs, atime: st.atimeMs });
    } catch {
      // gone already
    }
  }
  const hour = 60 * 60_000;
  const snapshots = others.filter((f) => f.full.endsWith('.sqlite')).sort((a, b) => b.mtime - a.mtime);
  const kept = new Set(snapshots.slice(0, OTHER_SNAPSHOTS_KEPT).filter((f) => Date.now() - Math.max(f.mtime, f.atime) < hour));
  // Partial files (.tmp, build-*.db) are left an hour: their process may still be writing them.
  for (const f of others) if (!kept.has(f) && (f.full.endsWith('.sqlite') || Date.now() - f.mtime > hour)) rmQuiet(f.full);
}

function rmQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // not there
  }
}

// ---- PostgreSQL --------------------------------------------------------------------------------------------------

/** Template schemas are kt_demo_<key>; advisory locks on (LOCK_CLASS, hash of the schema name) guard them. */
const TEMPLATE_PREFIX = 'kt_demo_';
const LOCK_CLASS = 0x4b54444d; // 'KTDM'
/** Templates of other keys kept (the newest, while younger than TEMPLATE_MAX_AGE_MS); see dropOldTemplates. */
const OTHER_TEMPLATES_KEPT = 2;
const TEMPLATE_MAX_AGE_MS = 30 * 60_000;
// Each copy's own migration run has filled these (see src/db/migrate.ts).
const MIGRATION_TABLES = new Set(['kinetic_migrations', 'kinetic_migrations_lock']);

const lockId = (schema: string) => createHash('sha256').update(schema).digest().readInt32BE(0);
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

interface TemplateMark {
  demo: DemoResult;
  createdAt: string;
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function templateMark(c: pg.Client, schema: string): Promise<TemplateMark | null> {
  const r = await c.query<{ mark: string | null }>(`select obj_description(oid, 'pg_namespace') as mark from pg_namespace where nspname = $1`, [schema]);
  const mark = r.rows[0]?.mark;
  if (!mark) return null;
  try {
    return JSON.parse(mark) as TemplateMark;
  } catch {
    return null;
  }
}

async function openPostgresCopy(key: string, seed: number, start: string) {
  const template = `${TEMPLATE_PREFIX}${key}`;
  const opened = await openTestDb('postgres');
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      await ensureTemplate(template, seed, start);
      const demo = await copyTemplate(template, opened.db.schema!);
      if (demo) return { ...opened, demo };
      // Dropped between being made and being copied (another source's run cleaning up): make it again.
    }
    throw new Error(`demo template ${template} kept disappearing`);
  } catch (err) {
    await opened.cleanup();
    throw err;
  }
}

/** Makes the template schema unless it is there and complete; one process at a time per template. */
async function ensureTemplate(template: string, seed: number, start: string): Promise<void> {
  await withClient(async (c) => {
    if (await templateMark(c, template)) return;
    await c.query('select pg_advisory_lock($1, $2)', [LOCK_CLASS, lockId(template)]);
    try {
      if (await templateMark(c, template)) return;
      await c.query(`drop schema if exists ${ident(template)} cascade`); // a build that died half-way
      const db = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema: template, poolSize: 5 });
      let demo: DemoResult;
      try {
        await migrateToLatest(db);
        demo = await loadDemo(demoCtx(db, start), { seed });
      } finally {
        await db.close();
      }
      const mark: TemplateMark = { demo, createdAt: new Date().toISOString() };
      await c.query(`comment on schema ${ident(template)} is ${literal(JSON.stringify(mark))}`);
      await dropOldTemplates(c, template);
    } catch (err) {
      await c.query(`drop schema if exists ${ident(template)} cascade`).catch(() => undefined);
      throw err;
    } finally {
      await c.query('select pg_advisory_unlock($1, $2)', [LOCK_CLASS, lockId(template)]);
    }
  });
}

/**
 * Templates of other keys (older sources): the two newest stay a while (a process started before the source
 * changed may still want its own), the rest go unless someone is copying or building them right now.
 */
async function dropOldTemplates(c: pg.Client, keep: string): Promise<void> {
  const r = await c.query<{ name: string }>(`select nspname as name from pg_namespace where nspname like $1 and nspname <> $2`, [`${TEMPLATE_PREFIX.replace(/_/g, '\\_')}%`, keep]);
  const others = await Promise.all(r.rows.map(async ({ name }) => ({ name, createdAt: Date.parse((await templateMark(c, name))?.createdAt ?? '') || 0 })));
  others.sort((a, b) => b.createdAt - a.createdAt);
  for (const [i, { name, createdAt }] of others.entries()) {
    if (i < OTHER_TEMPLATES_KEPT && Date.now() - createdAt < TEMPLATE_MAX_AGE_MS) continue;
    const got = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [LOCK_CLASS, lockId(name)]);
    if (!got.rows[0].ok) continue;
    try {
      await c.query(`drop schema if exists ${ident(name)} cascade`);
    } finally {
      await c.query('select pg_advisory_unlock($1, $2)', [LOCK_CLASS, lockId(name)]);
    }
  }
}

/**
 * Copies the template's rows (parents before children) and sequence positions into `target`, a freshly
 * migrated schema, in one transaction holding a shared lock on the template. Null when the template is gone.
 */
async function copyTemplate(template: string, target: string): Promise<DemoResult | null> {
  return withClient(async (c) => {
    await c.query('begin');
    try {
      await c.query('select pg_advisory_xact_lock_shared($1, $2)', [LOCK_CLASS, lockId(template)]);
      const mark = await templateMark(c, template);
      if (!mark) {
        await c.query('rollback');
        return null;
      }
      const tables = await c.query<{ name: string; columns: string[] }>(
        `select c.relname as name, array_agg(a.attname::text order by a.attnum) as columns
           from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
          where n.nspname = $1 and c.relkind in ('r', 'p')
          group by c.relname`,
        [template],
      );
      const fks = await c.query<{ child: string; parent: string }>(
        `select ch.relname as child, pa.relname as parent
           from pg_constraint k
           join pg_class ch on ch.oid = k.conrelid
           join pg_class pa on pa.oid = k.confrelid
           join pg_namespace n on n.oid = ch.relnamespace
          where k.contype = 'f' and n.nspname = $1 and ch.oid <> pa.oid`,
        [template],
      );
      const sequences = await c.query<{ name: string }>(`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind = 'S'`, [template]);
      const columns = new Map(tables.rows.filter((t) => !MIGRATION_TABLES.has(t.name)).map((t) => [t.name, t.columns]));
      const statements: string[] = [];
      for (const table of parentsFirst([...columns.keys()], fks.rows)) {
        const cols = columns.get(table)!.map(ident).join(', ');
        statements.push(`insert into ${ident(target)}.${ident(table)} (${cols}) select ${cols} from ${ident(template)}.${ident(table)}`);
      }
      for (const { name } of sequences.rows) {
        statements.push(`select setval(${literal(`${ident(target)}.${ident(name)}`)}, last_value, is_called) from ${ident(template)}.${ident(name)}`);
      }
      await c.query(statements.join(';\n'));
      await c.query('commit');
      return structuredClone(mark.demo);
    } catch (err) {
      await c.query('rollback').catch(() => undefined);
      throw err;
    }
  });
}

/** Tables ordered so each comes after the tables its foreign keys point to (self-references are fine in one insert). */
function parentsFirst(tables: string[], fks: Array<{ child: string; parent: string }>): string[] {
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of fks) parents.get(child)?.add(parent);
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: string) => {
    if (state.get(t) === 'done') return;
    if (state.get(t) === 'visiting') throw new Error(`foreign keys form a cycle through ${t}: the demo template cannot be copied table by table`);
    state.set(t, 'visiting');
    for (const p of [...(parents.get(t) ?? [])].sort()) if (parents.has(p)) visit(p);
    state.set(t, 'done');
    out.push(t);
  };
  for (const t of [...tables].sort()) visit(t);
  return out;
}
