import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { eventTypes } from '../events/catalog.ts';
import { idField } from './shared/fields.ts';
import { parseInput } from './shared/validate.ts';

const eventQuery = z
  .object({
    afterSeq: z.coerce.number().int().min(0).optional(),
    type: z.enum(eventTypes as [string, ...string[]]).optional(),
    contactId: idField.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** The domain event log, oldest first from a sequence number: a consumer resumes from the last seq it saw. */
export async function listEvents(ctx: AppContext, scope: Scope, query: unknown) {
  const q = parseInput(eventQuery, query);
  let sel = ctx.db.kysely.selectFrom('events').selectAll().where('business_id', '=', scope.businessId);
  if (q.afterSeq !== undefined) sel = sel.where('seq', '>', q.afterSeq);
  if (q.type) sel = sel.where('type', '=', q.type);
  if (q.contactId) sel = sel.where('contact_id', '=', q.contactId);
  const rows = await sel.orderBy('seq').limit(q.limit).execute();
  return {
    data: rows.map((r) => ({
      seq: Number(r.seq),
      id: r.id,
      type: r.type,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      contactId: r.contact_id,
      payload: JSON.parse(r.payload) as unknown,
      actor: { type: r.actor_type, id: r.actor_id },
      occurredAt: r.occurred_at,
    })),
    nextAfterSeq: rows.length === q.limit ? Number(rows[rows.length - 1].seq) : null,
  };
}

const auditQuery = z
  .object({
    entityType: z.string().max(40).optional(),
    entityId: idField.optional(),
    beforeSeq: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** Who changed what, newest first. */
export async function listAudit(ctx: AppContext, scope: Scope, query: unknown) {
  const q = parseInput(auditQuery, query);
  let sel = ctx.db.kysely.selectFrom('audit_log').selectAll().where('business_id', '=', scope.businessId);
  if (q.entityType) sel = sel.where('entity_type', '=', q.entityType);
  if (q.entityId) sel = sel.where('entity_id', '=', q.entityId);
  if (q.beforeSeq !== undefined) sel = sel.where('seq', '<', q.beforeSeq);
  const rows = await sel.orderBy('seq', 'desc').limit(q.limit).execute();
  return {
    data: rows.map((r) => ({
      seq: Number(r.seq),
      actor: { type: r.actor_type, id: r.actor_id },
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      changes: JSON.parse(r.changes) as unknown,
      at: r.at,
    })),
    nextBeforeSeq: rows.length === q.limit ? Number(rows[rows.length - 1].seq) : null,
  };
}
