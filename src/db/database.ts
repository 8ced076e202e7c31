import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type SqliteDialectConfig, type DatabaseIntrospector, type DatabaseMetadata, type SchemaMetadata, type TableMetadata, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

export type Dialect = 'sqlite' | 'postgres';
/**
 * SQLite `image`: open an in-memory database holding a copy of this serialized database (a database file's bytes,
 * or better-sqlite3's serialize()) instead of `file` (tests copy one loaded database this way).
 */
export type DatabaseTarget = { kind: 'sqlite'; file: string; image?: Buffer } | { kind: 'postgres'; url: string };

/** Anything that can run queries: the root handle or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** The one database handle the whole application talks to, whatever the dialect. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** PostgreSQL: the schema this handle works in (current_schema()); undefined on SQLite. */
  readonly schema?: string;
  /** Runs fn in one transaction: all its writes commit together or not at all. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (created if missing). Tests isolate themselves with it. */
  schema?: string;
  /** PostgreSQL only: pool size. */
  poolSize?: number;
}

// pg returns timestamptz as Date and int8/numeric as strings; the domain wants
// ISO strings and numbers on both dialects.
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 1184 || oid === 1114) return (v: string) => new Date(oid === 1114 ? `${v}Z` : v).toISOString();
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    if (oid === 1082) return (v: string) => v;
    return (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format);
  },
};

/** Prepared statements kept per connection, by SQL text (least recently used dropped first). */
const statementCacheSize = 500;

/**
 * better-sqlite3 compiles a statement on every prepare(), and Kysely prepares
 * every query it runs; the application repeats a few hundred shapes, so the
 * compiled statements are kept and reused. Safe on the one connection Kysely
 * serialises all queries over (a streamed query holds it until the stream
 * ends, so a cached statement is never run twice at once), and SQLite
 * recompiles a kept statement itself when the schema changes.
 */
function cachingStatements(raw: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => {
      cache.clear();
      raw.close();
    },
    prepare: (text: string) => {
      let stmt = cache.get(text);
      if (stmt) {
        cache.delete(text);
      } else {
        stmt = raw.prepare(text);
        if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value as string);
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

/**
 * Wake on commit. A transaction that enrols, resumes or queues work marks
 * itself (wakeWorkersOnCommit); when it commits, the workers of this process
 * that subscribed (onWorkCommitted) start at once, and on PostgreSQL one
 * NOTIFY per transaction, sent just before the commit (delivered with it),
 * wakes the other processes. A rolled-back transaction wakes nobody. Polling
 * stays as the safety net.
 */
interface WorkSignal {
  readonly listeners: Set<() => void>;
  /** NOTIFY payload of this handle, so its own listener can ignore the echo of a wake it already had in-process. */
  readonly token: string;
  readonly dialect: Dialect;
}

/** The root handle or an open transaction → the signal of the Db it belongs to. */
const signals = new WeakMap<object, WorkSignal>();
/** Open transactions (opened by Db.transaction) → whether their commit must also wake other processes. */
const pendingWake = new WeakMap<object, { remote: boolean }>();
const openTransactions = new WeakSet<object>();

export const WAKE_CHANNEL = 'kinetic_due';

function emitWork(sig: WorkSignal): void {
  for (const fn of sig.listeners) {
    queueMicrotask(() => {
      try {
        fn();
      } catch {
        // a listener's failure is its own (polling catches up)
      }
    });
  }
}

/** Runs fn each time work committed through this handle (in this process). Returns the unsubscribe. */
export function onWorkCommitted(db: Db, fn: () => void): () => void {
  const sig = signals.get(db.kysely);
  if (!sig) return () => undefined;
  sig.listeners.add(fn);
  return () => void sig.listeners.delete(fn);
}

/** The NOTIFY payload this handle sends (its listener skips it: the wake already came in-process). */
export function wakeToken(db: Db): string | undefined {
  return signals.get(db.kysely)?.token;
}

/**
 * Asks for the workers to be woken when `ex`'s transaction commits (at once
 * when `ex` is the root handle: that statement has committed).
 * remote 'always': other processes too (new enrolments: any worker may take
 * them); 'if-no-local-worker': only when no worker of this process listens
 * (a queued message: this process's own worker sends it right away).
 */
export async function wakeWorkersOnCommit(ex: Executor, opts: { remote: 'always' | 'if-no-local-worker' }): Promise<void> {
  const sig = signals.get(ex);
  const postgres = ex.getExecutor().adapter instanceof PostgresAdapter;
  if (!sig) {
    // A handle not opened by openDatabase: no in-process signal, only the NOTIFY (sent with the commit).
    if (postgres) await sql`select pg_notify(${WAKE_CHANNEL}, '')`.execute(ex);
    return;
  }
  const remote = opts.remote === 'always' || sig.listeners.size === 0;
  if (openTransactions.has(ex)) {
    const p = pendingWake.get(ex);
    if (p) p.remote ||= remote;
    else pendingWake.set(ex, { remote });
    return;
  }
  if (remote && postgres) await sql`select pg_notify(${WAKE_CHANNEL}, ${sig.token})`.execute(ex);
  emitWork(sig);
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Db> {
  let kysely: Kysely<Database>;
  let dialect: Dialect;
  let schema: string | undefined;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:' && !target.image) mkdirSync(path.dirname(target.file), { recursive: true });
    const raw = new SqliteDatabase(target.image ?? target.file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(raw) }) });
    dialect = 'sqlite';
  } else {
    if (options.schema) {
      const admin = new pg.Client({ connectionString: target.url });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: target.url,
      max: options.poolSize ?? 10,
      types: pgTypes,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    kysely = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool }) });
    dialect = 'postgres';
    const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(kysely);
    schema = current.rows[0]?.schema ?? 'public';
  }
  const sig: WorkSignal = { listeners: new Set(), token: randomBytes(8).toString('hex'), dialect };
  signals.set(kysely, sig);
  return {
    kysely,
    dialect,
    schema,
    transaction: async (fn) => {
      let opened: object | null = null;
      const result = await kysely.transaction().execute(async (trx) => {
        opened = trx;
        signals.set(trx, sig);
        openTransactions.add(trx);
        const r = await fn(trx);
        if (pendingWake.get(trx)?.remote && dialect === 'postgres') await sql`select pg_notify(${WAKE_CHANNEL}, ${sig.token})`.execute(trx);
        return r;
      });
      if (opened && pendingWake.has(opened)) emitWork(sig);
      return result;
    },
    close: () => {
      sig.listeners.clear();
      return kysely.destroy();
    },
  };
}

/**
 * Kysely's stock PostgreSQL introspector (used by the Migrator to find its own
 * tables) reads every schema in the database and calls name-based catalog
 * functions on each, so it fails with "schema … does not exist" when another
 * process drops a schema mid-query, and it slows down as a database fills with
 * schemas. Kinetic only ever introspects its own schema, so this one looks there
 * alone, joining catalogs by oid.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace where nspname = current_schema()`.execute(this.db);
    return r.rows.map((row) => ({ name: row.name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const r = await sql<{ schema: string; table: string; kind: string; column: string | null; type: string | null; not_null: boolean | null; has_default: boolean | null }>`
      select ns.nspname as schema, c.relname as table, c.relkind as kind, a.attname as column,
             t.typname as type, a.attnotnull as not_null, a.atthasdef as has_default
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
        left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        left join pg_catalog.pg_type t on t.oid = a.atttypid
       where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
       order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, TableMetadata>();
    for (const row of r.rows) {
      let table = tables.get(row.table);
      if (!table) {
        table = { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] };
        tables.set(row.table, table);
      }
      if (row.column) {
        table.columns.push({ name: row.column, dataType: row.type ?? 'unknown', isNullable: !row.not_null, hasDefaultValue: Boolean(row.has_default), isAutoIncrementing: false });
      }
    }
    return [...tables.values()];
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class SchemaScopedPostgresDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

/** Drops a PostgreSQL schema (test clean-up). */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await admin.end();
  }
}

export { sql };

/** Case-insensitive "column contains text" on both dialects, with no LIKE wildcards to escape. */
export function containsText(dialect: Dialect, column: string, needle: string) {
  const col = sql.ref(column);
  const n = needle.toLowerCase();
  return dialect === 'postgres' ? sql<boolean>`strpos(lower(${col}), ${n}) > 0` : sql<boolean>`instr(lower(${col}), ${n}) > 0`;
}
