import { PostgresAdapter, sql } from 'kysely';
import { DateTime } from 'luxon';
import type { Executor } from '../../db/database.ts';
import { AppError } from '../../lib/errors.ts';
import type { Job } from './jobs.ts';

type Slot = Pick<Job, 'id' | 'status' | 'scheduledStart' | 'scheduledEnd' | 'technicianUserId' | 'source'>;

/**
 * Whether a write puts a job on a technician's calendar at a time that needs
 * checking: a new scheduled job, or one whose time, technician or status
 * changed. Edits that leave the slot as it was (notes, amount) are not
 * re-checked, so jobs that overlapped before this rule existed stay editable.
 * A new online booking was already checked by the booking search (stricter:
 * with the buffer between jobs), which also knows the job a move through the
 * booking link replaces, still scheduled until the new one commits.
 */
export function takesNewSlot(after: Slot, before: Slot | null): boolean {
  if (after.status !== 'scheduled' || !after.technicianUserId || !after.scheduledStart || !after.scheduledEnd) return false;
  if (!before) return after.source !== 'booking';
  return before.status !== after.status || before.technicianUserId !== after.technicianUserId || before.scheduledStart !== after.scheduledStart || before.scheduledEnd !== after.scheduledEnd;
}

/**
 * Refuses (409) a scheduled job that overlaps another scheduled job of the
 * same technician: a technician is in one place at a time. Back to back is
 * fine (one ends when the next starts). On PostgreSQL a transaction-scoped
 * advisory lock per technician makes two concurrent moves into the same time
 * wait for each other, so the second sees the first; SQLite has one writer.
 */
export async function refuseDoubleBooking(trx: Executor, businessId: string, job: Slot): Promise<void> {
  if (!job.technicianUserId || !job.scheduledStart || !job.scheduledEnd) return;
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`kinetic.technician:${businessId}:${job.technicianUserId}`}, 0))`.execute(trx);
  }
  const clash = await trx
    .selectFrom('jobs')
    .select(['id', 'service_type', 'scheduled_start', 'scheduled_end', 'contact_id'])
    .where('business_id', '=', businessId)
    .where('technician_user_id', '=', job.technicianUserId)
    .where('status', '=', 'scheduled')
    .where('id', '!=', job.id)
    .where('scheduled_start', '<', job.scheduledEnd)
    .where('scheduled_end', '>', job.scheduledStart)
    .orderBy('scheduled_start')
    .executeTakeFirst();
  if (!clash) return;
  const contact = clash.contact_id ? await trx.selectFrom('contacts').select('display_name').where('business_id', '=', businessId).where('id', '=', clash.contact_id).executeTakeFirst() : undefined;
  const business = await trx.selectFrom('businesses').select('time_zone').where('id', '=', businessId).executeTakeFirst();
  const tech = await trx.selectFrom('users').select('name').where('business_id', '=', businessId).where('id', '=', job.technicianUserId).executeTakeFirst();
  const zone = business?.time_zone ?? 'UTC';
  const at = (iso: string, format: string) => DateTime.fromISO(iso, { zone }).toFormat(format);
  const start = String(clash.scheduled_start);
  const end = String(clash.scheduled_end);
  const who = contact ? ` for ${contact.display_name}` : '';
  throw new AppError(
    'CONFLICT',
    `${tech?.name ?? 'This technician'} already has a job at that time: ${clash.service_type.replace(/_/g, ' ')}${who}, ${at(start, 'ccc LLL d, h:mm a')}–${at(end, 'h:mm a ZZZZ')}. Choose another time or technician.`,
    { field: 'scheduledStart', conflictingJobId: clash.id, conflictingStart: start, conflictingEnd: end },
  );
}
