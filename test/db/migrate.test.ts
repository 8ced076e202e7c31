import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import pg from 'pg';
import { dropSchema, openDatabase, sql } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { PG_URL, runsOn } from '../helpers/db.ts';

const schemaName = (tag: string) => `kx_${tag}_${process.pid}_${randomBytes(3).toString('hex')}`;

describe('migrations [sqlite]', () => {
  test('apply once, then report up to date', async () => {
    const db = await openDatabase({ kind: 'sqlite', file: ':memory:' });
    try {
      const first = await migrateToLatest(db);
      assert.equal(first.applied.length, first.total);
      const again = await migrateToLatest(db);
      assert.deepEqual(again.applied, []);
    } finally {
      await db.close();
    }
  });

  test('a migration numbered below ones already applied (from a parallel branch) is applied, not refused', async () => {
    const db = await openDatabase({ kind: 'sqlite', file: ':memory:' });
    try {
      await migrateToLatest(db);
      // A database that took 0012 and 0013 before 0011 existed.
      await sql`alter table jobs drop column calendar_invite`.execute(db.kysely);
      await sql`delete from kinetic_migrations where name = '0011_booking_calendar'`.execute(db.kysely);
      const late = await migrateToLatest(db);
      assert.deepEqual(late.applied, ['0011_booking_calendar']);
      const columns = await sql<{ name: string }>`select name from pragma_table_info('jobs')`.execute(db.kysely);
      assert.ok(columns.rows.some((c) => c.name === 'calendar_invite'));
    } finally {
      await db.close();
    }
  });
});

if (runsOn('postgres')) describe('migrations [postgres]', () => {
  test('introspection sees its own schema only', async () => {
    const mine = schemaName('m');
    const other = schemaName('o');
    const a = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema: mine, poolSize: 2 });
    const b = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema: other, poolSize: 2 });
    try {
      await migrateToLatest(a);
      await b.kysely.schema.createTable('stranger').addColumn('id', 'integer').execute();
      const tables = await a.kysely.introspection.getTables({ withInternalKyselyTables: true });
      assert.ok(tables.some((t) => t.name === 'contacts' && t.schema === mine));
      assert.ok(tables.some((t) => t.name === 'kinetic_migrations'));
      assert.ok(tables.every((t) => t.schema === mine), 'no table from another schema');
      const contacts = tables.find((t) => t.name === 'contacts');
      assert.ok(contacts?.columns.some((c) => c.name === 'business_id' && !c.isNullable));
      const schemas = await a.kysely.introspection.getSchemas();
      assert.deepEqual(schemas.map((s) => s.name), [mine]);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(PG_URL, mine);
      await dropSchema(PG_URL, other);
    }
  });

  test('migrating succeeds while other processes create and drop schemas', async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    let churning = true;
    let churned = 0;
    const churn = (async () => {
      while (churning) {
        const s = schemaName('c');
        await admin.query(`create schema ${s}`);
        await admin.query(`create table ${s}.t (id serial primary key, note text)`);
        await admin.query(`drop schema ${s} cascade`);
        churned++;
      }
    })();
    const created: string[] = [];
    try {
      for (let i = 0; i < 8; i++) {
        const s = schemaName('r');
        created.push(s);
        const db = await openDatabase({ kind: 'postgres', url: PG_URL }, { schema: s, poolSize: 2 });
        try {
          const report = await migrateToLatest(db);
          assert.equal(report.applied.length, report.total);
          assert.deepEqual((await migrateToLatest(db)).applied, []);
        } finally {
          await db.close();
        }
      }
    } finally {
      churning = false;
      await churn;
      await admin.end();
      for (const s of created) await dropSchema(PG_URL, s);
    }
    assert.ok(churned > 0, 'schemas were dropped while migrating');
  });
});
