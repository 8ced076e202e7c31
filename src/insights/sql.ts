import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../db/database.ts';

/**
 * The few expressions that differ between SQLite (ISO text timestamps) and
 * PostgreSQL (timestamptz). Everything else in the insights queries is portable SQL.
 */
export function shifted(dialect: Dialect, expr: RawBuilder<unknown>, seconds: number): RawBuilder<string> {
  if (dialect === 'sqlite') return sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', ${expr}, ${`${seconds >= 0 ? '+' : ''}${seconds} seconds`})`;
  return sql<string>`(${expr} + (${seconds}::double precision * interval '1 second'))`;
}

/** A timestamp parameter compared with timestamp columns (PostgreSQL needs the type). */
export function ts(dialect: Dialect, iso: string): RawBuilder<string> {
  return dialect === 'postgres' ? sql<string>`${iso}::timestamptz` : sql<string>`${iso}`;
}

export const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
/** Epoch milliseconds from an ISO string (SQLite) or a number (PostgreSQL, see epochMs). */
export const ms = (v: string | number | null | undefined): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : Date.parse(v));

/**
 * A timestamp column as epoch milliseconds on PostgreSQL (a float8 the driver
 * hands over as a number, cheaper than parsing thousands of dates); as is on SQLite.
 */
export function epochMs(dialect: Dialect, column: string): RawBuilder<string | number> {
  return dialect === 'postgres' ? sql<number>`(extract(epoch from ${sql.ref(column)}) * 1000)::float8` : sql<string>`${sql.ref(column)}`;
}
