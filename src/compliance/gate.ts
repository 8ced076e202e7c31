import { z } from 'zod';
import { nextAllowedSendTime, type MessagePurpose, type QuietHoursRules } from './quiet-hours.ts';

/**
 * The one decision every outbound customer message passes through: may it go
 * now, must it wait (quiet hours, frequency cap), or must it not go at all
 * (opted out, suppressed, no consent for marketing texts, no address)?
 * Pure: a function of its inputs, table-tested.
 */
export type SendDecision =
  | { action: 'send' }
  | { action: 'defer'; until: Date; reason: string }
  | { action: 'skip'; reason: string; optedOut?: boolean };

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const minutes = (v: string) => Number(v.slice(0, 2)) * 60 + Number(v.slice(3));

/** Per-business compliance settings (business.settings.compliance). */
export const complianceSettingsSchema = z
  .object({
    quietHours: z
      .object({ start: hhmm.default('08:00'), end: hhmm.default('21:00'), closedDays: z.array(z.number().int().min(1).max(7)).default([]) })
      .strict()
      .default({ start: '08:00', end: '21:00', closedDays: [] }),
    marketingPerDay: z.number().int().min(0).max(20).default(1),
    marketingPerWeek: z.number().int().min(0).max(50).default(3),
  })
  .strict();
export type ComplianceSettings = z.infer<typeof complianceSettingsSchema>;

export const complianceSettings = (settings: Record<string, unknown> | undefined): ComplianceSettings =>
  complianceSettingsSchema.parse((settings?.compliance as object | undefined) ?? {});

export const businessQuietRules = (c: ComplianceSettings): QuietHoursRules => ({
  window: { start: minutes(c.quietHours.start), end: minutes(c.quietHours.end) },
  days: Object.fromEntries(c.quietHours.closedDays.map((d) => [d, null])),
});

export interface GateInput {
  channel: 'sms' | 'email';
  purpose: MessagePurpose;
  now: Date;
  address: string | null;
  consent: 'granted' | 'revoked' | 'unknown';
  suppressed: boolean;
  timeZone: string;
  /** US state of the recipient, for state quiet-hours rules. */
  state: string | null;
  settings: ComplianceSettings;
  /** When this contact was sent marketing messages (any channel), newest first or any order. */
  recentMarketingSends: Date[];
  /**
   * A transactional answer to a message the recipient sent minutes ago (the safety advice for an
   * emergency they just reported): they started the conversation, so quiet hours do not hold it.
   * Consent, suppression and opt-outs still do.
   */
  answersTheirMessage?: boolean;
}

const DAY = 86_400_000;

export function decideSend(input: GateInput): SendDecision {
  if (!input.address) return { action: 'skip', reason: `no ${input.channel === 'sms' ? 'mobile number' : 'email address'}` };
  if (input.suppressed) return { action: 'skip', reason: `${input.address} is on the suppression list`, optedOut: true };
  if (input.consent === 'revoked') return { action: 'skip', reason: `opted out of ${input.channel}`, optedOut: true };
  if (input.channel === 'sms' && input.purpose === 'marketing' && input.consent !== 'granted') {
    return { action: 'skip', reason: 'no SMS marketing consent on record' };
  }
  if (input.purpose === 'marketing') {
    const { marketingPerDay, marketingPerWeek } = input.settings;
    const t = input.now.getTime();
    const sorted = input.recentMarketingSends.map((d) => d.getTime()).sort((a, b) => b - a);
    const inDay = sorted.filter((s) => t - s < DAY);
    const inWeek = sorted.filter((s) => t - s < 7 * DAY);
    if (marketingPerDay === 0 || marketingPerWeek === 0) return { action: 'skip', reason: 'marketing messages are turned off for this business' };
    // With sends sorted newest first, room opens when the cap-th newest send leaves the window.
    if (inDay.length >= marketingPerDay) {
      return { action: 'defer', until: new Date(inDay[marketingPerDay - 1] + DAY), reason: `frequency cap: ${marketingPerDay} marketing message(s) per day` };
    }
    if (inWeek.length >= marketingPerWeek) {
      return { action: 'defer', until: new Date(inWeek[marketingPerWeek - 1] + 7 * DAY), reason: `frequency cap: ${marketingPerWeek} marketing messages per week` };
    }
  }
  if (input.channel === 'sms' && !(input.answersTheirMessage && input.purpose === 'transactional')) {
    const until = nextAllowedSendTime({ at: input.now, timeZone: input.timeZone, purpose: input.purpose, state: input.state, business: businessQuietRules(input.settings) });
    if (until.getTime() !== input.now.getTime()) return { action: 'defer', until, reason: `quiet hours in ${input.timeZone}` };
  }
  return { action: 'send' };
}
