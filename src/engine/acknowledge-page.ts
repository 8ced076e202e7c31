import type { Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { notifyWorkers } from './facts.ts';
import { writeLog } from './log.ts';
import { enqueueMessage } from './outbox/enqueue.ts';

/**
 * Taking an on-call page, whoever takes it and however: the parts shared by
 * the voice receptionist's emergency pages (src/voice/acknowledge.ts) and an
 * automation's on-call `route` step, which is taken by a reply to its text
 * or through POST /enrollments/:id/ack (and `kinetic enrollment ack`).
 */

/** Who took a page. A user by name; an API key, the CLI or the system is "The office" with no user. */
export interface Acknowledger {
  userId: string | null;
  name: string;
}

/** Outbox states of a page that left (or may have left) for the person's phone. */
export const PAGED_STATES = ['sending', 'sent', 'delivered', 'unknown'];

/** What the route step keeps in the enrolment's vars while it pages (`vars.page`). */
export interface EnrollmentPage {
  level: number;
  userId?: string;
  acked?: boolean;
  ackedBy?: string | null;
  ackedByName?: string;
  ackedAt?: string;
  via?: string;
}

export const THE_OFFICE = 'The office';

/** The acknowledger a scope stands for: its user, or the office (API key, CLI, system). */
export async function acknowledgerOf(trx: Executor, scope: Scope): Promise<Acknowledger> {
  const userId = scope.actor.type === 'user' ? scope.actor.id : null;
  const user = userId ? await trx.selectFrom('users').select('name').where('business_id', '=', scope.businessId).where('id', '=', userId).executeTakeFirst() : undefined;
  return user && userId ? { userId, name: user.name } : { userId: null, name: THE_OFFICE };
}

async function staffPhone(trx: Executor, businessId: string, userId: string | null): Promise<string | null> {
  if (!userId) return null;
  const u = await trx.selectFrom('users').select('phone').where('business_id', '=', businessId).where('id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
  return u?.phone ?? null;
}

/**
 * Tells the acknowledger it is theirs and everyone else already paged (rows
 * that left the outbox) who has it. Once per page and person (idempotency keys).
 */
export async function announce(trx: Executor, business: Business, pagedRows: Array<{ user_id: string | null; to_address: string }>, who: Acknowledger, keyPrefix: string, about: string, now: string): Promise<string[]> {
  const others = new Map<string, string>();
  for (const r of pagedRows) if (r.user_id && r.user_id !== who.userId && !others.has(r.user_id)) others.set(r.user_id, r.to_address);
  const ids: string[] = [];
  const send = async (userId: string, to: string, body: string, kind: string) => {
    const { id } = await enqueueMessage(trx, { businessId: business.id, channel: 'sms', purpose: 'transactional', to, body, userId, idempotencyKey: `${keyPrefix}:${kind}:${userId}`, notBefore: now }, now);
    ids.push(id);
  };
  for (const [userId, to] of others) await send(userId, to, `${business.name}: ${who.name} has ${about}. No need to act.`, 'taken');
  const phone = await staffPhone(trx, business.id, who.userId);
  if (who.userId && phone) await send(who.userId, phone, `${business.name}: it's yours, ${about}. Escalation stopped${others.size ? '; the others paged know you have it' : ''}.`, 'ack');
  return ids;
}

export const pageOf = (vars: string): EnrollmentPage | null => (JSON.parse(vars) as { page?: EnrollmentPage }).page ?? null;

/** How texts name an enrolment's page: "the page for Ravi Patel". */
export async function enrollmentPageSubject(trx: Executor, businessId: string, contactId: string): Promise<string> {
  const contact = await trx.selectFrom('contacts').select(['display_name', 'phone']).where('business_id', '=', businessId).where('id', '=', contactId).executeTakeFirst();
  return `the page for ${contact?.display_name || contact?.phone || 'a customer'}`;
}

/** Who took an enrolment's page, by name (pages taken before names were kept: looked up). */
export async function pageTakenBy(trx: Executor, businessId: string, page: EnrollmentPage): Promise<string | null> {
  if (!page.acked) return null;
  if (page.ackedByName) return page.ackedByName;
  const user = page.ackedBy ? await trx.selectFrom('users').select('name').where('business_id', '=', businessId).where('id', '=', page.ackedBy).executeTakeFirst() : undefined;
  return user?.name ?? 'someone';
}

/**
 * An automation's on-call page (route step) taken: records who has it in
 * `vars.page`, wakes the enrolment so the step continues instead of
 * escalating, logs and audits it, and texts the acknowledger a confirmation
 * and everyone already paged who has it. A page already taken, an enrolment
 * that pages nobody or has finished is a conflict; so is a page that changed
 * under us (the step escalated meanwhile), so two people never both get
 * "it's yours".
 */
export async function acknowledgeEnrollmentPage(trx: Executor, scope: Scope, business: Business, enrollmentId: string, who: Acknowledger, via: string, at: Date): Promise<void> {
  const now = at.toISOString();
  const row = await trx.selectFrom('enrollments').selectAll().where('business_id', '=', business.id).where('id', '=', enrollmentId).executeTakeFirst();
  if (!row) throw notFound('enrollment', enrollmentId);
  const vars = JSON.parse(row.vars) as Record<string, unknown>;
  const page = vars.page as EnrollmentPage | undefined;
  if (!page) throw new AppError('CONFLICT', 'this enrolment is not paging anyone');
  const taken = await pageTakenBy(trx, business.id, page);
  if (taken) throw new AppError('CONFLICT', `${who.userId && page.ackedBy === who.userId ? 'you already have' : `${taken} already has`} this page (since ${page.ackedAt})`);
  if (!['active', 'waiting', 'parked'].includes(row.status)) throw new AppError('CONFLICT', `the enrolment has already finished (${row.status})`);

  vars.page = { ...page, acked: true, ackedBy: who.userId, ackedByName: who.name, ackedAt: now, via } satisfies EnrollmentPage;
  const updated = await trx
    .updateTable('enrollments')
    .set({ vars: JSON.stringify(vars), next_run_at: now, updated_at: now })
    .where('business_id', '=', business.id)
    .where('id', '=', enrollmentId)
    .where('vars', '=', row.vars)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new AppError('CONFLICT', 'the page changed while it was being taken (it may have escalated); look again and retry');

  await writeLog(trx, { businessId: business.id, enrollmentId, contactId: row.contact_id, step: row.step, stepType: null, outcome: 'acknowledged', detail: { by: scope.actor, name: who.name, via }, at: now });
  await recordChange(trx, scope, now, { entityType: 'enrollment', entityId: enrollmentId, action: 'update', before: { status: row.status }, after: { action: 'ack', via, acknowledgedBy: who.name } });
  const paged = await trx.selectFrom('outbox').select(['user_id', 'to_address']).where('business_id', '=', business.id).where('enrollment_id', '=', enrollmentId).where('idempotency_key', 'like', 'enr:%:page:%').where('state', 'in', PAGED_STATES).execute();
  await announce(trx, business, paged, who, `enr:${enrollmentId}`, await enrollmentPageSubject(trx, business.id, row.contact_id), now);
  await notifyWorkers(trx);
}
