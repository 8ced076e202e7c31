import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { weeklyHoursSchema, type WeeklyHours } from '../crm/businesses/schema.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { isoNow } from '../lib/clock.ts';
import { notFound } from '../lib/errors.ts';

/**
 * A technician's working week, in the business's time zone, and days off.
 * Without a stored schedule a technician works the business's opening hours.
 */
export interface TechnicianSchedule {
  userId: string;
  /** null: follows the business hours. */
  weeklyHours: WeeklyHours | null;
  daysOff: string[];
  updatedAt: string | null;
}

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-03-05')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a real date');

export const scheduleInputSchema = z
  .object({
    weeklyHours: weeklyHoursSchema.nullable(),
    daysOff: z.array(isoDate).max(366).default([]),
  })
  .strict();

async function assertUser(trx: Executor, businessId: string, userId: string): Promise<void> {
  const user = await trx.selectFrom('users').select('id').where('business_id', '=', businessId).where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound('user', userId);
}

export async function getTechnicianSchedule(ctx: AppContext, scope: Scope, userId: string, trx: Executor = ctx.db.kysely): Promise<TechnicianSchedule> {
  await assertUser(trx, scope.businessId, userId);
  const row = await trx.selectFrom('technician_schedules').selectAll().where('business_id', '=', scope.businessId).where('user_id', '=', userId).executeTakeFirst();
  if (!row) return { userId, weeklyHours: null, daysOff: [], updatedAt: null };
  return { userId, weeklyHours: JSON.parse(row.weekly_hours) as WeeklyHours | null, daysOff: JSON.parse(row.days_off) as string[], updatedAt: row.updated_at };
}

/** Replaces the whole schedule (PUT semantics). */
export async function setTechnicianSchedule(ctx: AppContext, scope: Scope, userId: string, input: unknown): Promise<TechnicianSchedule> {
  const data = parseInput(scheduleInputSchema, input);
  return ctx.db.transaction(async (trx) => {
    const before = await getTechnicianSchedule(ctx, scope, userId, trx);
    const now = isoNow(ctx.clock);
    const daysOff = [...new Set(data.daysOff)].sort();
    const values = { weekly_hours: JSON.stringify(data.weeklyHours), days_off: JSON.stringify(daysOff), updated_at: now };
    await trx
      .insertInto('technician_schedules')
      .values({ business_id: scope.businessId, user_id: userId, ...values })
      .onConflict((oc) => oc.columns(['business_id', 'user_id']).doUpdateSet(values))
      .execute();
    const after: TechnicianSchedule = { userId, weeklyHours: data.weeklyHours, daysOff, updatedAt: now };
    await recordChange(trx, scope, now, { entityType: 'technician_schedule', entityId: userId, action: 'update', before: { ...before }, after: { ...after } });
    return after;
  });
}

/** Every active technician of the business with their schedule (stored or defaulted). */
export async function loadTechnicians(trx: Executor, businessId: string): Promise<Array<{ id: string; name: string; schedule: TechnicianSchedule }>> {
  const users = await trx
    .selectFrom('users')
    .leftJoin('technician_schedules as s', (j) => j.onRef('s.user_id', '=', 'users.id').on('s.business_id', '=', businessId))
    .select(['users.id', 'users.name', 's.weekly_hours', 's.days_off', 's.updated_at'])
    .where('users.business_id', '=', businessId)
    .where('users.role', '=', 'technician')
    .where('users.disabled_at', 'is', null)
    .orderBy('users.created_at')
    .orderBy('users.id')
    .execute();
  return users.map((u) => ({
    id: u.id,
    name: u.name,
    schedule: {
      userId: u.id,
      weeklyHours: u.weekly_hours ? (JSON.parse(u.weekly_hours) as WeeklyHours | null) : null,
      daysOff: u.days_off ? (JSON.parse(u.days_off) as string[]) : [],
      updatedAt: u.updated_at ?? null,
    },
  }));
}
