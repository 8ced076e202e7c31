import { DateTime } from 'luxon';

/**
 * When a message may reach a person, in their own time zone. The federal
 * TCPA window is 8:00–21:00 local; some states are narrower for marketing
 * messages (and some close on Sundays or holidays); a business may narrow it
 * further. Outside the window a message is deferred to the next allowed
 * moment, never dropped.
 */
export interface SendWindow {
  /** Local start, minutes after midnight (inclusive). */
  start: number;
  /** Local end, minutes after midnight (exclusive). */
  end: number;
}

export interface QuietHoursRules {
  /** Default window for every day. */
  window: SendWindow;
  /** Per ISO weekday (1 = Monday … 7 = Sunday): a narrower window, or null = no sending that day. */
  days?: Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, SendWindow | null>>;
}

const hm = (h: number, m = 0) => h * 60 + m;
export const FEDERAL_WINDOW: SendWindow = { start: hm(8), end: hm(21) };

/**
 * State rules for marketing messages (telephone-solicitation statutes that
 * reach texts): FL (FTSA, 8–20), OK (Telephone Solicitation Act, 8–20),
 * MD (Stop the Spam Calls Act, 8–20), WA (RCW 80.36.390, 8–20),
 * TX (Bus. & Com. Code §301.051: 9–21, Sundays 12–21),
 * LA (R.S. 45:844.14: 8–20, none on Sundays), AL (8–20, none on Sundays),
 * MS (8–20, none on Sundays), RI (9–18 weekdays, 10–17 Saturday, none Sunday).
 */
export const STATE_MARKETING_RULES: Record<string, QuietHoursRules> = {
  FL: { window: { start: hm(8), end: hm(20) } },
  OK: { window: { start: hm(8), end: hm(20) } },
  MD: { window: { start: hm(8), end: hm(20) } },
  WA: { window: { start: hm(8), end: hm(20) } },
  TX: { window: { start: hm(9), end: hm(21) }, days: { 7: { start: hm(12), end: hm(21) } } },
  LA: { window: { start: hm(8), end: hm(20) }, days: { 7: null } },
  AL: { window: { start: hm(8), end: hm(20) }, days: { 7: null } },
  MS: { window: { start: hm(8), end: hm(20) }, days: { 7: null } },
  RI: { window: { start: hm(9), end: hm(18) }, days: { 6: { start: hm(10), end: hm(17) }, 7: null } },
};

export type MessagePurpose = 'transactional' | 'marketing';

/** The intersection of two windows (empty when they do not overlap). */
const intersect = (a: SendWindow | null, b: SendWindow | null): SendWindow | null => {
  if (!a || !b) return null;
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start < end ? { start, end } : null;
};

/** The window in force on one local weekday, combining federal, state and business rules. */
export function windowFor(weekday: number, purpose: MessagePurpose, state: string | null, business: QuietHoursRules | null): SendWindow | null {
  let w: SendWindow | null = FEDERAL_WINDOW;
  const layers: QuietHoursRules[] = [];
  if (purpose === 'marketing' && state && STATE_MARKETING_RULES[state.toUpperCase()]) layers.push(STATE_MARKETING_RULES[state.toUpperCase()]);
  if (business) layers.push(business);
  for (const rules of layers) {
    const day = rules.days?.[weekday as 1];
    w = intersect(w, day === undefined ? rules.window : day);
  }
  return w;
}

export interface QuietHoursInput {
  at: Date;
  timeZone: string;
  purpose: MessagePurpose;
  state?: string | null;
  business?: QuietHoursRules | null;
}

/**
 * The earliest moment at or after `at` when the message may be sent.
 * Equal to `at` when sending now is allowed. Looks up to 14 days ahead.
 */
export function nextAllowedSendTime(input: QuietHoursInput): Date {
  const local = DateTime.fromJSDate(input.at, { zone: input.timeZone });
  for (let d = 0; d < 14; d++) {
    const day = local.startOf('day').plus({ days: d });
    const w = windowFor(day.weekday, input.purpose, input.state ?? null, input.business ?? null);
    if (!w) continue;
    // Build wall-clock times with luxon so DST shifts land on real local times.
    const open = day.set({ hour: Math.floor(w.start / 60), minute: w.start % 60 });
    const close = day.set({ hour: Math.floor(w.end / 60), minute: w.end % 60 });
    if (d === 0) {
      if (local < open) return open.toJSDate();
      if (local < close) return input.at;
      continue;
    }
    return open.toJSDate();
  }
  throw new Error('no allowed send window in the next 14 days: check the quiet-hours rules');
}

export const isQuietNow = (input: QuietHoursInput): boolean => nextAllowedSendTime(input).getTime() !== input.at.getTime();
