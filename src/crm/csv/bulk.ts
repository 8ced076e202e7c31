import { yieldToEventLoop } from '../../lib/yield.ts';
import { CompiledQuery, type Insertable } from 'kysely';
import type { Dialect, Executor } from '../../db/database.ts';
import type { Database } from '../../db/types.ts';

/** SQLite's compiled-in limit on bind parameters per statement is 32,766. */
const sqliteMaxParams = 32_000;
/** Rows per SQLite statement: bigger ones cost more to prepare than they save (measured by bench/csv-import.ts). */
const sqliteRowsPerStatement = 100;
/** Rows per PostgreSQL statement (one JSON parameter, so no parameter limit applies). */
const pgRowsPerStatement = 5_000;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Multi-row INSERT for bulk imports. Kysely's builder walks an AST node per
 * value, which costs more than the insert itself at 100k+ rows; this writes
 * the statement text directly (table and columns from our own typed rows,
 * never from input) and runs it through the same Kysely executor and
 * transaction.
 *
 * SQLite: `insert … values (?, …), (?, …)` in statements of 100 rows.
 * PostgreSQL: one `json_populate_recordset` statement per 5,000 rows — a
 * single parameter, so the server parses and plans a short statement
 * instead of a VALUES list of tens of thousands of parameters, and each
 * value is converted to its column's type by the table's own row type.
 */
export async function insertRows<T extends keyof Database & string>(
  trx: Executor,
  dialect: Dialect,
  table: T,
  rows: ReadonlyArray<Insertable<Database[T]>>,
  opts: { ignoreDuplicates?: boolean } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const columnList = columns.map(quote).join(', ');
  const tail = opts.ignoreDuplicates ? ' on conflict do nothing' : '';
  if (dialect === 'postgres') {
    const text = `insert into ${quote(table)} (${columnList}) select ${columnList} from json_populate_recordset(null::${quote(table)}, $1::json)${tail}`;
    for (let start = 0; start < rows.length; start += pgRowsPerStatement) {
      await trx.executeQuery(CompiledQuery.raw(text, [JSON.stringify(rows.slice(start, start + pgRowsPerStatement))]));
    }
    return;
  }
  const perStatement = Math.max(1, Math.min(sqliteRowsPerStatement, Math.floor(sqliteMaxParams / columns.length)));
  const head = `insert into ${quote(table)} (${columnList}) values `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = new Array(chunk.length * columns.length);
    let p = 0;
    for (const row of chunk) {
      const record = row as Record<string, unknown>;
      for (const column of columns) {
        const v = record[column];
        params[p++] = v === undefined ? null : v;
      }
    }
    await trx.executeQuery(CompiledQuery.raw(head + placeholders(chunk.length, columns.length) + tail, params));
    // better-sqlite3 runs each statement synchronously: let other requests in between statements.
    await yieldToEventLoop();
  }
}

const placeholderCache = new Map<string, string>();

/** "(?, ?), (?, ?)" for a rows × columns statement (cached: imports repeat the same shapes). */
function placeholders(rows: number, columns: number): string {
  const key = `${rows}:${columns}`;
  let text = placeholderCache.get(key);
  if (text === undefined) {
    const tuple = `(${new Array(columns).fill('?').join(', ')})`;
    text = new Array(rows).fill(tuple).join(', ');
    if (placeholderCache.size > 1_000) placeholderCache.clear();
    placeholderCache.set(key, text);
  }
  return text;
}

/** Splits a list so `where x in (...)` stays under the parameter limit. */
export function chunks<T>(items: readonly T[], size = 5_000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
