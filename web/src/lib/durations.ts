/**
 * Lengths of time as people type them (2 hours, 30 minutes, 3 days) and the
 * ISO-8601 durations the automation document stores (PT2H, PT30M, P3D).
 */
export const durationUnits = ['minutes', 'hours', 'days', 'weeks', 'months'] as const;
export type DurationUnit = (typeof durationUnits)[number];

export interface Amount {
  amount: number;
  unit: DurationUnit;
}

const ISO = /^P(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/;

/** PT90M → 90 minutes, PT2H → 2 hours, P1D → 1 day, P2W → 2 weeks, PT1H30M → 90 minutes; null for what has no single unit (seconds, months mixed with days). */
export function parseDuration(iso: string | undefined | null): Amount | null {
  const m = ISO.exec(String(iso ?? '').trim());
  if (!m || iso === 'P' || /T$/.test(String(iso))) return null;
  const [months, weeks, days, hours, minutes] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  if (months) return weeks || days || hours || minutes ? null : { amount: months, unit: 'months' };
  if (weeks && !days && !hours && !minutes) return { amount: weeks, unit: 'weeks' };
  const total = weeks * 10_080 + days * 1440 + hours * 60 + minutes;
  if (total === 0) return null;
  if (total % 1440 === 0) return { amount: total / 1440, unit: 'days' };
  if (total % 60 === 0) return { amount: total / 60, unit: 'hours' };
  return { amount: total, unit: 'minutes' };
}

/** 2 hours → PT2H; 30 minutes → PT30M; 3 days → P3D. */
export function toIsoDuration({ amount, unit }: Amount): string {
  const n = Math.round(amount);
  switch (unit) {
    case 'minutes': return `PT${n}M`;
    case 'hours': return `PT${n}H`;
    case 'days': return `P${n}D`;
    case 'weeks': return `P${n}W`;
    case 'months': return `P${n}M`;
  }
}

/** "2 hours", "1 day", "30 minutes"; the ISO text itself when it has no single unit. */
export function durationInWords(iso: string | undefined | null): string {
  const a = parseDuration(iso);
  if (!a) return String(iso ?? '');
  return `${a.amount} ${a.amount === 1 ? a.unit.slice(0, -1) : a.unit}`;
}

/** "09:00" → "9:00", "13:30" → "13:30". */
export const timeInWords = (hhmm: string) => hhmm.replace(/^0(\d)/, '$1');
