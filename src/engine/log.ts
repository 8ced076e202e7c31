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
  await writeLogs(trx, [e]);
}

const toRow = (e: LogEntry) => ({ business_id: e.businessId, enrollment_id: e.enrollmentId, contact_id: e.contactId, step: e.step, step_type: e.stepType, outcome: e.outcome, detail: JSON.stringify(e.detail), at: e.at });

/** Several log lines in one statement, in order (chunked below SQLite's bound-parameter limit). */
export async function writeLogs(trx: Executor, entries: LogEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) await trx.insertInto('enrollment_log').values(entries.slice(i, i + 500).map(toRow)).execute();
}
