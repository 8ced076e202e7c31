import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import type { Dialect, Executor } from '../../db/database.ts';
import type { PendingEvent } from '../../events/record.ts';
import { isoNow } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { recordChange } from './audit.ts';
import { fetchPage, type Page } from './pagination.ts';
import { parseInput } from './validate.ts';

type TableName = 'companies' | 'interactions' | 'jobs' | 'deals' | 'tasks' | 'reviews';
// Rows of these tables share id + business_id; the rest of the columns are the definition's business.
type Row = { id: string; business_id: string } & Record<string, unknown>;
// A query over "some CRM table": Kysely cannot type column names of a table chosen at run time,
// so the generic code works on a loosely typed builder and each definition keeps its own types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LooseQuery = SelectQueryBuilder<any, any, any>;

export interface ResourceDefinition<Api extends { id: string }, Create extends z.ZodType, Patch extends z.ZodType, Filter extends z.ZodType> {
  table: TableName;
  entityType: string;
  createSchema: Create;
  patchSchema: Patch;
  filterSchema: Filter;
  toApi(row: Row): Api;
  /** Columns for a new row (id, business_id, timestamps are added). */
  insertValues(data: z.output<Create>, now: string): Record<string, unknown>;
  /** Columns to change for a patch, given the current record. */
  updateValues(data: z.output<Patch>, current: Api, now: string): Record<string, unknown>;
  /** Throws when a referenced contact/company/user/job is not in the caller's business. */
  checkReferences(trx: Executor, businessId: string, values: Record<string, unknown>): Promise<void>;
  applyFilter(q: LooseQuery, filter: z.output<Filter>, dialect: Dialect): LooseQuery;
  createdEvents(after: Api): PendingEvent[];
  updatedEvents(before: Api, after: Api): PendingEvent[];
  deletedEvents(before: Api): PendingEvent[];
  /** Side effects of a delete that need the row still there, in the delete's transaction (e.g. a booked job's calendar cancellation). */
  beforeDelete?(trx: Executor, scope: Scope, now: string, before: Api): Promise<void>;
  /** Side effects in the same transaction (e.g. a contact's last interaction time). */
  afterWrite?(trx: Executor, scope: Scope, now: string, after: Api | null, before: Api | null): Promise<PendingEvent[] | void>;
}

export interface Resource<Api, Create extends z.ZodType = z.ZodType, Patch extends z.ZodType = z.ZodType, Filter extends z.ZodType = z.ZodType> {
  create(ctx: AppContext, scope: Scope, input: unknown): Promise<Api>;
  /** Creates inside an existing transaction (for domain code that composes several changes). */
  createIn(trx: Executor, scope: Scope, data: z.output<Create>, now: string): Promise<Api>;
  get(ctx: AppContext, scope: Scope, id: string, trx?: Executor): Promise<Api>;
  list(ctx: AppContext, scope: Scope, query: unknown): Promise<Page<Api>>;
  update(ctx: AppContext, scope: Scope, id: string, input: unknown): Promise<Api>;
  remove(ctx: AppContext, scope: Scope, id: string): Promise<void>;
  /** Maps a raw row of this table to its API shape. */
  toApiRow(row: object): Api;
  readonly createSchema: Create;
  readonly patchSchema: Patch;
  readonly filterSchema: Filter;
  readonly entityType: string;
}

const loose = (trx: Executor) => trx as unknown as Kysely<Record<string, Row>>;

/** CRUD for one tenant-owned table: every query filtered by business, every change audited with its events. */
export function defineResource<Api extends { id: string }, Create extends z.ZodType, Patch extends z.ZodType, Filter extends z.ZodType>(
  def: ResourceDefinition<Api, Create, Patch, Filter>,
): Resource<Api, Create, Patch, Filter> {
  const label = def.entityType.replace(/_/g, ' ');

  async function get(ctx: AppContext, scope: Scope, id: string, trx: Executor = ctx.db.kysely): Promise<Api> {
    const row = await loose(trx).selectFrom(def.table).selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(label, id);
    return def.toApi(row as Row);
  }

  async function createIn(trx: Executor, scope: Scope, data: z.output<Create>, now: string): Promise<Api> {
    const values = def.insertValues(data, now);
    await def.checkReferences(trx, scope.businessId, values);
    const id = newId();
    await loose(trx)
      .insertInto(def.table)
      .values({ ...values, id, business_id: scope.businessId, created_at: now, ...(def.table === 'interactions' ? {} : { updated_at: now }) } as Row)
      .execute();
    const row = await loose(trx).selectFrom(def.table).selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const after = def.toApi(row as Row);
    const extra = (await def.afterWrite?.(trx, scope, now, after, null)) ?? [];
    await recordChange(trx, scope, now, { entityType: def.entityType, entityId: id, action: 'create', after: { ...after }, events: [...def.createdEvents(after), ...extra] });
    return after;
  }

  return {
    toApiRow: (row) => def.toApi(row as Row),
    createSchema: def.createSchema,
    patchSchema: def.patchSchema,
    filterSchema: def.filterSchema,
    entityType: def.entityType,
    get,
    createIn,
    async create(ctx, scope, input) {
      const data = parseInput(def.createSchema, input);
      return ctx.db.transaction((trx) => createIn(trx, scope, data, isoNow(ctx.clock)));
    },
    async list(ctx, scope, query) {
      const filter = parseInput(def.filterSchema, query) as z.output<Filter> & { limit: number; cursor?: string };
      const q: LooseQuery = loose(ctx.db.kysely).selectFrom(def.table).selectAll().where('business_id', '=', scope.businessId);
      return fetchPage(def.applyFilter(q, filter, ctx.db.dialect), filter, def.toApi);
    },
    async update(ctx, scope, id, input) {
      const data = parseInput(def.patchSchema, input);
      return ctx.db.transaction(async (trx) => {
        const before = await get(ctx, scope, id, trx);
        const now = isoNow(ctx.clock);
        const values = def.updateValues(data, before, now);
        await def.checkReferences(trx, scope.businessId, values);
        if (Object.keys(values).length > 0) {
          await loose(trx)
            .updateTable(def.table)
            .set({ ...values, ...(def.table === 'interactions' ? {} : { updated_at: now }) })
            .where('business_id', '=', scope.businessId)
            .where('id', '=', id)
            .execute();
        }
        const after = await get(ctx, scope, id, trx);
        const extra = (await def.afterWrite?.(trx, scope, now, after, before)) ?? [];
        await recordChange(trx, scope, now, { entityType: def.entityType, entityId: id, action: 'update', before: { ...before }, after: { ...after }, events: [...def.updatedEvents(before, after), ...extra] });
        return after;
      });
    },
    async remove(ctx, scope, id) {
      await ctx.db.transaction(async (trx) => {
        const before = await get(ctx, scope, id, trx);
        const now = isoNow(ctx.clock);
        await def.beforeDelete?.(trx, scope, now, before);
        await loose(trx).deleteFrom(def.table).where('business_id', '=', scope.businessId).where('id', '=', id).execute();
        const extra = (await def.afterWrite?.(trx, scope, now, null, before)) ?? [];
        await recordChange(trx, scope, now, { entityType: def.entityType, entityId: id, action: 'delete', before: { ...before }, after: null, events: [...def.deletedEvents(before), ...extra] });
      });
    },
  };
}

/** Names of the fields whose values differ between two records. */
export function changedFields<T extends object>(before: T, after: T): string[] {
  return (Object.keys(after) as Array<keyof T>)
    .filter((k) => k !== 'updatedAt' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map(String);
}

/** Checks that ids referenced by a record belong to the business (contacts, companies, users, jobs, deals). */
export async function checkOwned(trx: Executor, businessId: string, refs: Array<[field: string, table: 'contacts' | 'companies' | 'users' | 'jobs' | 'deals', id: unknown]>): Promise<void> {
  for (const [field, table, id] of refs) {
    if (typeof id !== 'string') continue;
    const found = await loose(trx).selectFrom(table).select('id').where('business_id', '=', businessId).where('id', '=', id).executeTakeFirst();
    if (!found) {
      throw new AppError('VALIDATION_FAILED', `${field}: no ${table.replace(/s$/, '').replace(/ie$/, 'y')} ${id} in this business`, { issues: [{ field, message: 'not found in this business' }] });
    }
  }
}
