import type { Executor } from '../db/database.ts';

/**
 * Slot claims: a booked job holds every 5-minute unit of its technician's time
 * from its start to its end plus the buffer, one row per unit under a primary
 * key (business, technician, unit). Two bookings that overlap in any unit
 * cannot both commit, whatever the timing: the database refuses the second.
 */
export const UNIT_MS = 5 * 60_000;

/** The unit starts (UTC ISO) covering [start, end + buffer). */
export function claimUnits(start: string, end: string, bufferMinutes: number): string[] {
  const first = Math.floor(Date.parse(start) / UNIT_MS) * UNIT_MS;
  const last = Math.ceil((Date.parse(end) + bufferMinutes * 60_000) / UNIT_MS) * UNIT_MS;
  const units: string[] = [];
  for (let t = first; t < last; t += UNIT_MS) units.push(new Date(t).toISOString());
  return units;
}

/**
 * Frees units whose job no longer holds them (cancelled, completed, moved to
 * another time or technician, deleted), so they can be booked again.
 */
export async function releaseStaleClaims(trx: Executor, businessId: string, technicianId: string, units: string[], bufferMinutes: number): Promise<void> {
  if (units.length === 0) return;
  const claims = await trx
    .selectFrom('booking_slot_claims as c')
    .leftJoin('jobs as j', (j) => j.onRef('j.id', '=', 'c.job_id').on('j.business_id', '=', businessId))
    .select(['c.unit_start', 'c.job_id', 'j.status', 'j.technician_user_id', 'j.scheduled_start', 'j.scheduled_end'])
    .where('c.business_id', '=', businessId)
    .where('c.technician_user_id', '=', technicianId)
    .where('c.unit_start', '>=', units[0])
    .where('c.unit_start', '<=', units[units.length - 1])
    .execute();
  const stale = claims.filter((c) => {
    if (c.status !== 'scheduled' || c.technician_user_id !== technicianId || !c.scheduled_start || !c.scheduled_end) return true;
    return !claimUnits(c.scheduled_start, c.scheduled_end, bufferMinutes).includes(c.unit_start);
  });
  if (stale.length === 0) return;
  await trx
    .deleteFrom('booking_slot_claims')
    .where('business_id', '=', businessId)
    .where('technician_user_id', '=', technicianId)
    .where('unit_start', 'in', stale.map((c) => c.unit_start))
    .execute();
}

/** Inserts the claims; throws the database's unique violation if any unit is already held. */
export async function claimSlot(trx: Executor, businessId: string, technicianId: string, units: string[], jobId: string, now: string): Promise<void> {
  await trx
    .insertInto('booking_slot_claims')
    .values(units.map((unit_start) => ({ business_id: businessId, technician_user_id: technicianId, unit_start, job_id: jobId, created_at: now })))
    .execute();
}

/** Frees a job's claims (it was cancelled or moved through the booking link). */
export async function releaseJobClaims(trx: Executor, businessId: string, jobId: string): Promise<void> {
  await trx.deleteFrom('booking_slot_claims').where('business_id', '=', businessId).where('job_id', '=', jobId).execute();
}
