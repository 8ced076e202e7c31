import { formatMetric } from './alerts/evaluate.ts';
import type { LeakReport } from './leak.ts';
import type { MetricsReport } from './metrics.ts';

/** Plain-text renderings for the CLI: a person reads these, scripts use --json. */

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const dollars = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;

export function formatLeakTable(r: LeakReport): string {
  const lines: string[] = [];
  lines.push(`Revenue leak (${r.source === 'data' ? 'from the business\'s last 12 months' : 'from the inputs'})`, '');
  lines.push('Inputs');
  for (const [k, v] of Object.entries(r.inputs)) lines.push(`  ${pad(k, 22)} ${v}${r.defaultsUsed.includes(k) ? '   (default)' : ''}`);
  const section = (title: string, rows: Array<[string, string]>, arithmetic: string) => {
    lines.push('', title);
    for (const [k, v] of rows) lines.push(`  ${pad(k, 34)} ${v}`);
    lines.push(`  ${arithmetic}`);
  };
  const f = r.followUpGap;
  section('Follow-up gap', [
    ['Inquiries per year', String(f.inquiriesPerYear)],
    ['Answered, not booked', String(f.notBookedPerYear)],
    ['Followed up', String(f.followedUpPerYear)],
    ['Unworked leads per year', String(f.unworkedLeadsPerYear)],
    ['Recovered bookings per year', String(f.recoveredBookingsPerYear)],
    ['Recovered revenue per year', dollars(f.recoveredRevenuePerYear)],
  ], f.arithmetic);
  const m = r.missedCalls;
  section('Missed calls', [
    ['Unanswered calls per year', String(m.unansweredCallsPerYear)],
    ['Booked by voice answering', `${m.recoveredBookingsPerYear} (at ${m.voiceRecoveryRate})`],
    ['Recovered revenue per year', dollars(m.recoveredRevenuePerYear)],
  ], m.arithmetic);
  const dd = r.dormantDatabase;
  section('Dormant database', [
    ['Dormant contacts', String(dd.dormantContacts)],
    ['Replied', String(dd.replied)],
    ['Booked', String(dd.booked)],
    ['Recovered revenue', dollars(dd.recoveredRevenue)],
  ], dd.arithmetic);
  lines.push('', `Total recoverable revenue per year: ${dollars(r.totalRecoverableRevenuePerYear)}`);
  // The notes speak of JSON fields; in the table the defaults are the inputs marked "(default)".
  for (const n of r.notes) lines.push(`Note: ${n.replace('Rates listed in defaultsUsed', 'Inputs marked (default)')}`);
  return lines.join('\n') + '\n';
}

export function formatMetricsTable(r: MetricsReport): string {
  const lines = [`Metrics ${r.period.from} → ${r.period.to} (previous: ${r.previous.from} → ${r.previous.to})`, ''];
  lines.push(`  ${pad('metric', 20)} ${pad('value', 22)} previous`);
  for (const [name, m] of Object.entries(r.metrics)) {
    lines.push(`  ${pad(name, 20)} ${pad(formatMetric(name, m.value), 22)} ${formatMetric(name, m.previous)}`);
    if (name === 'speedToLead') {
      // The value is over leads not answered live; the median over every answered lead (live calls at 0 s) beside it.
      const all = (v: unknown) => formatMetric(name, (v as { medianSeconds?: number | null } | undefined)?.medianSeconds ?? null);
      lines.push(`  ${pad('  incl. answered live', 20)} ${pad(all(m), 22)} ${all(m.previousDetails)}`);
    }
  }
  return lines.join('\n') + '\n';
}
