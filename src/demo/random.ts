import { en, en_US, Faker } from '@faker-js/faker';
import { DateTime, IANAZone } from 'luxon';
import { DEMO_TIME_ZONE } from './catalog.ts';

const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * All randomness of the demo comes from one seeded Faker instance, so a seed
 * and a "now" fully determine the generated business (never Math.random).
 */
export class DemoRandom {
  readonly faker: Faker;

  constructor(seed: number) {
    this.faker = new Faker({ locale: [en_US, en] });
    this.faker.seed(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.faker.number.float();
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  int(min: number, max: number): number {
    return this.faker.number.int({ min, max });
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.float() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** A positive factor with mean 1 and the given spread (log-normal). */
  spread(sigma: number): number {
    return Math.exp(sigma * this.normal() - (sigma * sigma) / 2);
  }

  /** k distinct items, each chosen with probability proportional to its weight (Efraimidis–Spirakis). */
  sampleWeighted<T>(items: readonly T[], weight: (item: T) => number, k: number): T[] {
    const keyed = items
      .map((item) => ({ item, key: Math.log(1 - this.float()) / Math.max(weight(item), 1e-9) }))
      .sort((a, b) => b.key - a.key);
    return keyed.slice(0, k).map((e) => e.item);
  }
}

export const local = (ms: number): DateTime => DateTime.fromMillis(ms, { zone: DEMO_TIME_ZONE });
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Opening hours as [openHour, closeHour) per ISO weekday (1 = Monday); Sunday closed. */
const openHours: Record<number, readonly [number, number] | null> = { 1: [8, 18], 2: [8, 18], 3: [8, 18], 4: [8, 18], 5: [8, 18], 6: [9, 13], 7: null };

// Zone offsets via Intl are slow and this is asked tens of thousands of times:
// cache per UTC day, falling back to per-hour only on days the offset changes.
const zone = IANAZone.create(DEMO_TIME_ZONE);
const dayOffsets = new Map<number, number | null>();
function offsetMinutes(ms: number): number {
  const day = Math.floor(ms / DAY);
  let cached = dayOffsets.get(day);
  if (cached === undefined) {
    const a = zone.offset(day * DAY);
    cached = a === zone.offset((day + 1) * DAY - 1) ? a : null;
    if (dayOffsets.size > 50_000) dayOffsets.clear();
    dayOffsets.set(day, cached);
  }
  return cached ?? zone.offset(Math.floor(ms / HOUR) * HOUR);
}

/** Local ISO weekday (1 = Monday) and hour, without building a DateTime. */
export function localWeekdayHour(ms: number): { weekday: number; hour: number } {
  const shifted = new Date(ms + offsetMinutes(ms) * MINUTE);
  return { weekday: ((shifted.getUTCDay() + 6) % 7) + 1, hour: shifted.getUTCHours() };
}

export function isBusinessHours(ms: number): boolean {
  const t = localWeekdayHour(ms);
  const hours = openHours[t.weekday];
  return hours !== null && t.hour >= hours[0] && t.hour < hours[1];
}

/** Local calendar parts of an instant. */
function localParts(ms: number): { y: number; m: number; d: number } {
  const shifted = new Date(ms + offsetMinutes(ms) * MINUTE);
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth(), d: shifted.getUTCDate() };
}

/** The instant of a local wall-clock time (day may overflow the month, as with Date.UTC). */
function localInstant(y: number, m: number, d: number, hour: number, minute: number): number {
  const utc = Date.UTC(y, m, d, hour, minute);
  return utc - offsetMinutes(utc - offsetMinutes(utc) * MINUTE) * MINUTE;
}

/**
 * An appointment start at least `minLeadMs` after `fromMs`, `days` local days
 * later (moved forward past Sundays and past the lead time), on the half hour,
 * starting no later than two hours before closing.
 */
export function appointmentStart(rng: DemoRandom, fromMs: number, days: number, minLeadMs = 2 * HOUR): number {
  const p = localParts(fromMs);
  for (let k = days; k < days + 14; k++) {
    const hours = openHours[localWeekdayHour(localInstant(p.y, p.m, p.d + k, 12, 0)).weekday];
    if (!hours) continue;
    const slots = (hours[1] - 2 - hours[0]) * 2;
    for (let s = rng.int(0, slots); s <= slots; s++) {
      const at = localInstant(p.y, p.m, p.d + k, hours[0] + Math.floor(s / 2), (s % 2) * 30);
      if (at >= fromMs + minLeadMs) return at;
    }
  }
  return fromMs + DAY;
}

const appointmentFormat = new Intl.DateTimeFormat('en-US', { timeZone: DEMO_TIME_ZONE, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
/** "Tue, Jul 8, 9:30 AM" in the business's zone. */
export const formatAppointment = (ms: number): string => appointmentFormat.format(ms);

/** The next moment the office is open at or after `ms`, plus a random reaction delay. */
export function nextOpenMoment(rng: DemoRandom, ms: number, minDelayMs: number, maxDelayMs: number): number {
  let at = ms + Math.floor(rng.between(minDelayMs, maxDelayMs));
  for (let guard = 0; guard < 400 && !isBusinessHours(at); guard++) at += 15 * MINUTE;
  return at;
}

export const roundTo = (value: number, step: number): number => Math.round(value / step) * step;
