/**
 * CSV contact import throughput: a generated 100k-row contacts file (streamed
 * to a temp dir), imported into a fresh SQLite file database and a fresh
 * PostgreSQL schema. Prints rows/s; never passes or fails on time.
 *
 *   node --import tsx bench/csv-import.ts            (BENCH_CSV_ROWS=1000000 for the 1M-row run)
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { silentLogger, type AppContext, type Scope } from '../src/context.ts';
import { loadConfig } from '../src/config.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import { importCsv, type ImportReport } from '../src/crm/csv/import.ts';
import type { Dialect } from '../src/db/database.ts';
import { systemClock } from '../src/lib/clock.ts';
import { benchDb, fmt, rawSqliteBenchDb } from './util.ts';

const ROWS = Number(process.env.BENCH_CSV_ROWS ?? 100_000);
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];

// A regional HVAC/plumbing customer list: a handful of metro area codes, real zip codes, some repeat customers.
const areas = [
  { codes: ['512', '737'], state: 'TX', city: 'Austin', zips: ['78701', '78704', '78745', '78758'] },
  { codes: ['210', '726'], state: 'TX', city: 'San Antonio', zips: ['78205', '78209', '78230'] },
  { codes: ['214', '469', '972'], state: 'TX', city: 'Dallas', zips: ['75201', '75204', '75230'] },
  { codes: ['713', '281', '832'], state: 'TX', city: 'Houston', zips: ['77002', '77007', '77024'] },
  { codes: ['405'], state: 'OK', city: 'Oklahoma City', zips: ['73102', '73112'] },
];
const firstNames = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'Maria', 'Jose', 'Dana', 'Sam', 'Chris', 'Alex'];
const lastNames = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Reyes', 'Nguyen', 'Lee', 'Walker'];
const streets = ['Main St', 'Oak Ave', 'Cedar Ln', 'Elm St', 'Lamar Blvd', 'Congress Ave', 'Burnet Rd', 'Pecan St'];
const sources = ['google_ads', 'referral', 'website', 'facebook', 'yard_sign', ''];
const stages = ['customer', 'customer', 'lead', 'dormant'];
const tagSets = ['', 'vip', 'furnace; maintenance plan', 'ac', 'water heater|warranty', ''];

/** Deterministic generator (mulberry32): the same file every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the CSV with backpressure; ~2% of rows repeat an earlier customer's phone, ~0.5% have a bad phone. */
export async function writeContactsCsv(file: string, rows: number): Promise<void> {
  const rnd = random(42);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const out = createWriteStream(file);
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  out.write('First Name,Last Name,Mobile,Email,Street Address,City,State,Zip,Lead Source,Status,Tags,custom.equipment\n');
  const earlier: string[] = [];
  for (let i = 0; i < rows; i++) {
    const area = pick(areas);
    const first = pick(firstNames);
    const last = pick(lastNames);
    let phone = `(${pick(area.codes)}) ${200 + Math.floor(rnd() * 800)}-${String(Math.floor(rnd() * 10_000)).padStart(4, '0')}`;
    const r = rnd();
    if (r < 0.02 && earlier.length) phone = pick(earlier);
    else if (r < 0.025) phone = '555-01';
    else if (earlier.length < 5_000) earlier.push(phone);
    const email = rnd() < 0.7 ? `${first}.${last}${i}@example.com`.toLowerCase() : '';
    const line = [first, last, phone, email, `${100 + Math.floor(rnd() * 9900)} ${pick(streets)}`, area.city, area.state, pick(area.zips), pick(sources), pick(stages), pick(tagSets), rnd() < 0.3 ? 'Carrier 2019' : '']
      .map(q)
      .join(',');
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

interface Run {
  report: ImportReport;
  cpuMs: number;
  /** Highest resident set size seen between batches, in MB. */
  peakRssMb: number;
  /** SQLite only: the same rows inserted with raw prepared statements (no parsing, validation or dedupe). */
  floorRowsPerSecond?: number;
}

/** Imports the file into a fresh database (and on SQLite measures the floor on the same rows). */
async function run(dialect: Dialect, file: string): Promise<Run> {
  const { db, cleanup } = await benchDb(dialect);
  try {
    const ctx: AppContext = { config: loadConfig({ KINETIC_DEMO: '0' }), db, clock: systemClock, log: silentLogger };
    const business = await createBusiness(ctx, { name: `CSV bench ${dialect}`, timeZone: 'America/Chicago' });
    const scope: Scope = { businessId: business.id, actor: { type: 'cli', id: null } };
    const cpu = process.cpuUsage();
    let peakRss = process.memoryUsage().rss;
    const report = await importCsv(ctx, scope, { entity: 'contacts', input: createReadStream(file), onProgress: () => void (peakRss = Math.max(peakRss, process.memoryUsage().rss)) });
    const used = process.cpuUsage(cpu);
    const result: Run = { report, cpuMs: (used.user + used.system) / 1000, peakRssMb: peakRss / 1e6 };
    if (dialect === 'sqlite') result.floorRowsPerSecond = await sqliteFloor(ctx);
    return result;
  } finally {
    await cleanup();
  }
}

/**
 * What SQLite alone costs for the imported rows on this machine: the first
 * 100k contacts with their identity and tag rows, re-inserted into a fresh
 * file database (same schema and pragmas) with cached prepared statements,
 * 5,000 contacts per transaction (the importer's batch). The importer cannot
 * beat this number.
 */
async function sqliteFloor(ctx: AppContext): Promise<number> {
  const contacts = await ctx.db.kysely.selectFrom('contacts').selectAll().orderBy('id').limit(100_000).execute();
  const last = contacts[contacts.length - 1]?.id ?? '';
  const identities = await ctx.db.kysely.selectFrom('contact_identities').selectAll().where('contact_id', '<=', last).execute();
  const tags = await ctx.db.kysely.selectFrom('contact_tags').selectAll().where('contact_id', '<=', last).execute();
  const businesses = await ctx.db.kysely.selectFrom('businesses').selectAll().execute();
  const { raw, close } = await rawSqliteBenchDb();
  try {
    // Positional parameters, built before the clock starts: only SQLite's own work is timed.
    const insert = (table: string, sample: object) => {
      const cols = Object.keys(sample);
      const stmt = raw.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`);
      return { stmt, params: (row: object) => cols.map((c) => (row as Record<string, unknown>)[c]) };
    };
    const b = insert('businesses', businesses[0]);
    raw.transaction(() => businesses.forEach((row) => b.stmt.run(b.params(row))))();
    const [c, i, t] = [insert('contacts', contacts[0]), identities.length ? insert('contact_identities', identities[0]) : null, tags.length ? insert('contact_tags', tags[0]) : null];
    const byContact = <T extends { contact_id: string }>(rows: T[], into: { params: (row: object) => unknown[] } | null) => {
      const map = new Map<string, unknown[][]>();
      for (const r of rows) {
        let list = map.get(r.contact_id);
        if (!list) map.set(r.contact_id, (list = []));
        list.push(into!.params(r));
      }
      return map;
    };
    const idsOf = byContact(identities, i);
    const tagsOf = byContact(tags, t);
    const contactParams = contacts.map((row) => c.params(row));
    const perTransaction = 5_000; // the importer's default batch
    const started = performance.now();
    for (let start = 0; start < contacts.length; start += perTransaction) {
      raw.transaction(() => {
        for (let k = start; k < Math.min(contacts.length, start + perTransaction); k++) {
          c.stmt.run(contactParams[k]);
          for (const params of idsOf.get(contacts[k].id) ?? []) i!.stmt.run(params);
          for (const params of tagsOf.get(contacts[k].id) ?? []) t!.stmt.run(params);
        }
      })();
    }
    return Math.round((contacts.length * 1000) / (performance.now() - started));
  } finally {
    await close();
  }
}

export async function benchCsvImport(): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-csv-bench-'));
  const lines: string[] = [];
  try {
    const file = path.join(dir, 'contacts.csv');
    await writeContactsCsv(file, ROWS);
    lines.push(`csv import: ${fmt(ROWS, 0)} contact rows, ${fmt(statSync(file).size / 1e6)} MB`);
    // PostgreSQL first: the SQLite run ends by loading 100k rows for its floor measurement, which would inflate the next run's RSS.
    for (const dialect of [...DIALECTS].sort((a, b) => (a === 'postgres' ? -1 : b === 'postgres' ? 1 : 0))) {
      const { report: r, cpuMs, peakRssMb, floorRowsPerSecond } = await run(dialect, file);
      lines.push(
        `  ${dialect.padEnd(8)} ${fmt(r.rowsPerSecond, 0).padStart(7)} rows/s  (${fmt(r.durationMs / 1000, 2)} s, ${fmt(cpuMs / 1000, 2)} CPU-s in this process, peak RSS ${fmt(peakRssMb, 0)} MB; ${fmt(r.created, 0)} created, ${fmt(r.merged, 0)} merged, ${fmt(r.rejected, 0)} rejected)`,
      );
      if (floorRowsPerSecond) lines.push(`           ${fmt(floorRowsPerSecond, 0).padStart(7)} rows/s  SQLite alone: the same contact/identity/tag rows through cached prepared statements`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchCsvImport()) console.log(line);
}
