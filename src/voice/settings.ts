import { z } from 'zod';
import type { Business } from '../crm/businesses/schema.ts';
import { AppError, zodIssues } from '../lib/errors.ts';

/**
 * How a business wants its phone answered (business.settings.voice). Every
 * field has a default, so a business with no voice settings gets: ring the
 * team together for 20 s, then the receptionist; receptionist after hours;
 * no recording.
 */
export const voiceSettingsSchema = z
  .object({
    /** Ring every listed person at once, or one after another. */
    ringStrategy: z.enum(['simultaneous', 'sequential']).default('simultaneous'),
    /** Seconds each ring lasts (the whole ring when simultaneous, per person when sequential). */
    ringTimeoutSeconds: z.number().int().min(5).max(60).default(20),
    /** Who rings during business hours; empty: every active team member with a phone (technicians excluded). */
    ringUserIds: z.array(z.string().min(1)).max(20).default([]),
    /** Nobody picked up during business hours. */
    whenUnanswered: z.enum(['receptionist', 'voicemail']).default('receptionist'),
    /** Outside business hours. */
    afterHours: z.enum(['receptionist', 'voicemail']).default('receptionist'),
    /** Record calls (the caller is told first). */
    recordCalls: z.boolean().default(false),
    /** Seconds each on-call technician's phone rings before the next person is tried. */
    onCallRingSeconds: z.number().int().min(5).max(60).default(25),
    /** Re-asks of one question when the caller says nothing, before moving on. */
    maxReprompts: z.number().int().min(0).max(3).default(2),
    /** Upper bound on caller turns in one intake, whatever happens. */
    maxTurns: z.number().int().min(4).max(20).default(10),
    /** With an LLM configured: the most one caller turn may wait for it (Twilio gives a webhook 15 s in all). */
    llmTurnBudgetMs: z.number().int().min(200).max(8000).default(3000),
    /** Twilio <Say> voice and speech-recognition language. */
    voice: z.string().max(60).default('Polly.Joanna'),
    language: z.string().max(10).default('en-US'),
  })
  .strict();
export type VoiceSettings = z.infer<typeof voiceSettingsSchema>;

/** The business's voice settings with defaults; a bad stored value is a clear configuration error. */
export function voiceSettings(business: Business): VoiceSettings {
  const r = voiceSettingsSchema.safeParse(business.settings.voice ?? {});
  if (!r.success) throw new AppError('CONFIG_INVALID', `settings.voice of ${business.name}: ${zodIssues(r.error).map((i) => `${i.field}: ${i.message}`).join('; ')}`);
  return r.data;
}

/**
 * For a call in progress: a bad stored setting must not drop the call, so the
 * defaults answer and the problem is logged for the owner to fix.
 */
export function voiceSettingsForCall(business: Business, log: { warn(obj: object, msg?: string): void }): VoiceSettings {
  try {
    return voiceSettings(business);
  } catch (err) {
    log.warn({ businessId: business.id, err: (err as Error).message }, 'invalid settings.voice: answering with the defaults');
    return voiceSettingsSchema.parse({});
  }
}
