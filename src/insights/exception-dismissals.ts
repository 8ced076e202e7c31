import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor, AppContext, Scope } from '../context.ts';
import { parseInput } from '../crm/shared/validate.ts';
import type { Executor } from '../db/database.ts';
import { appendEvents, event } from '../events/record.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { exceptionKinds, exceptionRowTables, exceptionSources, type ExceptionItem, type ExceptionKind } from './exception-sources.ts';
import { DAY_MS } from './period.ts';

/** Longest snooze: an item hidden for longer than this should be fixed, not snoozed. */
export const MAX_SNOOZE_DAYS = 365;

export interface Dismissal {
  kind: ExceptionKind;
  itemId: string;
  occurrence: string;
  dismissedBy: Actor & { name: string | null };
  dismissedAt: string;
  until: string | null;
  note: string | null;
}

/** What every listed item says about its dismissal (all null when it is not dismissed). */
export interface DismissalFields {
  dismissedBy: Dismissal['dismissedBy'] | null;
  dismissedAt: string | null;
  until: string | null;
  note: string | null;
}

export const notDismissed: DismissalFields = { dismissedBy: null, dismissedAt: null, until: null, note: null };

export const dismissalFields = (d: Dismissal | undefined): DismissalFields =>
  d ? { dismissedBy: d.dismissedBy, dismissedAt: d.dismissedAt, until: d.until, note: d.note } : notDismissed;

const itemParams = z.object({ kind: z.enum(exceptionKinds), id: z.string().min(1).max(64) }).strict();
export const dismissBodySchema = z
  .object({
    note: z.string().trim().max(1000).nullable().optional(),
    until: z.string().datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export const dismissalKey = (kind: string, itemId: string) => `${kind}:${itemId}`;

/**
 * Dismissals in force now for the business: not snoozed past their `until`. Keyed by kind:id;
 * whether one still hides its item depends on the item's current occurrence (see exception-sources.ts).
 */
export async function activeDismissals(db: Executor, businessId: string, now: string, kind?: ExceptionKind): Promise<Map<string, Dismissal>> {
  let sel = db
    .selectFrom('exception_dismissals as d')
    .leftJoin('users as u', (j) => j.onRef('u.id', '=', 'd.actor_id').onRef('u.business_id', '=', 'd.business_id'))
    .leftJoin('api_keys as k', (j) => j.onRef('k.id', '=', 'd.actor_id').onRef('k.business_id', '=', 'd.business_id'))
    .select(['d.kind', 'd.item_id', 'd.occurrence', 'd.note', 'd.until', 'd.actor_type', 'd.actor_id', 'd.dismissed_at', 'u.name as user_name', 'k.name as key_name'])
    .where('d.business_id', '=', businessId)
    .where((eb) => eb.or([eb('d.until', 'is', null), eb('d.until', '>', now)]));
  if (kind) sel = sel.where('d.kind', '=', kind);
  const rows = await sel.execute();
  const out = new Map<string, Dismissal>();
  for (const r of rows) {
    const name = r.actor_type === 'user' ? r.user_name : r.actor_type === 'api_key' ? r.key_name : null;
    out.set(dismissalKey(r.kind, r.item_id), {
      kind: r.kind as ExceptionKind,
      itemId: r.item_id,
      occurrence: r.occurrence,
      dismissedBy: { type: r.actor_type as Actor['type'], id: r.actor_id, name: name ?? null },
      dismissedAt: r.dismissed_at,
      until: r.until,
      note: r.note,
    });
  }
  return out;
}

/** The dismissal that hides this item now, if any: same kind and id, and the same occurrence of its condition. */
export const dismissalOf = (item: ExceptionItem, active: Map<string, Dismissal>): Dismissal | undefined => {
  const d = active.get(dismissalKey(item.kind, item.id));
  return d && d.occurrence === item.occurrence ? d : undefined;
};

async function rowExists(db: Executor, kind: ExceptionKind, businessId: string, id: string): Promise<boolean> {
  const r = await sql<{ id: string }>`select id from ${sql.table(exceptionRowTables[kind])} where business_id = ${businessId} and id = ${id}`.execute(db);
  return r.rows.length > 0;
}

async function audit(trx: Executor, scope: Scope, at: string, action: 'dismiss' | 'restore', itemId: string, changes: Record<string, unknown>): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({ business_id: scope.businessId, actor_type: scope.actor.type, actor_id: scope.actor.id, action, entity_type: 'exception', entity_id: itemId, changes: JSON.stringify(changes), at })
    .execute();
}

/**
 * Dismisses (or, with `until`, snoozes) one exception or alert for the whole business. Only an item
 * that needs someone now can be dismissed: another business's id, or an id that is no row of that
 * kind, is a 404; a row whose condition has passed (a decided approval, a recovered alert) a 409.
 * Dismissing again replaces the note and snooze. Writes an audit row and an `exception.dismissed` event.
 */
export async function dismissException(ctx: AppContext, scope: Scope, params: unknown, body: unknown): Promise<ExceptionItem & DismissalFields> {
  const { kind, id } = parseInput(itemParams, params);
  const input = parseInput(dismissBodySchema, body ?? {});
  const now = isoNow(ctx.clock);
  const until = input.until ? new Date(input.until).toISOString() : null;
  if (until && until <= now) throw validationError([{ field: 'until', message: 'must be in the future' }]);
  if (until && Date.parse(until) - Date.parse(now) > MAX_SNOOZE_DAYS * DAY_MS) throw validationError([{ field: 'until', message: `must be within ${MAX_SNOOZE_DAYS} days` }]);
  const note = input.note ? input.note : null;
  return ctx.db.transaction(async (trx) => {
    const [item] = await exceptionSources[kind](trx, scope.businessId, now, { id, limit: 1 });
    if (!item) {
      if (!(await rowExists(trx, kind, scope.businessId, id))) throw notFound(`${kind.replace(/_/g, ' ')} exception`, id);
      throw new AppError('CONFLICT', `${kind.replace(/_/g, ' ')} ${id} does not need anyone now: there is nothing to dismiss`);
    }
    const row = { occurrence: item.occurrence, note, until, actor_type: scope.actor.type, actor_id: scope.actor.id, dismissed_at: now };
    await trx
      .insertInto('exception_dismissals')
      .values({ id: newId(), business_id: scope.businessId, kind, item_id: id, ...row })
      .onConflict((oc) => oc.columns(['business_id', 'kind', 'item_id']).doUpdateSet(row))
      .execute();
    await audit(trx, scope, now, 'dismiss', id, { kind, occurrence: item.occurrence, note, until });
    await appendEvents(trx, scope.businessId, scope.actor, now, [event('exception.dismissed', { exceptionId: id, kind, occurrence: item.occurrence, until })]);
    return { ...item, ...dismissalFields((await activeDismissals(trx, scope.businessId, now, kind)).get(dismissalKey(kind, id))) };
  });
}

/** Undoes a dismissal or snooze: the item shows again for everyone (if its condition still holds). 404 when there is none. */
export async function restoreException(ctx: AppContext, scope: Scope, params: unknown): Promise<void> {
  const { kind, id } = parseInput(itemParams, params);
  const now = isoNow(ctx.clock);
  await ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('exception_dismissals').selectAll().where('business_id', '=', scope.businessId).where('kind', '=', kind).where('item_id', '=', id).executeTakeFirst();
    if (!row) throw notFound(`dismissal of ${kind.replace(/_/g, ' ')}`, id);
    await trx.deleteFrom('exception_dismissals').where('business_id', '=', scope.businessId).where('id', '=', row.id).execute();
    await audit(trx, scope, now, 'restore', id, { kind, before: { occurrence: row.occurrence, note: row.note, until: row.until, dismissedBy: { type: row.actor_type, id: row.actor_id }, dismissedAt: row.dismissed_at } });
    await appendEvents(trx, scope.businessId, scope.actor, now, [event('exception.restored', { exceptionId: id, kind })]);
  });
}
