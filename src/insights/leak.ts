import { z } from 'zod';
import { validationError } from '../lib/errors.ts';

/**
 * The revenue leak calculator (seed 000): what a business loses each year to
 * leads nobody follows up, calls nobody answers and customers nobody wakes up.
 * A pure function of its inputs; every rate it used and the arithmetic are in
 * the output.
 */

const numberFrom = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v);
const rate = z.preprocess(numberFrom, z.number({ message: 'must be a number' }).finite().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'));
const count = z.preprocess(numberFrom, z.number({ message: 'must be a number' }).finite().min(0, 'must not be negative').max(1e9, 'is too large'));

export const leakInputSchema = z.object({
  inquiriesPerMonth: count,
  answerRate: rate,
  notBookedRate: rate,
  followedUpRate: rate,
  recoveryRate: rate,
  avgTicket: count,
  voiceRecoveryRate: rate,
  dormantContacts: count,
  dormantResponseRate: rate,
  dormantBookingRate: rate,
});
export type LeakInputs = z.output<typeof leakInputSchema>;

/** Used when an input is not given (and, from data, when the data cannot tell). */
export const leakDefaults: LeakInputs = {
  inquiriesPerMonth: 100,
  answerRate: 0.71,
  notBookedRate: 0.35,
  followedUpRate: 0.4,
  recoveryRate: 0.15,
  avgTicket: 600,
  voiceRecoveryRate: 0.25,
  dormantContacts: 0,
  dormantResponseRate: 0.15,
  dormantBookingRate: 0.6,
};

export const leakInputNames = Object.keys(leakDefaults) as Array<keyof LeakInputs>;

/**
 * Validates given inputs and fills the rest with defaults. `label` names a
 * field the way the caller spelled it (`--answer-rate` on the CLI).
 */
export function resolveLeakInputs(given: Partial<Record<keyof LeakInputs, unknown>>, label: (field: string) => string = (f) => f): { inputs: LeakInputs; defaultsUsed: string[] } {
  const present = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined && v !== null));
  const result = leakInputSchema.partial().safeParse(present);
  if (!result.success) {
    throw validationError(result.error.issues.map((i) => ({ field: label(String(i.path[0] ?? '')), message: i.message })));
  }
  const defaultsUsed = leakInputNames.filter((k) => result.data[k] === undefined);
  return { inputs: { ...leakDefaults, ...(result.data as Partial<LeakInputs>) }, defaultsUsed };
}

const r1 = (n: number) => Math.round(n * 10) / 10;
const money = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;

export interface LeakReport {
  source: 'inputs' | 'data';
  inputs: LeakInputs;
  defaultsUsed: string[];
  followUpGap: {
    inquiriesPerYear: number;
    answeredPerYear: number;
    notBookedPerYear: number;
    followedUpPerYear: number;
    unworkedLeadsPerYear: number;
    recoveredBookingsPerYear: number;
    recoveredRevenuePerYear: number;
    arithmetic: string;
  };
  missedCalls: {
    unansweredCallsPerYear: number;
    voiceRecoveryRate: number;
    recoveredBookingsPerYear: number;
    recoveredRevenuePerYear: number;
    arithmetic: string;
  };
  dormantDatabase: {
    dormantContacts: number;
    responseRate: number;
    bookingRate: number;
    replied: number;
    booked: number;
    recoveredRevenue: number;
    arithmetic: string;
  };
  totalRecoverableRevenuePerYear: number;
  notes: string[];
}

/** Counts are whole leads, calls and jobs (rounded); revenue is whole jobs × the average ticket. */
export function calculateLeak(inputs: LeakInputs, defaultsUsed: string[] = [], source: 'inputs' | 'data' = 'inputs'): LeakReport {
  const i = inputs;
  const inquiriesPerYear = i.inquiriesPerMonth * 12;
  const answered = inquiriesPerYear * i.answerRate;
  const notBooked = answered * i.notBookedRate;
  const followedUp = notBooked * i.followedUpRate;
  const unworkedExact = notBooked - followedUp;
  const unworked = Math.round(unworkedExact);
  const recovered = Math.round(unworkedExact * i.recoveryRate);
  const followUpRevenue = recovered * i.avgTicket;

  const unansweredExact = inquiriesPerYear * (1 - i.answerRate);
  const unanswered = Math.round(unansweredExact);
  const voiceBookings = Math.round(unansweredExact * i.voiceRecoveryRate);
  const voiceRevenue = voiceBookings * i.avgTicket;

  const replied = Math.round(i.dormantContacts * i.dormantResponseRate);
  const booked = Math.round(replied * i.dormantBookingRate);
  const dormantRevenue = booked * i.avgTicket;

  return {
    source,
    inputs,
    defaultsUsed,
    followUpGap: {
      inquiriesPerYear: Math.round(inquiriesPerYear),
      answeredPerYear: Math.round(answered),
      notBookedPerYear: Math.round(notBooked),
      followedUpPerYear: Math.round(followedUp),
      unworkedLeadsPerYear: unworked,
      recoveredBookingsPerYear: recovered,
      recoveredRevenuePerYear: followUpRevenue,
      arithmetic:
        `${r1(i.inquiriesPerMonth)} inquiries/month × 12 × ${i.answerRate} answered × ${i.notBookedRate} not booked × (1 − ${i.followedUpRate} followed up) = ${r1(unworkedExact) === unworked ? '' : `${r1(unworkedExact)} ≈ `}${unworked} unworked leads/year; ` +
        `${r1(unworkedExact)} × ${i.recoveryRate} recovered = ${recovered} bookings; ${recovered} × ${money(i.avgTicket)} = ${money(followUpRevenue)}`,
    },
    missedCalls: {
      unansweredCallsPerYear: unanswered,
      voiceRecoveryRate: i.voiceRecoveryRate,
      recoveredBookingsPerYear: voiceBookings,
      recoveredRevenuePerYear: voiceRevenue,
      arithmetic:
        `${r1(i.inquiriesPerMonth)} inquiries/month × 12 × (1 − ${i.answerRate} answered) = ${unanswered} unanswered calls/year; ` +
        `× ${i.voiceRecoveryRate} booked by voice answering = ${voiceBookings} bookings; ${voiceBookings} × ${money(i.avgTicket)} = ${money(voiceRevenue)}`,
    },
    dormantDatabase: {
      dormantContacts: Math.round(i.dormantContacts),
      responseRate: i.dormantResponseRate,
      bookingRate: i.dormantBookingRate,
      replied,
      booked,
      recoveredRevenue: dormantRevenue,
      arithmetic:
        `${Math.round(i.dormantContacts)} dormant contacts × ${i.dormantResponseRate} reply = ${replied} replied; ` +
        `${replied} × ${i.dormantBookingRate} book = ${booked} booked; ${booked} × ${money(i.avgTicket)} = ${money(dormantRevenue)} (one campaign)`,
    },
    totalRecoverableRevenuePerYear: followUpRevenue + voiceRevenue + dormantRevenue,
    notes: [
      'Money is in dollars; counts are rounded to whole leads, calls and jobs, and revenue is whole jobs × the average ticket.',
      'Rates listed in defaultsUsed were not given (or could not be measured) and are assumptions.',
    ],
  };
}
