import type { Kysely } from 'kysely';

/**
 * The calendar entry a booked job's customer holds: jobs.calendar_invite (JSON,
 * null when no invite was sent) keeps its UID, SEQUENCE and what it last said,
 * so moving or cancelling the job sends an update of the same entry, once.
 */
export function bookingCalendar() {
  return {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run on an untyped handle by design
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable('jobs').addColumn('calendar_invite', 'text').execute();
    },
  };
}
