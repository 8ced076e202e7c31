import { onCallAt } from '../../crm/businesses/schedule.ts';
import type { Role } from '../../access/users.ts';
import type { StepContext } from './types.ts';

export interface StaffMember {
  id: string;
  name: string;
  role: string;
  phone: string | null;
  email: string;
}

async function activeUsers(sc: StepContext): Promise<StaffMember[]> {
  return sc.trx
    .selectFrom('users')
    .select(['id', 'name', 'role', 'phone', 'email'])
    .where('business_id', '=', sc.business.id)
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The on-call chain right now: primary first, then the escalation order. */
export async function onCallChain(sc: StepContext): Promise<StaffMember[]> {
  const users = await activeUsers(sc);
  return onCallAt(sc.business.onCall, sc.now)
    .map((id) => users.find((u) => u.id === id))
    .filter((u): u is StaffMember => Boolean(u));
}

export async function byRole(sc: StepContext, role: Role): Promise<StaffMember[]> {
  return (await activeUsers(sc)).filter((u) => u.role === role);
}

export type StaffTarget = { userId: string } | { role: Role } | { onCall: true; escalateAfterMinutes?: number } | { contactOwner: true };

export async function resolveStaff(sc: StepContext, to: StaffTarget): Promise<StaffMember[]> {
  const users = await activeUsers(sc);
  if ('userId' in to) return users.filter((u) => u.id === to.userId);
  if ('role' in to) return users.filter((u) => u.role === to.role);
  if ('onCall' in to) return onCallChain(sc);
  const ownerId = ((await sc.facts()).contact as { ownerUserId?: string | null }).ownerUserId;
  const owner = users.filter((u) => u.id === ownerId);
  return owner.length ? owner : users.filter((u) => u.role === 'owner');
}

/**
 * Round-robin among users with a role: the one who was handed a contact by
 * this automation least recently goes next (ties by join order).
 */
export async function nextRoundRobin(sc: StepContext, role: Role): Promise<StaffMember | null> {
  const candidates = await byRole(sc, role);
  if (candidates.length === 0) return null;
  const recent = await sc.trx
    .selectFrom('enrollment_log')
    .innerJoin('enrollments', 'enrollments.id', 'enrollment_log.enrollment_id')
    .select(['enrollment_log.detail', 'enrollment_log.seq'])
    .where('enrollments.automation_id', '=', sc.enrollment.automation_id)
    .where('enrollment_log.step_type', '=', 'route')
    .where('enrollment_log.outcome', '=', 'assigned')
    .orderBy('enrollment_log.seq', 'desc')
    .limit(500)
    .execute();
  const lastTurn = new Map<string, number>();
  for (const r of recent) {
    const userId = (JSON.parse(r.detail) as { userId?: string }).userId;
    if (userId && !lastTurn.has(userId)) lastTurn.set(userId, Number(r.seq));
  }
  return [...candidates].sort((a, b) => (lastTurn.get(a.id) ?? -1) - (lastTurn.get(b.id) ?? -1))[0];
}
