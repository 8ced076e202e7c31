import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openDatabase, sql } from '../../src/db/database.ts';

test('SQLite: a kept prepared statement still runs correctly after the schema changes under it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-stmt-'));
  const db = await openDatabase({ kind: 'sqlite', file: path.join(dir, 'x.db') });
  try {
    await sql`create table t (a integer)`.execute(db.kysely);
    await sql`insert into t (a) values (${1})`.execute(db.kysely);
    const read = () => sql<Record<string, unknown>>`select * from t`.execute(db.kysely);
    assert.deepEqual((await read()).rows, [{ a: 1 }]);
    await sql`alter table t add column b text`.execute(db.kysely);
    await sql`update t set b = ${'x'}`.execute(db.kysely);
    // The same text as before: the kept statement must see the new column.
    assert.deepEqual((await read()).rows, [{ a: 1, b: 'x' }]);
    // A statement that was a writer stays one, and a reader a reader.
    const inserted = await sql`insert into t (a, b) values (${2}, ${'y'})`.execute(db.kysely);
    assert.equal(inserted.numAffectedRows, 1n);
    // Streaming a query holds the connection: another query with the same text waits, it does not collide.
    const seen: number[] = [];
    const other = sql<{ a: number }>`select a from t order by a`.execute(db.kysely);
    for await (const row of db.kysely.selectFrom('t' as never).select(sql<number>`a`.as('a')).orderBy(sql`a`).stream()) seen.push((row as { a: number }).a);
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual((await other).rows.map((r) => r.a), [1, 2]);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
