import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { isoNow } from '../lib/clock.ts';

/** How a business's bookable slots are laid out. */
export interface BookingSettings {
  /** Travel/clean-up time kept free after every job of a technician. */
  bufferMinutes: number;
  /** Slot starts are this far apart, from the opening time. */
  slotStepMinutes: number;
  /** The earliest bookable start is this long after now. */
  minNoticeMinutes: number;
  /** How far ahead the public page offers slots. */
  horizonDays: number;
}

export const defaultBookingSettings: BookingSettings = { bufferMinutes: 30, slotStepMinutes: 30, minNoticeMinutes: 120, horizonDays: 14 };

export const bookingSettingsSchema = z
  .object({
    bufferMinutes: z.number().int().min(0).max(480).multipleOf(5, 'must be a multiple of 5 minutes'),
    slotStepMinutes: z.number().int().min(5).max(240).multipleOf(5, 'must be a multiple of 5 minutes'),
    minNoticeMinutes: z.number().int().min(0).max(14 * 24 * 60),
    horizonDays: z.number().int().min(1).max(90),
  })
  .partial()
  .strict();

export async function getBookingSettings(ctx: AppContext, scope: Scope, trx: Executor = ctx.db.kysely): Promise<BookingSettings> {
  const row = await trx.selectFrom('booking_settings').selectAll().where('business_id', '=', scope.businessId).executeTakeFirst();
  if (!row) return { ...defaultBookingSettings };
  return { bufferMinutes: row.buffer_minutes, slotStepMinutes: row.slot_step_minutes, minNoticeMinutes: row.min_notice_minutes, horizonDays: row.horizon_days };
}

/** Sets some or all settings; the rest keep their values. */
export async function updateBookingSettings(ctx: AppContext, scope: Scope, input: unknown): Promise<BookingSettings> {
  const patch = parseInput(bookingSettingsSchema, input);
  return ctx.db.transaction(async (trx) => {
    const before = await getBookingSettings(ctx, scope, trx);
    const after: BookingSettings = { ...before, ...patch };
    const now = isoNow(ctx.clock);
    const values = { buffer_minutes: after.bufferMinutes, slot_step_minutes: after.slotStepMinutes, min_notice_minutes: after.minNoticeMinutes, horizon_days: after.horizonDays, updated_at: now };
    await trx
      .insertInto('booking_settings')
      .values({ business_id: scope.businessId, ...values })
      .onConflict((oc) => oc.column('business_id').doUpdateSet(values))
      .execute();
    await recordChange(trx, scope, now, { entityType: 'booking_settings', entityId: scope.businessId, action: 'update', before: { ...before }, after: { ...after } });
    return after;
  });
}
