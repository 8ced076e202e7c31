import type { SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { AppError } from '../../lib/errors.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export const pageQuerySchema = {
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  cursor: z.string().max(200).optional(),
};

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Opaque cursor: the last id seen (ids are time-ordered UUIDv7). */
export const encodeCursor = (id: string): string => Buffer.from(JSON.stringify({ id }), 'utf8').toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown };
    if (typeof parsed.id === 'string' && parsed.id.length <= 64) return parsed.id;
  } catch {
    // fall through to the error below
  }
  throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor returned by this API', { issues: [{ field: 'cursor', message: 'invalid cursor' }] });
}

/** Builds a page from limit+1 rows fetched newest first. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const slice = hasMore ? rows.slice(0, limit) : rows;
  return { data: slice.map(map), nextCursor: hasMore ? encodeCursor(slice[slice.length - 1].id) : null };
}

// Any query over a table with a time-ordered text `id`; the column names of a table chosen by the
// caller cannot be typed here, so the builder is loosely typed and each caller keeps its row type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type IdQuery = SelectQueryBuilder<any, any, any>;

/** Newest first, after the cursor, limit+1 rows to know whether there is a next page. */
export async function fetchPage<R extends { id: string }, T>(q: IdQuery, page: { limit: number; cursor?: string }, map: (row: R) => T): Promise<Page<T>> {
  const after = decodeCursor(page.cursor);
  const rows = (await (after ? q.where('id', '<', after) : q).orderBy('id', 'desc').limit(page.limit + 1).execute()) as R[];
  return toPage(rows, page.limit, map);
}
