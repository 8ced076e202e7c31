import type { Executor } from '../db/database.ts';

/**
 * A technician's own rows: the jobs assigned to them, the contacts on those
 * jobs and the tasks assigned to them. Used where the permission table grants
 * a role `own` rather than `all`.
 */
export async function ownJob(db: Executor, businessId: string, userId: string, jobId: string): Promise<boolean> {
  const row = await db.selectFrom('jobs').select('id').where('business_id', '=', businessId).where('id', '=', jobId).where('technician_user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

export async function ownContact(db: Executor, businessId: string, userId: string, contactId: string): Promise<boolean> {
  const row = await db.selectFrom('jobs').select('id').where('business_id', '=', businessId).where('contact_id', '=', contactId).where('technician_user_id', '=', userId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function ownTask(db: Executor, businessId: string, userId: string, taskId: string): Promise<boolean> {
  const row = await db.selectFrom('tasks').select('id').where('business_id', '=', businessId).where('id', '=', taskId).where('assignee_user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}
