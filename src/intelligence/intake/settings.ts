/**
 * A business's intake settings (business.settings.intake): the confidence
 * below which a classification waits for a person, which kinds of reply may
 * go out without approval, and the voice replies are written in.
 */
import { z } from 'zod';
import { INTENTS } from './labels.ts';

export const intakeSettingsSchema = z
  .object({
    /** Classifications below this confidence go to the human review queue. */
    reviewThreshold: z.number().min(0).max(1).default(0.6),
    /** Reply kinds (intents) whose drafts are sent without waiting for approval. Empty: everything waits. */
    autoSend: z.array(z.enum(INTENTS)).max(INTENTS.length).default([]),
    /** How replies should sound ("friendly, short, first names"); given to the LLM. */
    voice: z.string().trim().max(500).optional(),
    /** Appended to template replies, e.g. "— Sam at Comfort Pro". */
    signature: z.string().trim().max(120).optional(),
  })
  .strict();
export type IntakeSettings = z.infer<typeof intakeSettingsSchema>;

/** Settings with defaults; a malformed block falls back to the safe defaults (everything waits for approval). */
export function intakeSettings(settings: Record<string, unknown> | undefined): IntakeSettings {
  const parsed = intakeSettingsSchema.safeParse(settings?.intake ?? {});
  return parsed.success ? parsed.data : intakeSettingsSchema.parse({});
}
