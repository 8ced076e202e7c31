import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { dropSchema, openDatabase, sql, type Db, type Dialect } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

export const PG_URL = process.env.KINETIC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, migrated database for one benchmark: a temp SQLite file or a private PostgreSQL schema. */
export async function benchDb(dialect: Dialect): Promise<{ db: Db; cleanup: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-bench-'));
    const db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'bench.db') });
    await migrateToLatest(db);
    return { db, cleanup: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const schema = `kb_${process.pid}_${randomBytes(3).toString('hex')}`;
  const db = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema, poolSize: 8 });
  await migrateToLatest(db);
  return { db, cleanup: async () => { await db.close(); await dropSchema(PG_URL, schema); } };
}

/**
 * A fresh, migrated SQLite file opened with better-sqlite3 directly and Kinetic's pragmas: the same schema with nothing of
 * Kinetic's in the way, for measuring SQLite's own insert limit. `close` closes it and removes the file.
 */
export async function rawSqliteBenchDb(): Promise<{ raw: SqliteDatabase.Database; close: () => Promise<void> }> {
  const { db, cleanup } = await benchDb('sqlite');
  const file = (await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(db.kysely)).rows[0].file;
  await db.close();
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  return {
    raw,
    close: async () => {
      raw.close();
      await cleanup();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

export const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });
