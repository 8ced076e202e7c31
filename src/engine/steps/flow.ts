import { Duration } from 'luxon';
import { updateContact } from '../../crm/contacts/contacts.ts';
import { tasks } from '../../crm/tasks/tasks.ts';
import { evaluate, readPath } from '../conditions.ts';
import { addDuration, nextBusinessOpen, nextDayAt, nextLocalTime } from '../timing.ts';
import { renderTemplate } from '../templates.ts';
import { nextBestMoment, sendTimeFor } from '../../intelligence/priorities/send-time.ts';
import { newId } from '../../lib/ids.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { byRole, nextRoundRobin, onCallChain, resolveStaff, type StaffMember } from './staff.ts';
import type { StepRunner } from './types.ts';

/** A moment relative to a time field of the enrolment (job.scheduledStart - 24h), or null when the field is empty. */
export function relativeMoment(facts: Record<string, unknown>, field: string, offset: string | undefined): Date | null {
  const raw = readPath(facts, field);
  if (typeof raw !== 'string' || Number.isNaN(Date.parse(raw))) return null;
  if (!offset) return new Date(raw);
  const negative = offset.startsWith('-');
  const ms = Duration.fromISO(offset.replace(/^-/, '')).as('milliseconds');
  return new Date(Date.parse(raw) + (negative ? -ms : ms));
}

/** A relative wait reached this late is "past": the reminder it guards would come too late. */
const PAST_GRACE_MS = 15 * 60_000;

export const wait: StepRunner<'wait'> = async (step, sc) => {
  // The contact's zone matters only for "until HH:MM"; a plain duration reads nothing.
  const zone = async () => (step.until?.zone === 'business' ? sc.business.timeZone : (((await sc.facts()).contact.timeZone as string | null) ?? sc.business.timeZone));
  let until = sc.now;
  if (step.at) {
    const at = relativeMoment(await sc.facts(), step.at.field, step.at.offset);
    if (!at) return { next: 'continue', outcome: 'skipped', detail: { reason: `${step.at.field} is empty` } };
    if (!step.forEvent && at.getTime() > sc.now.getTime()) {
      // Stays on this step: when it wakes the moment is computed again, so a rescheduled job moves its reminders.
      return { next: 'retry_at', until: at, outcome: 'sleeping', detail: { until: at.toISOString(), field: step.at.field } };
    }
    if (sc.now.getTime() - at.getTime() > PAST_GRACE_MS && step.at.ifPast === 'skip_next') {
      return { next: 'skip_next', outcome: 'too_late', detail: { at: at.toISOString(), reason: 'the moment has passed; the next step is skipped' } };
    }
    until = at.getTime() > sc.now.getTime() ? at : sc.now;
  }
  if (step.duration) until = addDuration(until, step.duration);
  if (step.until) until = nextLocalTime(until, await zone(), step.until.time, step.until.weekdaysOnly);
  if (step.businessHours) until = nextBusinessOpen(until, sc.business.timeZone, sc.business.businessHours);
  if (step.bestTime) {
    const best = await sendTimeFor(sc.trx, sc.now, sc.scope, sc.enrollment.contact_id);
    until = nextBestMoment(until, best.timeZone, best);
  }
  if (step.forEvent) {
    const timeoutAt = step.forEvent.timeout ? addDuration(sc.now, step.forEvent.timeout) : until;
    if (timeoutAt.getTime() <= sc.now.getTime()) {
      sc.vars.waitResult = 'timeout';
      return { next: 'continue', outcome: 'timed_out', detail: { forEvent: step.forEvent.event, reason: 'the deadline had already passed' } };
    }
    return { next: 'wait', waitingFor: { kind: 'event', event: step.forEvent.event, timeoutAt: timeoutAt.toISOString() }, until: timeoutAt, outcome: 'waiting', detail: { forEvent: step.forEvent.event, timeoutAt: timeoutAt.toISOString() } };
  }
  if (until.getTime() <= sc.now.getTime()) return { next: 'continue', outcome: 'reached', detail: { at: sc.now.toISOString() } };
  return { next: 'sleep', until, outcome: 'sleeping', detail: { until: until.toISOString() } };
};

export const createTask: StepRunner<'create_task'> = async (step, sc) => {
  let assignee: StaffMember | null = null;
  const a = step.assignee;
  if (a.rule === 'user') assignee = (await resolveStaff(sc, { userId: a.userId }))[0] ?? null;
  else if (a.rule === 'contact_owner') assignee = (await resolveStaff(sc, { contactOwner: true }))[0] ?? (await byRole(sc, a.fallbackRole))[0] ?? null;
  else if (a.rule === 'role') assignee = (await byRole(sc, a.role))[0] ?? null;
  else if (a.rule === 'round_robin') assignee = await nextRoundRobin(sc, a.role);
  else assignee = (await onCallChain(sc))[0] ?? null;
  const due = !step.due ? null : 'in' in step.due ? addDuration(sc.now, step.due.in) : nextDayAt(sc.now, sc.business.timeZone, step.due.next, step.due.at);
  const task = await tasks.createIn(
    sc.trx,
    sc.scope,
    {
      title: renderTemplate(step.title, await sc.facts()),
      description: step.description ? renderTemplate(step.description, await sc.facts()) : null,
      contactId: sc.enrollment.contact_id,
      assigneeUserId: assignee?.id ?? null,
      dueAt: due?.toISOString() ?? null,
      status: 'open',
      origin: 'automation',
      originRef: `${sc.enrollment.automation_id}:${sc.enrollment.id}`,
      kind: step.kind ?? null,
    },
    sc.now.toISOString(),
  );
  return { next: 'continue', outcome: 'task_created', detail: { taskId: task.id, assigneeUserId: task.assigneeUserId, dueAt: task.dueAt, kind: step.kind ?? null } };
};

export const update: StepRunner<'update'> = async (step, sc) => {
  const patch = { ...(step.set ?? {}), ...(step.addTags ? { addTags: step.addTags } : {}), ...(step.removeTags ? { removeTags: step.removeTags } : {}) };
  const after = await updateContact(sc.ctx, sc.scope, sc.enrollment.contact_id, patch, sc.trx);
  (await sc.facts()).contact = { ...after };
  return { next: 'continue', outcome: 'updated', detail: { changes: patch } };
};

/**
 * Routing: round-robin hands the contact to the next person with the role;
 * on-call pages the primary and escalates down the chain when nobody
 * acknowledges within the window (acknowledge with POST /enrollments/:id/ack).
 */
export const route: StepRunner<'route'> = async (step, sc) => {
  if (step.mode === 'round_robin') {
    const user = await nextRoundRobin(sc, step.role ?? 'agent');
    if (!user) return { next: 'continue', outcome: 'skipped', detail: { reason: `nobody with the role ${step.role ?? 'agent'}` } };
    await updateContact(sc.ctx, sc.scope, sc.enrollment.contact_id, { ownerUserId: user.id }, sc.trx);
    ((await sc.facts()).contact as { ownerUserId?: string }).ownerUserId = user.id;
    return { next: 'continue', outcome: 'assigned', detail: { userId: user.id, name: user.name } };
  }
  const chain = await onCallChain(sc);
  const page = (sc.vars.page as { level: number; acked?: boolean } | undefined) ?? { level: -1 };
  if (page.acked) return { next: 'continue', outcome: 'acknowledged', detail: { level: page.level } };
  const level = page.level + 1;
  const person = chain[level];
  if (!person) {
    return { next: 'continue', outcome: 'unacknowledged', detail: { reason: chain.length ? 'nobody on the on-call chain acknowledged' : 'no on-call schedule', tried: level } };
  }
  const message = renderTemplate(step.message ?? 'Emergency for {{ business.name }}: {{ contact.name }} {{ contact.phone }}. Reply 1 or OK to take it.', await sc.facts());
  if (person.phone) {
    await enqueueMessage(
      sc.trx,
      { businessId: sc.business.id, channel: 'sms', purpose: 'transactional', to: person.phone, body: message, userId: person.id, contactId: sc.enrollment.contact_id, enrollmentId: sc.enrollment.id, step: sc.index, idempotencyKey: `enr:${sc.enrollment.id}:${sc.index}:page:${level}`, notBefore: sc.now.toISOString() },
      sc.now.toISOString(),
    );
  }
  sc.vars.page = { level, userId: person.id };
  const minutes = step.escalateAfterMinutes ?? sc.business.onCall.escalationMinutes;
  const until = new Date(sc.now.getTime() + minutes * 60_000);
  // Stay on this step: at the deadline it runs again and escalates unless acknowledged.
  return { next: 'retry_at', until, outcome: 'paged', detail: { userId: person.id, name: person.name, level, escalateAt: until.toISOString(), sms: Boolean(person.phone) } };
};

export const webhook: StepRunner<'webhook'> = async (step, sc) => {
  const now = sc.now.toISOString();
  const key = `enr:${sc.enrollment.id}:${sc.index}:${sc.enrollment.occurrence_key}`;
  const existing = await sc.trx.selectFrom('webhook_deliveries').select('id').where('idempotency_key', '=', key).executeTakeFirst();
  if (existing) return { next: 'continue', outcome: 'already_queued', detail: { deliveryId: existing.id } };
  const id = newId();
  const payload = { type: 'automation.step', automationId: sc.enrollment.automation_id, enrollmentId: sc.enrollment.id, contact: (await sc.facts()).contact, trigger: sc.vars.trigger ?? null, data: step.payload ?? {}, sentAt: now };
  await sc.trx
    .insertInto('webhook_deliveries')
    .values({ id, business_id: sc.business.id, subscription_id: null, enrollment_id: sc.enrollment.id, idempotency_key: key, url: step.url, event_type: 'automation.step', payload: JSON.stringify(payload), state: 'pending', attempts: 0, next_attempt_at: now, last_status: null, last_error: null, created_at: now, updated_at: now })
    .execute();
  return { next: 'continue', outcome: 'queued', detail: { deliveryId: id, url: step.url } };
};

/**
 * Approval: a rule can approve on its own (e.g. discount under $500);
 * otherwise a manager decides and the enrolment waits. The decision lands in
 * vars.approval ('approved' | 'rejected') for later branches.
 */
export const approval: StepRunner<'approval'> = async (step, sc) => {
  const decided = sc.vars.approval as { id: string; status: string; index: number } | undefined;
  if (decided && decided.index === sc.index && decided.status !== 'pending') {
    return { next: 'continue', outcome: decided.status, detail: { approvalId: decided.id } };
  }
  const amount = typeof step.amountCents === 'number' ? step.amountCents : step.amountCents ? Number(readPath(await sc.facts(), step.amountCents)) : null;
  const auto = step.autoApproveIf ? evaluate(step.autoApproveIf, { ...(await sc.facts()), vars: { ...sc.vars, amountCents: amount } }) : false;
  const id = newId();
  await sc.trx
    .insertInto('approvals')
    .values({ id, business_id: sc.business.id, enrollment_id: sc.enrollment.id, contact_id: sc.enrollment.contact_id, title: renderTemplate(step.title, await sc.facts()), amount_cents: Number.isFinite(amount) ? amount : null, approver_role: step.approverRole, status: auto ? 'auto_approved' : 'pending', decided_by: auto ? 'rule' : null, decided_at: auto ? sc.now.toISOString() : null, reason: auto ? 'matched the auto-approval rule' : null, created_at: sc.now.toISOString() })
    .execute();
  sc.vars.approval = { id, status: auto ? 'approved' : 'pending', index: sc.index };
  if (auto) return { next: 'continue', outcome: 'auto_approved', detail: { approvalId: id, amountCents: amount } };
  return { next: 'wait', waitingFor: { kind: 'approval', approvalId: id }, until: null, outcome: 'awaiting_approval', detail: { approvalId: id, approverRole: step.approverRole, amountCents: amount } };
};

export const stop: StepRunner<'stop'> = async (step) => ({ next: 'end', status: 'completed', reason: step.reason ?? 'stop_step', outcome: 'stopped', detail: { reason: step.reason ?? null } });
