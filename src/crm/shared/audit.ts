import type { Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { appendEvents, type PendingEvent } from '../../events/record.ts';

export type AuditAction = 'create' | 'update' | 'delete' | 'merge' | 'import';

export interface Change {
  entityType: string;
  entityId: string;
  action: AuditAction;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  events?: PendingEvent[];
}

/** Field-level diff of two API-shaped records: only what changed, with old and new values. */
export function diff(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined) {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const key of keys) {
    if (key === 'updatedAt' || key === 'createdAt') continue;
    const a = before?.[key] ?? null;
    const b = after?.[key] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[key] = { from: a, to: b };
  }
  return out;
}

/** Writes the audit entry and the domain events of one change, inside the caller's transaction. */
export async function recordChange(trx: Executor, scope: Scope, at: string, change: Change): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      business_id: scope.businessId,
      actor_type: scope.actor.type,
      actor_id: scope.actor.id,
      action: change.action,
      entity_type: change.entityType,
      entity_id: change.entityId,
      changes: JSON.stringify(change.action === 'create' ? { after: change.after ?? null } : diff(change.before, change.after)),
      at,
    })
    .execute();
  await appendEvents(trx, scope.businessId, scope.actor, at, change.events ?? []);
}
