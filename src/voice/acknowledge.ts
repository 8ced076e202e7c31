import type { Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { acknowledgeEnrollmentPage, acknowledgerOf, announce, enrollmentPageSubject, pageOf, pageTakenBy, PAGED_STATES, type Acknowledger } from '../engine/acknowledge-page.ts';
import { cancelQueuedMessages } from '../engine/outbox/cancel.ts';
import { event } from '../events/record.ts';
import { loadCall, saveCall, type CallAcknowledgement, type VoiceCall } from './calls.ts';
import { callbackNumberOf } from './script.ts';

/**
 * On-call acknowledgement, as paging products do it: every page tells the
 * person to reply; the first reply that takes it (or the call being answered
 * on the on-call dial, or the urgent task being taken or done) stops the
 * escalation. Texts still waiting in the outbox are cancelled, the call
 * records who has it, that person gets a confirmation and everyone already
 * paged is told who has it. A page from an automation's on-call route step
 * (an enrolment) is acknowledged the same way by a reply.
 */

/** Appended to every page, so the person knows how to take it. */
export const ACK_PROMPT = 'Reply 1 or OK to take it.';
/** Outbox purposes (in the idempotency key) of voice texts that page someone. */
export const PAGE_PURPOSES = ['on-call', 'escalated'] as const;

const ACK_PHRASES = ['1', 'ok', 'okay', 'k', 'kk', 'on it', 'im on it', 'got it', 'i got it', 'ive got it', 'yes', 'y', 'yep', 'yeah', 'taking it', 'im taking it', 'ill take it', 'i will take it', 'mine', 'ack', '👍'];
// Longest first, so "on it" is read before a shorter phrase that starts the same way.
const BY_LENGTH = [...ACK_PHRASES].sort((a, b) => b.length - a.length);

/**
 * Whether a team member's text takes the page: one or more of the phrases
 * (1, ok, on it, got it, yes, taking it, …) and nothing else, any case,
 * trailing full stops and exclamation marks ignored. A question ("ok?") or
 * anything more ("on it in an hour") is not an acknowledgement. Pure.
 */
export function isAcknowledgement(text: string): boolean {
  if (text.includes('?')) return false;
  let rest = text.normalize('NFKC').toLowerCase().replace(/['’]/g, '').replace(/[.,!;:]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (!rest) return false;
  while (rest) {
    const phrase = BY_LENGTH.find((p) => rest === p || rest.startsWith(`${p} `) || (p === '👍' && rest.startsWith(p)));
    if (!phrase) return false;
    rest = rest.slice(phrase.length).trim();
  }
  return true;
}

export type AckVia = CallAcknowledgement['via'];
const callerOf = (call: VoiceCall) => call.state.intake.name ?? callbackNumberOf(call.state.intake) ?? call.from;

/**
 * Acknowledges an emergency call's page: cancels the escalation texts still
 * queued, records who has it on the call, its logged interaction and its
 * urgent task, and sends the confirmation texts. The caller saves `call`.
 * A second acknowledgement changes nothing and says who has it.
 */
export async function acknowledgeCall(trx: Executor, business: Business, call: VoiceCall, who: Acknowledger, via: AckVia, at: Date): Promise<{ status: 'acknowledged' | 'already' | 'not_paging'; acknowledged: CallAcknowledgement | null }> {
  const decision = call.decision;
  if (!decision || decision.route !== 'emergency') return { status: 'not_paging', acknowledged: null };
  if (decision.acknowledged) return { status: 'already', acknowledged: decision.acknowledged };
  const now = at.toISOString();
  const pageIds = decision.outboxIds ?? [];
  const how = via === 'sms' ? 'replied to the page' : via === 'task' ? 'took the task' : 'answered the on-call call';
  const cancelled = await cancelQueuedMessages(trx, business.id, { ids: pageIds }, `escalation stopped: ${who.name} ${how} at ${now}`, now);
  const paged = pageIds.length ? await trx.selectFrom('outbox').select(['user_id', 'to_address']).where('business_id', '=', business.id).where('id', 'in', pageIds).where('state', 'in', PAGED_STATES).execute() : [];
  const caller = callerOf(call);
  const callback = callbackNumberOf(call.state.intake);
  const notices = await announce(trx, business, paged, who, `voice:${call.callSid}`, `the emergency for ${callback && callback !== caller ? `${caller} (${callback})` : caller}`, now);
  const ack: CallAcknowledgement = { userId: who.userId, name: who.name, at: now, via, cancelledOutboxIds: cancelled };
  decision.acknowledged = ack;
  decision.outboxIds = [...pageIds, ...notices.filter((id) => !pageIds.includes(id))];
  const scope: Scope = { businessId: business.id, actor: who.userId ? { type: 'user', id: who.userId } : { type: 'system', id: null } };

  if (call.interactionId && call.contactId) {
    const row = await trx.selectFrom('interactions').select('metadata').where('business_id', '=', business.id).where('id', '=', call.interactionId).executeTakeFirst();
    if (row) {
      const metadata = { ...(JSON.parse(row.metadata) as Record<string, unknown>), acknowledgedBy: who.name, acknowledgedByUserId: who.userId, acknowledgedAt: now, acknowledgedVia: via };
      await trx.updateTable('interactions').set({ metadata: JSON.stringify(metadata) }).where('business_id', '=', business.id).where('id', '=', call.interactionId).execute();
      await recordChange(trx, scope, now, { entityType: 'interaction', entityId: call.interactionId, action: 'update', before: {}, after: { acknowledgedBy: who.name, acknowledgedAt: now }, events: [event('interaction.updated', { contactId: call.contactId, interactionId: call.interactionId, changed: ['metadata'] })] });
    }
  }
  // The urgent task goes to whoever took the emergency (a task taken in the API already says who).
  if (decision.taskId && who.userId && via !== 'task') {
    const task = await trx.selectFrom('tasks').select(['assignee_user_id', 'contact_id']).where('business_id', '=', business.id).where('id', '=', decision.taskId).where('status', '=', 'open').executeTakeFirst();
    if (task && task.assignee_user_id !== who.userId) {
      await trx.updateTable('tasks').set({ assignee_user_id: who.userId, updated_at: now }).where('business_id', '=', business.id).where('id', '=', decision.taskId).execute();
      await recordChange(trx, scope, now, { entityType: 'task', entityId: decision.taskId, action: 'update', before: { assigneeUserId: task.assignee_user_id }, after: { assigneeUserId: who.userId }, events: [event('task.updated', { taskId: decision.taskId, contactId: task.contact_id, changed: ['assigneeUserId'] })] });
    }
  }
  await recordChange(trx, scope, now, { entityType: 'call', entityId: call.callSid, action: 'update', before: {}, after: { acknowledgedBy: who.name, acknowledgedByUserId: who.userId, via, cancelledOutboxIds: cancelled } });
  return { status: 'acknowledged', acknowledged: ack };
}

/**
 * The urgent task of an emergency call (origin call:<CallSid>) was taken or
 * done through the tasks API: that is an acknowledgement by whoever did it.
 */
export async function acknowledgeFromTask(trx: Executor, scope: Scope, task: { originRef: string | null; assigneeUserId: string | null }, now: string): Promise<void> {
  const callSid = task.originRef?.startsWith('call:') ? task.originRef.slice(5) : null;
  if (!callSid) return;
  const call = await loadCall(trx, scope.businessId, callSid);
  if (!call || call.decision?.route !== 'emergency' || call.decision.acknowledged) return;
  const business = await loadBusiness(trx, scope.businessId);
  const who = await acknowledgerOf(trx, scope);
  const result = await acknowledgeCall(trx, business, call, who, 'task', new Date(now));
  if (result.status === 'acknowledged') await saveCall(trx, call, now);
}

interface OpenPage {
  kind: 'call' | 'enrollment';
  id: string;
  about: string;
  acknowledgedBy: string | null;
}

/** The pages this person was sent in the last day (newest first), with whether someone already took each. */
async function recentPages(trx: Executor, businessId: string, userId: string, now: Date): Promise<OpenPage[]> {
  const since = new Date(now.getTime() - 86_400_000).toISOString();
  const rows = await trx
    .selectFrom('outbox')
    .select(['idempotency_key', 'enrollment_id', 'contact_id'])
    .where('business_id', '=', businessId)
    .where('user_id', '=', userId)
    .where('state', 'in', PAGED_STATES)
    .where('not_before', '>', since)
    .where((eb) => eb.or([...PAGE_PURPOSES.map((p) => eb('idempotency_key', 'like', `voice:%:${p}:%`)), eb.and([eb('enrollment_id', 'is not', null), eb('idempotency_key', 'like', 'enr:%:page:%')])]))
    .orderBy('not_before', 'desc')
    .limit(20)
    .execute();
  const pages: OpenPage[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (r.enrollment_id) {
      if (seen.has(r.enrollment_id)) continue;
      seen.add(r.enrollment_id);
      const en = await trx.selectFrom('enrollments').select(['status', 'vars', 'contact_id']).where('business_id', '=', businessId).where('id', '=', r.enrollment_id).executeTakeFirst();
      const page = en ? pageOf(en.vars) : null;
      if (!en || !page || (en.status !== 'active' && !page.acked)) continue;
      pages.push({ kind: 'enrollment', id: r.enrollment_id, about: await enrollmentPageSubject(trx, businessId, en.contact_id), acknowledgedBy: await pageTakenBy(trx, businessId, page) });
    } else {
      const callSid = r.idempotency_key.split(':')[1];
      if (seen.has(callSid)) continue;
      seen.add(callSid);
      const call = await loadCall(trx, businessId, callSid);
      if (!call || call.decision?.route !== 'emergency') continue;
      pages.push({ kind: 'call', id: callSid, about: `the emergency for ${callerOf(call)}`, acknowledgedBy: call.decision.acknowledged?.name ?? null });
    }
  }
  return pages;
}

/**
 * A text from a team member's phone. Never a customer message: it either takes
 * the newest open page sent to them (an emergency call or an automation's
 * on-call route), or gets a short answer. Returns what to reply on the spot
 * (confirmations go through the outbox).
 */
export async function handleStaffText(trx: Executor, business: Business, staff: { id: string; name: string }, body: string, at: Date): Promise<{ reply: string | null; acknowledged: { kind: 'call' | 'enrollment'; id: string } | null }> {
  const pages = await recentPages(trx, business.id, staff.id, at);
  const open = pages.find((p) => !p.acknowledgedBy);
  if (!isAcknowledgement(body)) {
    return { reply: open ? `${business.name}: to take ${open.about}, ${ACK_PROMPT.charAt(0).toLowerCase()}${ACK_PROMPT.slice(1)}` : null, acknowledged: null };
  }
  if (!open) {
    const taken = pages[0];
    return { reply: taken ? `${business.name}: ${taken.acknowledgedBy === staff.name ? 'you already have' : `${taken.acknowledgedBy} already has`} ${taken.about}.` : `${business.name}: there is no page waiting for you.`, acknowledged: null };
  }
  const who = { userId: staff.id, name: staff.name };
  if (open.kind === 'enrollment') {
    // The same acknowledgement as POST /enrollments/:id/ack, so the route step reads it the same way.
    await acknowledgeEnrollmentPage(trx, { businessId: business.id, actor: { type: 'user', id: staff.id } }, business, open.id, who, 'sms', at);
  } else {
    const call = (await loadCall(trx, business.id, open.id))!;
    await acknowledgeCall(trx, business, call, who, 'sms', at);
    await saveCall(trx, call, at.toISOString());
  }
  return { reply: null, acknowledged: { kind: open.kind, id: open.id } };
}

/** The active team member whose phone sent this text, if any. */
export async function teamMemberByPhone(trx: Executor, businessId: string, phone: string): Promise<{ id: string; name: string } | null> {
  const u = await trx.selectFrom('users').select(['id', 'name']).where('business_id', '=', businessId).where('phone', '=', phone).where('disabled_at', 'is', null).orderBy('created_at').executeTakeFirst();
  return u ?? null;
}
