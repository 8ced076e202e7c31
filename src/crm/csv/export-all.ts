import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import type { AppContext, Scope } from '../../context.ts';
import { sql } from '../../db/database.ts';
import { AppError } from '../../lib/errors.ts';
import { exportCsv } from './export.ts';
import { neutraliseCell } from './neutralise.ts';

import { exportEntities, exportedTables, type ExportedTable } from './export-tables.ts';

export { exportEntities, exportedTables } from './export-tables.ts';

/** Columns stored as JSON text: parsed in the JSON files, kept as text in the CSVs. */
const jsonColumns = new Set([
  'phones', 'emails', 'custom_fields', 'address', 'definition', 'waiting_for', 'vars', 'detail', 'headers', 'event_types', 'state',
  'channels', 'metrics', 'payload', 'changes', 'data', 'metadata', 'calendar_invite', 'attachments', 'settings', 'business_hours', 'services', 'on_call',
]);

const pageSize = 1_000;
type Row = Record<string, unknown>;

async function write(out: NodeJS.WritableStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

const cellOf = (v: unknown): string => neutraliseCell(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function parsedRow(row: Row, omit: Set<string>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (omit.has(k)) continue;
    if (typeof v === 'string' && jsonColumns.has(k)) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // not JSON after all: kept as text
      }
    }
    out[k] = v;
  }
  return out;
}

/** The columns of a table, in table order (the CSV header, also when the table has no rows). */
async function columnsOf(ctx: AppContext, table: string): Promise<string[]> {
  const tables = await ctx.db.kysely.introspection.getTables();
  return tables.find((t) => t.name === table)?.columns.map((c) => c.name) ?? [];
}

/** A business's rows of one table, page by page (keyset on a unique key, or offset on a composite one). */
async function* rowsOf(ctx: AppContext, scope: Scope, t: ExportedTable): AsyncGenerator<Row[]> {
  const table = sql.table(t.table);
  const order = sql.join(t.key.map((k) => sql.ref(k)));
  if (t.key.length === 1) {
    const key = sql.ref(t.key[0]);
    let after: unknown = null;
    for (;;) {
      const q = after === null
        ? sql<Row>`select * from ${table} where business_id = ${scope.businessId} order by ${order} limit ${pageSize}`
        : sql<Row>`select * from ${table} where business_id = ${scope.businessId} and ${key} > ${after} order by ${order} limit ${pageSize}`;
      const { rows } = await q.execute(ctx.db.kysely);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1][t.key[0]];
      if (rows.length < pageSize) return;
    }
  }
  for (let offset = 0; ; offset += pageSize) {
    const { rows } = await sql<Row>`select * from ${table} where business_id = ${scope.businessId} order by ${order} limit ${pageSize} offset ${offset}`.execute(ctx.db.kysely);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < pageSize) return;
  }
}

/** One entity as JSON (an array of rows) onto a stream; the stream is not ended. */
export async function exportEntityJson(ctx: AppContext, scope: Scope, entity: string, out: NodeJS.WritableStream): Promise<{ rows: number }> {
  const t = tableOf(entity);
  const omit = new Set(t.omit ?? []);
  let rows = 0;
  await write(out, '[');
  for await (const page of rowsOf(ctx, scope, t)) {
    await write(out, page.map((r, i) => `${rows + i === 0 ? '\n' : ',\n'}${JSON.stringify(parsedRow(r, omit))}`).join(''));
    rows += page.length;
  }
  await write(out, rows ? '\n]\n' : ']\n');
  return { rows };
}

/** One entity as CSV onto a stream (contacts, jobs, interactions: the importable export); the stream is not ended. */
export async function exportEntityCsv(ctx: AppContext, scope: Scope, entity: string, out: NodeJS.WritableStream): Promise<{ rows: number }> {
  const t = tableOf(entity);
  if (entity === 'contacts' || entity === 'jobs' || entity === 'interactions') return exportCsv(ctx, scope, entity, out);
  const omit = new Set(t.omit ?? []);
  const columns = (await columnsOf(ctx, t.table)).filter((c) => !omit.has(c));
  await write(out, stringify([columns]));
  let rows = 0;
  for await (const page of rowsOf(ctx, scope, t)) {
    await write(out, stringify(page.map((r) => columns.map((c) => cellOf(r[c])))));
    rows += page.length;
  }
  return { rows };
}

function tableOf(entity: string): ExportedTable {
  const t = exportedTables.find((x) => x.entity === entity);
  if (!t) throw new AppError('BAD_REQUEST', `unknown entity "${entity}": use one of ${exportEntities.join(', ')}`);
  return t;
}

export interface ExportAllReport {
  dir: string;
  businessId: string;
  /** entity → rows written (the same in its CSV and JSON file). */
  counts: Record<string, number>;
  files: string[];
}

async function toFile(file: string, fn: (out: NodeJS.WritableStream) => Promise<{ rows: number }>): Promise<number> {
  const out = createWriteStream(file);
  try {
    const { rows } = await fn(out);
    out.end();
    await finished(out);
    return rows;
  } catch (err) {
    out.destroy();
    throw err;
  }
}

/** Writes `<entity>.csv` and `<entity>.json` for every entity, and manifest.json with the counts, into `dir` (created if missing). */
export async function exportAll(ctx: AppContext, scope: Scope, dir: string): Promise<ExportAllReport> {
  await mkdir(dir, { recursive: true });
  const counts: Record<string, number> = {};
  const files: string[] = [];
  for (const t of exportedTables) {
    const csvRows = await toFile(path.join(dir, `${t.entity}.csv`), (out) => exportEntityCsv(ctx, scope, t.entity, out));
    const jsonRows = await toFile(path.join(dir, `${t.entity}.json`), (out) => exportEntityJson(ctx, scope, t.entity, out));
    counts[t.entity] = Math.max(csvRows, jsonRows);
    files.push(`${t.entity}.csv`, `${t.entity}.json`);
  }
  const business = await sql<Row>`select * from businesses where id = ${scope.businessId}`.execute(ctx.db.kysely);
  await toFile(path.join(dir, 'business.json'), async (out) => {
    await write(out, `${JSON.stringify(parsedRow(business.rows[0] ?? {}, new Set()), null, 2)}\n`);
    return { rows: 1 };
  });
  const report: ExportAllReport = { dir, businessId: scope.businessId, counts, files: [...files, 'business.json', 'manifest.json'] };
  await toFile(path.join(dir, 'manifest.json'), async (out) => {
    await write(out, `${JSON.stringify({ businessId: scope.businessId, exportedAt: ctx.clock.now().toISOString(), counts }, null, 2)}\n`);
    return { rows: 1 };
  });
  return report;
}

/** How many rows each entity has in the business (what an export would write). */
export async function exportCounts(ctx: AppContext, scope: Scope): Promise<Array<{ entity: string; rows: number }>> {
  const out: Array<{ entity: string; rows: number }> = [];
  for (const t of exportedTables) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t.table)} where business_id = ${scope.businessId}`.execute(ctx.db.kysely);
    out.push({ entity: t.entity, rows: Number(rows[0]?.n ?? 0) });
  }
  return out;
}
