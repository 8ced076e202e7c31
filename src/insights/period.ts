import { z } from 'zod';
import type { Clock } from '../lib/clock.ts';
import { validationError } from '../lib/errors.ts';
import { instant } from '../crm/shared/fields.ts';
import { parseInput } from '../crm/shared/validate.ts';

export interface Period {
  from: string;
  to: string;
}

export const DAY_MS = 86_400_000;
/** The longest period a metrics request may span (about three years of history). */
export const MAX_PERIOD_DAYS = 1100;

export const periodQuerySchema = z.object({ from: instant.optional(), to: instant.optional() });

/** The requested period: `to` defaults to now, `from` to 30 days before `to`. */
export function resolvePeriod(clock: Clock, input: { from?: string; to?: string }, defaultDays = 30): Period {
  const to = input.to ?? clock.now().toISOString();
  const from = input.from ?? new Date(Date.parse(to) - defaultDays * DAY_MS).toISOString();
  if (Date.parse(from) >= Date.parse(to)) throw validationError([{ field: 'from', message: 'must be before to' }]);
  if (Date.parse(to) - Date.parse(from) > MAX_PERIOD_DAYS * DAY_MS) throw validationError([{ field: 'from', message: `the period may span at most ${MAX_PERIOD_DAYS} days` }]);
  return { from, to };
}

/** The period of the same length just before `p`. */
export function previousPeriod(p: Period): Period {
  const span = Date.parse(p.to) - Date.parse(p.from);
  return { from: new Date(Date.parse(p.from) - span).toISOString(), to: p.from };
}

export function parsePeriodQuery(clock: Clock, query: unknown): Period {
  const q = parseInput(periodQuerySchema.passthrough(), query ?? {});
  return resolvePeriod(clock, q);
}

export const shiftIso = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();
