import type { Executor } from '../db/database.ts';

export interface LogEntry {
  businessId: string;
  enrollmentId: string;
  contactId: string;
  step: number | null;
  stepType: string | null;
  outcome: string;
  detail: Record<string, unknown>;
  at: string;
}

/** Every decision an enrolment takes is written down, so "why did this contact get this text at 9:02?" has an answer. */
export async function writeLog(trx: Executor, e: LogEntry): Promise<void> {
  await trx
    .insertInto('enrollment_log')
    .values({ business_id: e.businessId, enrollment_id: e.enrollmentId, contact_id: e.contactId, step: e.step, step_type: e.stepType, outcome: e.outcome, detail: JSON.stringify(e.detail), at: e.at })
    .execute();
}
