import { recordDelivery } from './outbox/on-record.ts';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { idField, instant } from '../crm/shared/fields.ts';
import { fetchPage, pageQuerySchema } from '../crm/shared/pagination.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { getContactRow } from '../crm/contacts/contacts.ts';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import { acknowledgeEnrollmentPage, acknowledgerOf } from './acknowledge-page.ts';
import { writeLog } from './log.ts';
import { notifyWorkers } from './facts.ts';

const parse = <T>(s: string | null, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

export const toEnrollment = (r: {
  id: string; automation_id: string; version: number; contact_id: string; status: string; step: number; attempt: number; next_run_at: string | null;
  waiting_for: string | null; vars: string; last_error: string | null; exit_reason: string | null; created_at: string; updated_at: string; finished_at: string | null;
}) => ({
  id: r.id,
  automationId: r.automation_id,
  version: r.version,
  contactId: r.contact_id,
  status: r.status,
  step: r.step,
  attempt: r.attempt,
  nextRunAt: r.next_run_at,
  waitingFor: parse<Record<string, unknown> | null>(r.waiting_for, null),
  vars: parse<Record<string, unknown>>(r.vars, {}),
  lastError: r.last_error,
  exitReason: r.exit_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

const enrollmentFilter = z
  .object({
    ...pageQuerySchema,
    automationId: idField.optional(),
    contactId: idField.optional(),
    status: z.enum(['active', 'waiting', 'completed', 'exited', 'parked', 'cancelled']).optional(),
  })
  .strict();

export async function listEnrollments(ctx: AppContext, scope: Scope, query: unknown) {
  const f = parseInput(enrollmentFilter, query);
  let q = ctx.db.kysely.selectFrom('enrollments').selectAll().where('business_id', '=', scope.businessId);
  if (f.automationId) q = q.where('automation_id', '=', f.automationId);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  if (f.status) q = q.where('status', '=', f.status);
  return fetchPage(q, f, toEnrollment);
}

async function getEnrollmentRow(ctx: AppContext, scope: Scope, id: string) {
  const row = await ctx.db.kysely.selectFrom('enrollments').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('enrollment', id);
  return row;
}

export async function getEnrollment(ctx: AppContext, scope: Scope, id: string) {
  const row = await getEnrollmentRow(ctx, scope, id);
  const log = await ctx.db.kysely.selectFrom('enrollment_log').selectAll().where('enrollment_id', '=', id).orderBy('seq').execute();
  return { ...toEnrollment(row), log: log.map((l) => ({ at: l.at, step: l.step, stepType: l.step_type, outcome: l.outcome, detail: JSON.parse(l.detail) as unknown })) };
}

/**
 * Retry a parked enrolment now, cancel (manual stop) a live one, or take its
 * on-call page: acknowledging here does what a reply to the page does (the
 * caller, or "The office" for an API key or the CLI, is confirmed to and
 * announced to everyone already paged).
 */
export async function controlEnrollment(ctx: AppContext, scope: Scope, id: string, action: 'retry' | 'cancel' | 'ack'): Promise<ReturnType<typeof toEnrollment>> {
  return ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('enrollments').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('enrollment', id);
    const now = isoNow(ctx.clock);
    if (action === 'ack') {
      const business = await loadBusiness(trx, scope.businessId);
      const who = await acknowledgerOf(trx, scope);
      await acknowledgeEnrollmentPage(trx, scope, business, id, who, scope.actor.type === 'cli' ? 'cli' : 'api', new Date(now));
    } else {
      if (action === 'retry') {
        if (!['parked', 'active'].includes(row.status)) throw new AppError('CONFLICT', `only a parked or active enrolment can be retried (this one is ${row.status})`);
        await trx.updateTable('enrollments').set({ status: 'active', attempt: 0, next_run_at: now, last_error: null, locked_by: null, locked_until: null, updated_at: now }).where('id', '=', id).execute();
      } else {
        if (!['active', 'waiting', 'parked'].includes(row.status)) throw new AppError('CONFLICT', `the enrolment has already finished (${row.status})`);
        await trx.updateTable('enrollments').set({ status: 'exited', exit_reason: 'manual', next_run_at: null, waiting_for: null, finished_at: now, updated_at: now }).where('id', '=', id).execute();
        await trx.updateTable('outbox').set({ state: 'cancelled', last_error: 'enrolment stopped by hand', updated_at: now }).where('enrollment_id', '=', id).where('state', '=', 'queued').execute();
      }
      await writeLog(trx, { businessId: scope.businessId, enrollmentId: id, contactId: row.contact_id, step: row.step, stepType: null, outcome: action === 'cancel' ? 'exited' : 'retried', detail: { by: scope.actor }, at: now });
      await recordChange(trx, scope, now, { entityType: 'enrollment', entityId: id, action: 'update', before: { status: row.status }, after: { action } });
      await notifyWorkers(trx);
    }
    const after = await trx.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return toEnrollment(after);
  });
}

const approvalFilter = z.object({ ...pageQuerySchema, status: z.enum(['pending', 'approved', 'rejected', 'auto_approved']).optional() }).strict();

const toApproval = (r: { id: string; enrollment_id: string | null; contact_id: string | null; title: string; amount_cents: number | null; approver_role: string; status: string; decided_by: string | null; decided_at: string | null; reason: string | null; created_at: string }) => ({
  id: r.id,
  enrollmentId: r.enrollment_id,
  contactId: r.contact_id,
  title: r.title,
  amountCents: r.amount_cents,
  approverRole: r.approver_role,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  reason: r.reason,
  createdAt: r.created_at,
});

export async function listApprovals(ctx: AppContext, scope: Scope, query: unknown) {
  const f = parseInput(approvalFilter, query);
  let q = ctx.db.kysely.selectFrom('approvals').selectAll().where('business_id', '=', scope.businessId);
  if (f.status) q = q.where('status', '=', f.status);
  return fetchPage(q, f, toApproval);
}

/** A manager approves or rejects; the waiting enrolment resumes with the decision in vars.approval. */
export async function decideApproval(ctx: AppContext, scope: Scope, id: string, input: unknown, role: string | null) {
  const d = parseInput(z.object({ decision: z.enum(['approve', 'reject']), reason: z.string().max(500).optional() }).strict(), input);
  return ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('approvals').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('approval', id);
    if (row.status !== 'pending') throw new AppError('CONFLICT', `this approval was already decided (${row.status})`);
    if (role && row.approver_role === 'owner' && role !== 'owner') throw new AppError('FORBIDDEN', 'only the owner can decide this approval');
    if (role && !['owner', 'manager'].includes(role)) throw new AppError('FORBIDDEN', 'approvals are decided by a manager or the owner');
    const now = isoNow(ctx.clock);
    const status = d.decision === 'approve' ? 'approved' : 'rejected';
    await trx.updateTable('approvals').set({ status, decided_by: scope.actor.id ?? scope.actor.type, decided_at: now, reason: d.reason ?? null }).where('id', '=', id).execute();
    if (row.enrollment_id) {
      const en = await trx.selectFrom('enrollments').selectAll().where('id', '=', row.enrollment_id).executeTakeFirst();
      if (en && en.status === 'waiting') {
        const vars = parse<Record<string, unknown>>(en.vars, {});
        vars.approval = { ...(vars.approval as object), id, status };
        await trx.updateTable('enrollments').set({ status: 'active', waiting_for: null, next_run_at: now, vars: JSON.stringify(vars), updated_at: now }).where('id', '=', en.id).execute();
        await writeLog(trx, { businessId: scope.businessId, enrollmentId: en.id, contactId: en.contact_id, step: en.step, stepType: 'approval', outcome: status, detail: { approvalId: id, by: scope.actor, reason: d.reason ?? null }, at: now });
        await notifyWorkers(trx);
      }
    }
    await recordChange(trx, scope, now, { entityType: 'approval', entityId: id, action: 'update', before: { status: 'pending' }, after: { status, reason: d.reason ?? null } });
    return toApproval({ ...row, status, decided_by: scope.actor.id ?? scope.actor.type, decided_at: now, reason: d.reason ?? null });
  });
}

const outboxFilter = z
  .object({
    ...pageQuerySchema,
    state: z.enum(['queued', 'sending', 'sent', 'delivered', 'failed', 'unknown', 'cancelled']).optional(),
    channel: z.enum(['sms', 'email']).optional(),
    contactId: idField.optional(),
    since: instant.optional(),
  })
  .strict();

/** Outbox messages whose body carries a credential (a password reset link): shown to nobody but their recipient. */
const hidesBody = (key: string | undefined) => key?.startsWith('password-reset:') === true;

export const toOutboxMessage = (r: { idempotency_key?: string; id: string; contact_id: string | null; user_id: string | null; enrollment_id: string | null; step: number | null; channel: string; purpose: string; to_address: string; from_address?: string | null; is_test?: number; subject: string | null; body: string; state: string; provider: string | null; provider_message_id: string | null; attempts: number; not_before: string; last_error: string | null; created_at: string; sent_at: string | null; delivered_at: string | null }) => ({
  id: r.id,
  contactId: r.contact_id,
  userId: r.user_id,
  enrollmentId: r.enrollment_id,
  step: r.step,
  channel: r.channel,
  purpose: r.purpose,
  to: r.to_address,
  /** The business's number, Messaging Service (MG…) or email From it goes out from; null: the provider's default. */
  from: r.from_address ?? null,
  /** A test send from Settings, to the team. */
  test: r.is_test === 1,
  subject: r.subject,
  body: hidesBody(r.idempotency_key) ? '(a password reset link, shown only to its recipient)' : r.body,
  state: r.state,
  provider: r.provider,
  providerMessageId: r.provider_message_id,
  attempts: r.attempts,
  notBefore: r.not_before,
  lastError: r.last_error,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  deliveredAt: r.delivered_at,
});

export async function listOutbox(ctx: AppContext, scope: Scope, query: unknown) {
  const f = parseInput(outboxFilter, query);
  let q = ctx.db.kysely.selectFrom('outbox').selectAll().where('business_id', '=', scope.businessId);
  if (f.state) q = q.where('state', '=', f.state);
  if (f.channel) q = q.where('channel', '=', f.channel);
  if (f.contactId) q = q.where('contact_id', '=', f.contactId);
  if (f.since) q = q.where('created_at', '>=', f.since);
  return fetchPage(q, f, toOutboxMessage);
}

/** A person resolves a failed or unknown message: send it again, or cancel it. */
export async function controlOutbox(ctx: AppContext, scope: Scope, id: string, action: 'retry' | 'cancel') {
  return ctx.db.transaction(async (trx) => {
    const row = await trx.selectFrom('outbox').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('message', id);
    const now = isoNow(ctx.clock);
    const allowed = action === 'retry' ? ['failed', 'unknown'] : ['queued', 'failed', 'unknown'];
    if (!allowed.includes(row.state)) throw new AppError('CONFLICT', `a ${row.state} message cannot be ${action === 'retry' ? 'retried' : 'cancelled'}`);
    await trx
      .updateTable('outbox')
      .set(action === 'retry' ? { state: 'queued', not_before: now, last_error: null, updated_at: now } : { state: 'cancelled', updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordChange(trx, scope, now, { entityType: 'message', entityId: id, action: 'update', before: { state: row.state }, after: { state: action === 'retry' ? 'queued' : 'cancelled' } });
    await recordDelivery(trx, scope.businessId, id, action === 'retry' ? 'queued' : 'cancelled');
    await notifyWorkers(trx);
    return toOutboxMessage({ ...row, state: action === 'retry' ? 'queued' : 'cancelled' });
  });
}

/** For one contact: every enrolment, what ran, what is next and why (or why not). */
export async function explainContact(ctx: AppContext, scope: Scope, contactId: string) {
  await getContactRow(ctx.db.kysely, scope.businessId, contactId);
  const enrollments = await ctx.db.kysely
    .selectFrom('enrollments')
    .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
    .selectAll('enrollments')
    .select('automations.name as automation_name')
    .where('enrollments.business_id', '=', scope.businessId)
    .where('enrollments.contact_id', '=', contactId)
    .orderBy('enrollments.created_at', 'desc')
    .execute();
  const log = await ctx.db.kysely.selectFrom('enrollment_log').selectAll().where('business_id', '=', scope.businessId).where('contact_id', '=', contactId).orderBy('seq').execute();
  return enrollments.map((e) => ({
    ...toEnrollment(e),
    automationName: e.automation_name,
    next: e.status === 'active' ? `runs step ${e.step} at ${e.next_run_at}` : e.status === 'waiting' ? `waiting for ${e.waiting_for}` : e.status === 'parked' ? `parked: ${e.last_error}` : `finished (${e.exit_reason ?? e.status})`,
    log: log.filter((l) => l.enrollment_id === e.id).map((l) => ({ at: l.at, step: l.step, stepType: l.step_type, outcome: l.outcome, detail: JSON.parse(l.detail) as unknown })),
  }));
}
