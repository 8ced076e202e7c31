/**
 * Import throughput against what the database alone can do, and the API's
 * latency while an import runs as a background job.
 *
 * For each database: (1) a generated contacts file imported through the
 * importer (parse, validate, dedupe, write) → rows/s; (2) the raw limit: the
 * very rows that import wrote (contacts, identities, tags) inserted again into
 * a fresh database with plain multi-row INSERTs in transactions of 5,000
 * contacts (the importer's batch), parameters built before the clock starts
 * → rows/s, and the ratio; (3) the same file uploaded to POST /imports on a
 * listening server with the worker's import loop, while a client asks
 * GET /health every 20 ms: /health p50/p99/max during the job, the job's
 * rows/s and the process's peak RSS. Prints numbers; never passes or fails.
 *
 *   node --import tsx bench/import-jobs.ts   (BENCH_IMPORT_ROWS=1000000 for the 1M-row run; BENCH_DIALECTS=sqlite)
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { buildServer } from '../src/api/server.ts';
import { createApiKey } from '../src/access/auth.ts';
import { createUser } from '../src/access/users.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger, type AppContext, type Scope } from '../src/context.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import { importCsv } from '../src/crm/csv/import.ts';
import type { Dialect } from '../src/db/database.ts';
import { installEngine } from '../src/engine/index.ts';
import { systemClock } from '../src/lib/clock.ts';
import { startImportLoop } from '../src/worker/imports.ts';
import { writeContactsCsv } from './csv-import.ts';
import { benchDb, fmt, percentile, PG_URL, rawSqliteBenchDb } from './util.ts';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];
const perTransaction = 5_000;

type Row = Record<string, unknown>;

async function world(dialect: Dialect, dataDir: string) {
  const { db, cleanup } = await benchDb(dialect);
  const ctx: AppContext = { config: { ...loadConfig({ KINETIC_DEMO: '0' }), dataDir, secret: 'bench-secret-0123456789abcdef0123456789abcdef', logLevel: 'silent' }, db, clock: systemClock, log: silentLogger };
  const business = await createBusiness(ctx, { name: `Import bench ${dialect}`, timeZone: 'America/Chicago' });
  const scope: Scope = { businessId: business.id, actor: { type: 'cli', id: null } };
  return { ctx, scope, cleanup };
}

/** The rows an import wrote, by table, to insert again for the raw limit. */
async function writtenRows(ctx: AppContext): Promise<Record<'businesses' | 'contacts' | 'contact_identities' | 'contact_tags', Row[]>> {
  const k = ctx.db.kysely;
  return {
    businesses: await k.selectFrom('businesses').selectAll().execute(),
    contacts: await k.selectFrom('contacts').selectAll().orderBy('id').execute(),
    contact_identities: await k.selectFrom('contact_identities').selectAll().execute(),
    contact_tags: await k.selectFrom('contact_tags').selectAll().execute(),
  };
}

/** Per batch of 5,000 contacts, the rows of each table that belong to them. */
function batches(rows: Awaited<ReturnType<typeof writtenRows>>): Array<Record<'contacts' | 'contact_identities' | 'contact_tags', Row[]>> {
  const byContact = (list: Row[]) => {
    const m = new Map<string, Row[]>();
    for (const r of list) {
      const id = r.contact_id as string;
      const l = m.get(id);
      if (l) l.push(r);
      else m.set(id, [r]);
    }
    return m;
  };
  const ids = byContact(rows.contact_identities);
  const tags = byContact(rows.contact_tags);
  const out = [];
  for (let start = 0; start < rows.contacts.length; start += perTransaction) {
    const contacts = rows.contacts.slice(start, start + perTransaction);
    out.push({ contacts, contact_identities: contacts.flatMap((c) => ids.get(c.id as string) ?? []), contact_tags: contacts.flatMap((c) => tags.get(c.id as string) ?? []) });
  }
  return out;
}

/** SQLite's limit: multi-row INSERTs of 100 rows through prepared statements, on a fresh file database with the same schema and pragmas. */
async function sqliteRawLimit(rows: Awaited<ReturnType<typeof writtenRows>>): Promise<number> {
  const { raw, close } = await rawSqliteBenchDb();
  try {
    const perStatement = 100;
    const statements = new Map<string, SqliteDatabase.Statement>();
    const plan = (table: string, list: Row[]) => {
      if (list.length === 0) return [];
      const cols = Object.keys(list[0]);
      const work: Array<{ stmt: SqliteDatabase.Statement; params: unknown[] }> = [];
      for (let i = 0; i < list.length; i += perStatement) {
        const chunk = list.slice(i, i + perStatement);
        const key = `${table}:${chunk.length}`;
        let stmt = statements.get(key);
        if (!stmt) {
          stmt = raw.prepare(`insert into ${table} (${cols.join(', ')}) values ${new Array(chunk.length).fill(`(${cols.map(() => '?').join(', ')})`).join(', ')}`);
          statements.set(key, stmt);
        }
        work.push({ stmt, params: chunk.flatMap((r) => cols.map((c) => r[c] ?? null)) });
      }
      return work;
    };
    for (const w of plan('businesses', rows.businesses)) w.stmt.run(w.params);
    const work = batches(rows).map((b) => [...plan('contacts', b.contacts), ...plan('contact_identities', b.contact_identities), ...plan('contact_tags', b.contact_tags)]);
    const started = performance.now();
    for (const batch of work) raw.transaction(() => batch.forEach((w) => w.stmt.run(w.params)))();
    return Math.round((rows.contacts.length * 1000) / (performance.now() - started));
  } finally {
    await close();
  }
}

/** PostgreSQL's limit: multi-row INSERT … VALUES with bound parameters (as many rows per statement as 65,535 parameters allow, at most 1,000), one pg client. */
async function postgresRawLimit(rows: Awaited<ReturnType<typeof writtenRows>>): Promise<number> {
  const { db, cleanup } = await benchDb('postgres');
  const schema = db.schema!;
  await db.close();
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const plan = (table: string, list: Row[]) => {
      if (list.length === 0) return [];
      const cols = Object.keys(list[0]);
      const perStatement = Math.min(1_000, Math.floor(65_535 / cols.length));
      const work: Array<{ text: string; values: unknown[] }> = [];
      for (let i = 0; i < list.length; i += perStatement) {
        const chunk = list.slice(i, i + perStatement);
        let p = 0;
        const tuples = chunk.map(() => `(${cols.map(() => `$${++p}`).join(', ')})`).join(', ');
        work.push({ text: `insert into ${table} (${cols.map((c) => `"${c}"`).join(', ')}) values ${tuples}`, values: chunk.flatMap((r) => cols.map((c) => r[c] ?? null)) });
      }
      return work;
    };
    for (const w of plan('businesses', rows.businesses)) await client.query(w.text, w.values);
    const work = batches(rows).map((b) => [...plan('contacts', b.contacts), ...plan('contact_identities', b.contact_identities), ...plan('contact_tags', b.contact_tags)]);
    const started = performance.now();
    for (const batch of work) {
      await client.query('begin');
      for (const w of batch) await client.query(w.text, w.values);
      await client.query('commit');
    }
    return Math.round((rows.contacts.length * 1000) / (performance.now() - started));
  } finally {
    await client.end();
    await cleanup();
  }
}

/** The file through POST /imports and the worker's loop, with GET /health every 20 ms alongside. */
async function asJob(dialect: Dialect, file: string, dataDir: string) {
  const { ctx, scope, cleanup } = await world(dialect, dataDir);
  const app = await buildServer(ctx);
  try {
    await createUser(ctx, scope, { email: 'owner@bench.example', name: 'Owner', role: 'owner', password: 'bench password 123' });
    const { key } = await createApiKey(ctx, scope, { name: 'bench' });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const auth = { authorization: `Bearer ${key}` };
    const loop = startImportLoop(ctx, process.env.BENCH_JOB_BATCH ? { batchSize: Number(process.env.BENCH_JOB_BATCH) } : {});
    let peakRss = process.memoryUsage().rss;
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const accepted = await fetch(`${base}/imports?entity=contacts`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: createReadStream(file) as unknown as ReadableStream, duplex: 'half' } as RequestInit);
    if (accepted.status !== 202) throw new Error(`upload: ${accepted.status} ${await accepted.text()}`);
    const id = ((await accepted.json()) as { id: string }).id;
    const latencies: number[] = [];
    let status = 'queued';
    let job: { status: string; report: { rowsPerSecond: number; durationMs: number } | null; rowsDone: number } | null = null;
    for (let i = 0; status === 'queued' || status === 'running'; i++) {
      const t = performance.now();
      const health = await fetch(`${base}/health`);
      await health.arrayBuffer();
      latencies.push(performance.now() - t);
      if (i % 25 === 0) {
        job = (await (await fetch(`${base}/imports/${id}`, { headers: auth })).json()) as typeof job;
        status = job!.status;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    clearInterval(rssTimer);
    await loop.stop();
    latencies.sort((a, b) => a - b);
    return { job: job!, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], samples: latencies.length, peakRssMb: peakRss / 1e6 };
  } finally {
    await app.close();
    await cleanup();
  }
}

export async function benchImportJobs(): Promise<string[]> {
  installEngine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-import-bench-'));
  const lines: string[] = [];
  try {
    const file = path.join(dir, 'contacts.csv');
    await writeContactsCsv(file, ROWS);
    lines.push(`import vs raw insert limit: ${fmt(ROWS, 0)} contact rows, ${fmt(statSync(file).size / 1e6)} MB`);
    for (const dialect of DIALECTS) {
      // The job first: its peak RSS is measured before the raw-limit run loads every written row.
      const j = await asJob(dialect, file, dir);
      const { ctx, scope, cleanup } = await world(dialect, dir);
      let importRate: number;
      let raw: number;
      try {
        const report = await importCsv(ctx, scope, { entity: 'contacts', input: createReadStream(file) });
        importRate = report.rowsPerSecond;
        const rows = await writtenRows(ctx);
        raw = dialect === 'sqlite' ? await sqliteRawLimit(rows) : await postgresRawLimit(rows);
      } finally {
        await cleanup();
      }
      lines.push(`  ${dialect.padEnd(8)} import ${fmt(importRate, 0).padStart(7)} rows/s   raw multi-row insert ${fmt(raw, 0).padStart(7)} rows/s   ratio ${fmt((importRate / raw) * 100, 0)}%`);
      lines.push(
        `           as a job: ${j.job.status}, ${fmt(j.job.report?.rowsPerSecond ?? 0, 0)} rows/s; GET /health during it p50 ${fmt(j.p50)} ms, p99 ${fmt(j.p99)} ms, max ${fmt(j.max)} ms (${j.samples} requests); peak RSS ${fmt(j.peakRssMb, 0)} MB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchImportJobs()) console.log(line);
  process.exit(0);
}
