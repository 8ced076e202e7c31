/**
 * Stored classifications: each is kept with its confidence and model
 * version; low-confidence ones wait in a review queue; a person's correction
 * is kept and teaches the classifier for that business.
 */
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { IntakeClassificationTable } from '../../db/types.ts';
import { fetchPage, pageQuerySchema, type Page } from '../../crm/shared/pagination.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { appendEvents, event } from '../../events/record.ts';
import type { Selectable } from 'kysely';
import type { IntakeClassification, IntakeCorrection } from './classify.ts';
import { INTENTS, URGENCIES, type Urgency } from './labels.ts';

export const classificationStatuses = ['auto', 'review', 'corrected', 'confirmed'] as const;

export interface StoredClassification {
  id: string;
  contactId: string | null;
  interactionId: string | null;
  source: string;
  text: string;
  urgency: string;
  intent: string;
  serviceType: string | null;
  confidence: number;
  confidences: Record<string, number>;
  reasons: string[];
  provider: string;
  modelVersion: string;
  status: string;
  correction: { urgency: string; intent: string; serviceType: string | null; by: string | null; at: string } | null;
  createdAt: string;
}

export function toStoredClassification(r: Selectable<IntakeClassificationTable>): StoredClassification {
  const detail = JSON.parse(r.detail) as { confidences?: Record<string, number>; reasons?: string[]; provider?: string };
  return {
    id: r.id,
    contactId: r.contact_id,
    interactionId: r.interaction_id,
    source: r.source,
    text: r.text,
    urgency: r.urgency,
    intent: r.intent,
    serviceType: r.service_type,
    confidence: Number(r.confidence),
    confidences: detail.confidences ?? {},
    reasons: detail.reasons ?? [],
    provider: detail.provider ?? 'offline',
    modelVersion: r.model_version,
    status: r.status,
    correction: r.corrected_at
      ? { urgency: r.corrected_urgency ?? r.urgency, intent: r.corrected_intent ?? r.intent, serviceType: r.corrected_service_type, by: r.corrected_by, at: String(r.corrected_at) }
      : null,
    createdAt: String(r.created_at),
  };
}

export async function insertClassification(
  trx: Executor,
  scope: Scope,
  c: { text: string; result: IntakeClassification; provider: string; source: string; contactId?: string | null; interactionId?: string | null; reviewThreshold: number },
  now: string,
): Promise<StoredClassification> {
  const row = {
    id: newId(),
    business_id: scope.businessId,
    contact_id: c.contactId ?? null,
    interaction_id: c.interactionId ?? null,
    source: c.source,
    text: c.text.slice(0, 10_000),
    urgency: c.result.urgency,
    intent: c.result.intent,
    service_type: c.result.serviceType,
    confidence: c.result.confidence,
    detail: JSON.stringify({ confidences: c.result.confidences, reasons: c.result.reasons, provider: c.provider }),
    model_version: c.result.modelVersion,
    status: c.result.confidence < c.reviewThreshold ? 'review' : 'auto',
    corrected_urgency: null,
    corrected_intent: null,
    corrected_service_type: null,
    corrected_by: null,
    corrected_at: null,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('intake_classifications').values(row).execute();
  await appendEvents(trx, scope.businessId, scope.actor, now, [
    event('intake.classified', {
      classificationId: row.id,
      contactId: row.contact_id,
      interactionId: row.interaction_id,
      urgency: row.urgency,
      intent: row.intent,
      serviceType: row.service_type,
      confidence: row.confidence,
      review: row.status === 'review',
    }),
  ]);
  return toStoredClassification(row);
}

const listSchema = z.object({ ...pageQuerySchema, status: z.enum(classificationStatuses).optional() }).strict();

export async function listClassifications(ctx: AppContext, scope: Scope, query: unknown): Promise<Page<StoredClassification>> {
  const q = parseInput(listSchema, query ?? {});
  let sel = ctx.db.kysely.selectFrom('intake_classifications').selectAll().where('business_id', '=', scope.businessId);
  if (q.status) sel = sel.where('status', '=', q.status);
  return fetchPage(sel, q, toStoredClassification);
}

export async function getClassification(ctx: AppContext, scope: Scope, id: string): Promise<StoredClassification> {
  const row = await ctx.db.kysely.selectFrom('intake_classifications').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('classification', id);
  return toStoredClassification(row);
}

const correctionSchema = z
  .object({
    urgency: z.enum(URGENCIES).optional(),
    intent: z.enum(INTENTS).optional(),
    serviceType: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be a service key like ac_repair').nullable().optional(),
  })
  .strict()
  .refine((c) => c.urgency !== undefined || c.intent !== undefined || c.serviceType !== undefined, { message: 'give at least one of urgency, intent, serviceType', path: ['urgency'] });

/** A person's verdict: the corrected labels (unchanged heads keep the model's answer). Same labels → "confirmed". */
export async function correctClassification(ctx: AppContext, scope: Scope, id: string, input: unknown): Promise<StoredClassification> {
  const c = parseInput(correctionSchema, input);
  return ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('intake_classifications').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('classification', id);
    const urgency = c.urgency ?? row.urgency;
    const intent = c.intent ?? row.intent;
    const serviceType = c.serviceType !== undefined ? c.serviceType : row.service_type;
    const same = urgency === row.urgency && intent === row.intent && serviceType === row.service_type;
    const now = isoNow(ctx.clock);
    const patch = {
      status: same ? 'confirmed' : 'corrected',
      corrected_urgency: urgency,
      corrected_intent: intent,
      corrected_service_type: serviceType,
      corrected_by: scope.actor.id ?? scope.actor.type,
      corrected_at: now,
      updated_at: now,
    };
    await trx.updateTable('intake_classifications').set(patch).where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    return toStoredClassification({ ...row, ...patch });
  });
}

/** This business's most recent corrections, the classifier's per-business memory. */
export async function loadCorrections(db: Executor, businessId: string, limit = 500): Promise<IntakeCorrection[]> {
  const rows = await db
    .selectFrom('intake_classifications')
    .select(['text', 'corrected_urgency', 'corrected_intent', 'corrected_service_type'])
    .where('business_id', '=', businessId)
    .where('status', '=', 'corrected')
    .orderBy('corrected_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ text: r.text, urgency: r.corrected_urgency as Urgency, intent: r.corrected_intent ?? 'question', serviceType: r.corrected_service_type }));
}
