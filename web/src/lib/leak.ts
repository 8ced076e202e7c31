/** Inputs of the follow-up gap: the seed's revenue leak arithmetic. Rates are fractions (0.71 = 71%). */
export interface LeakInputs {
  inquiriesPerMonth: number;
  answerRate: number;
  notBookedRate: number;
  followedUpRate: number;
  recoveryRate: number;
  avgTicket: number;
}

export interface LeakLine {
  label: string;
  formula: string;
  value: number;
}

export interface LeakResult {
  inquiriesPerYear: number;
  answeredPerYear: number;
  notBookedPerYear: number;
  unworkedLeadsPerYear: number;
  recoveredBookingsPerYear: number;
  recoveredRevenuePerYear: number;
  lines: LeakLine[];
}

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const pct = (r: number) => `${fmt(Math.round(r * 1000) / 10)}%`;

/**
 * Warm leads answered but not booked and never followed up, per year, and what
 * recovering a share of them is worth. Leads and bookings are whole numbers
 * (rounded), and revenue is whole bookings × the average ticket, as in the seed:
 * 100/month, 71% answered, 35% not booked, 40% followed up, 15% recovered,
 * $600 → 179 leads, 27 bookings, $16,200.
 */
export function followUpGap(i: LeakInputs): LeakResult {
  const inquiriesPerYear = i.inquiriesPerMonth * 12;
  const answeredPerYear = inquiriesPerYear * i.answerRate;
  const notBookedPerYear = answeredPerYear * i.notBookedRate;
  const unworked = notBookedPerYear * (1 - i.followedUpRate);
  const unworkedLeadsPerYear = Math.round(unworked);
  const recoveredBookingsPerYear = Math.round(unworked * i.recoveryRate);
  const recoveredRevenuePerYear = recoveredBookingsPerYear * i.avgTicket;
  return {
    inquiriesPerYear,
    answeredPerYear,
    notBookedPerYear,
    unworkedLeadsPerYear,
    recoveredBookingsPerYear,
    recoveredRevenuePerYear,
    lines: [
      { label: 'Inquiries per year', formula: `${fmt(i.inquiriesPerMonth)} × 12`, value: inquiriesPerYear },
      { label: 'Answered', formula: `${fmt(inquiriesPerYear)} × ${pct(i.answerRate)}`, value: answeredPerYear },
      { label: 'Answered but not booked', formula: `${fmt(answeredPerYear)} × ${pct(i.notBookedRate)}`, value: notBookedPerYear },
      { label: 'Never followed up (warm leads left unworked)', formula: `${fmt(notBookedPerYear)} × (100% − ${pct(i.followedUpRate)})`, value: unworked },
      { label: 'Bookings recovered by following up', formula: `${fmt(unworked)} × ${pct(i.recoveryRate)}`, value: unworked * i.recoveryRate },
      { label: 'Revenue recovered per year', formula: `${fmt(recoveredBookingsPerYear)} bookings × $${fmt(i.avgTicket)}`, value: recoveredRevenuePerYear },
    ],
  };
}

export const seedInputs: LeakInputs = { inquiriesPerMonth: 100, answerRate: 0.71, notBookedRate: 0.35, followedUpRate: 0.4, recoveryRate: 0.15, avgTicket: 600 };
