// Manual check (not a test file): a snapshot copy holds exactly the rows a fresh load gives.
// node --import tsx test/helpers/verify-demo-snapshot.ts [sqlite|postgres]
import { sql } from '../../src/db/database.ts';
import { loadDemo } from '../../src/demo/index.ts';
import { silentLogger } from '../../src/context.ts';
import { VirtualClock } from '../../src/lib/clock.ts';
import { installEngine } from '../../src/engine/index.ts';
import { openTestDb, testConfig } from './db.ts';
import { openDemoDb } from './demo-snapshot.ts';

installEngine();
const dialect = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const start = '2026-03-02T15:00:00Z';
let t = performance.now();
const copy = await openDemoDb(dialect, { start });
console.log(`snapshot copy ready in ${Math.round(performance.now() - t)} ms`);
t = performance.now();
const copy2 = await openDemoDb(dialect, { start });
console.log(`second copy in ${Math.round(performance.now() - t)} ms`);
await copy2.cleanup();
const fresh = await openTestDb(dialect);
const demo = await loadDemo({ config: testConfig(), db: fresh.db, clock: new VirtualClock(start), log: silentLogger }, {});
const { loadMs: _a, ...d1 } = demo;
const { loadMs: _b, ...d2 } = copy.demo;
console.log('result equal:', JSON.stringify(d1) === JSON.stringify(d2));
const tables = dialect === 'sqlite'
  ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(fresh.db.kysely)).rows.map((r) => r.name)
  : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() order by 1`.execute(fresh.db.kysely)).rows.map((r) => r.name);
let bad = 0;
for (const table of tables) {
  const q = (db: typeof fresh.db) => sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db.kysely).then((r) => r.rows.map((x) => JSON.stringify(x)));
  const a = await q(fresh.db);
  const b = await q(copy.db);
  const same = JSON.stringify(a) === JSON.stringify(b);
  const sameSorted = JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  if (!same) {
    bad++;
    const sa = new Set(a), sb = new Set(b);
    const onlyA = a.filter((x) => !sb.has(x)).slice(0, 2), onlyB = b.filter((x) => !sa.has(x)).slice(0, 2);
    console.log(`${table}: rows ${a.length}/${b.length} sameSorted=${sameSorted}`, onlyA.map((s) => s.slice(0, 300)), onlyB.map((s) => s.slice(0, 300)));
  }
}
console.log(`${tables.length} tables compared, ${bad} differ`);
await fresh.cleanup();
await copy.cleanup();
