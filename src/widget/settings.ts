/**
 * How a business's website widget looks and behaves (business.settings.widget):
 * the colour, which corner it sits in, the chat greeting, the form's title,
 * the consent line shown next to the phone field, and whether the form and
 * the chat are offered at all.
 */
import { z } from 'zod';

export const widgetSettingsSchema = z
  .object({
    /** Off: /widget.js still loads (a pasted snippet must not break a site) but shows nothing. */
    enabled: z.boolean().default(true),
    form: z.boolean().default(true),
    chat: z.boolean().default(true),
    /** The accent colour (buttons, the bubble), as #rgb or #rrggbb. */
    color: z.string().regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'a colour like #0b6bcb').default('#0b6bcb'),
    position: z.enum(['right', 'left']).default('right'),
    /** The chat's first line; {business} is replaced by the business's name. */
    greeting: z.string().trim().min(1).max(200).default('Hi! Questions about {business}? Send us a message.'),
    formTitle: z.string().trim().min(1).max(80).default('Request service'),
    /** Shown next to the phone field; stored word for word with the lead when the visitor ticks it. */
    consentText: z
      .string()
      .trim()
      .min(10)
      .max(600)
      .default('I agree to receive text messages from {business} about my request. Msg & data rates may apply. Reply STOP to opt out.'),
  })
  .strict();
export type WidgetSettings = z.infer<typeof widgetSettingsSchema>;

/** Settings with defaults; a malformed block falls back to the defaults rather than breaking every site the snippet is on. */
export function widgetSettings(settings: Record<string, unknown> | undefined): WidgetSettings {
  const parsed = widgetSettingsSchema.safeParse(settings?.widget ?? {});
  return parsed.success ? parsed.data : widgetSettingsSchema.parse({});
}

const fill = (text: string, businessName: string) => text.replaceAll('{business}', businessName);

/** What the widget shows, with the business's name filled in: the consent line here is the exact text stored as evidence. */
export function widgetTexts(s: WidgetSettings, businessName: string) {
  return { greeting: fill(s.greeting, businessName), formTitle: s.formTitle, consentText: fill(s.consentText, businessName) };
}
