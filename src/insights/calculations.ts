import type { LeadFact } from './lead-facts.ts';

/** Pure calculations over lead facts: each a plain function of its inputs, table-tested. */

export const ratio = (n: number, d: number): number | null => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);

/** Nearest-rank percentile (p in 0..1) of unsorted values; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1];
}

const responseSeconds = (l: LeadFact): number | null => (l.firstResponseAt === null ? null : Math.round((l.firstResponseAt - l.at) / 1000));

export interface SpeedToLead {
  value: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
  responded: number;
  leads: number;
  /** The same over leads not answered live (missed calls, texts, forms): where the speed is decided. */
  notAnsweredLive: { medianSeconds: number | null; p90Seconds: number | null; responded: number; leads: number };
}

/**
 * Time from lead to first response, over the leads that got one. The value is the median over leads
 * not answered live: a call picked up is answered in 0 s, and when most calls are, a median over every
 * lead reads "0 s" beside a share of leads left for hours. `medianSeconds` is the median over all.
 */
export function speedToLead(leads: LeadFact[]): SpeedToLead {
  const times = leads.map(responseSeconds).filter((s): s is number => s !== null);
  const later = leads.filter((l) => !l.answered);
  const laterTimes = later.map(responseSeconds).filter((s): s is number => s !== null);
  const median = percentile(times, 0.5);
  const laterMedian = percentile(laterTimes, 0.5);
  return {
    value: laterMedian,
    medianSeconds: median,
    p90Seconds: percentile(times, 0.9),
    responded: times.length,
    leads: leads.length,
    notAnsweredLive: { medianSeconds: laterMedian, p90Seconds: percentile(laterTimes, 0.9), responded: laterTimes.length, leads: later.length },
  };
}

export const decayThresholds = [
  { key: 'within5m', seconds: 300 },
  { key: 'within1h', seconds: 3600 },
  { key: 'within24h', seconds: 86_400 },
] as const;

export const responseBuckets = [
  { bucket: '0-5m', max: 300 },
  { bucket: '5m-1h', max: 3600 },
  { bucket: '1h-24h', max: 86_400 },
  { bucket: '>24h', max: Infinity },
  { bucket: 'none', max: null },
] as const;

export interface LeadDecay {
  value: number | null;
  notContacted: { within5m: number | null; within1h: number | null; within24h: number | null };
  conversionByResponseTime: Array<{ bucket: string; leads: number; booked: number; conversion: number | null }>;
  leads: number;
}

/** Share of leads not contacted within 5 min / 1 h / 24 h (value = the 1 h share), and conversion by response time. */
export function leadDecay(leads: LeadFact[]): LeadDecay {
  const secs = leads.map(responseSeconds);
  const notWithin = (limit: number) => ratio(secs.filter((s) => s === null || s > limit).length, leads.length);
  const notContacted = { within5m: notWithin(300), within1h: notWithin(3600), within24h: notWithin(86_400) };
  const conversionByResponseTime = responseBuckets.map((b, i) => {
    const lower = i === 0 ? -Infinity : (responseBuckets[i - 1].max as number);
    const inBucket = leads.filter((_, k) => {
      const s = secs[k];
      if (b.max === null) return s === null;
      return s !== null && s > lower && s <= b.max;
    });
    const booked = inBucket.filter((l) => l.bookedAt !== null).length;
    return { bucket: b.bucket, leads: inBucket.length, booked, conversion: ratio(booked, inBucket.length) };
  });
  return { value: notContacted.within1h, notContacted, conversionByResponseTime, leads: leads.length };
}

/** Booked at first contact: a job created within an hour of the first response (or of the lead). */
export function bookedAtFirstContact(l: LeadFact): boolean {
  if (l.bookedAt === null) return false;
  return l.bookedAt <= (l.firstResponseAt ?? l.at) + 3_600_000;
}

export interface FollowUpCoverage {
  value: number | null;
  minTouches: number;
  notBookedAtFirstContact: number;
  covered: number;
}

/** Share of leads not booked at first contact that got at least `minTouches` follow-up touches. */
export function followUpCoverage(leads: LeadFact[], minTouches: number): FollowUpCoverage {
  const open = leads.filter((l) => !bookedAtFirstContact(l));
  const covered = open.filter((l) => l.followUps >= minTouches).length;
  return { value: ratio(covered, open.length), minTouches, notBookedAtFirstContact: open.length, covered };
}

export interface BookingConversion {
  value: number | null;
  leads: number;
  booked: number;
  bookedAtFirstContact: number;
}

/** Share of leads with a job booked within the attribution window. */
export function bookingConversion(leads: LeadFact[]): BookingConversion {
  const booked = leads.filter((l) => l.bookedAt !== null).length;
  return { value: ratio(booked, leads.length), leads: leads.length, booked, bookedAtFirstContact: leads.filter(bookedAtFirstContact).length };
}
