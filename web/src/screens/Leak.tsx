import { useEffect, useRef, useState } from 'react';
import { ApiError, api, qs } from '../api.ts';
import { followUpGap, seedInputs, type LeakInputs } from '../lib/leak.ts';
import { Card, ErrorNote, NotAvailable } from '../ui.tsx';

const fields: Array<{ key: keyof LeakInputs; label: string; rate: boolean }> = [
  { key: 'inquiriesPerMonth', label: 'Inquiries per month', rate: false },
  { key: 'answerRate', label: 'Calls answered (%)', rate: true },
  { key: 'notBookedRate', label: 'Answered but not booked (%)', rate: true },
  { key: 'followedUpRate', label: 'Not-booked leads followed up (%)', rate: true },
  { key: 'recoveryRate', label: 'Follow-up recovery rate (%)', rate: true },
  { key: 'avgTicket', label: 'Average ticket ($)', rate: false },
];

interface LeakAnswer {
  source: 'data' | 'inputs';
  inputs: LeakInputs & Record<string, number>;
  defaultsUsed?: string[];
  measured?: string[];
  followUpGap: { unworkedLeadsPerYear: number; recoveredBookingsPerYear: number; recoveredRevenuePerYear: number; arithmetic?: string };
  missedCalls?: { unansweredCallsPerYear: number; recoveredBookingsPerYear: number; recoveredRevenuePerYear: number; arithmetic?: string };
  dormantDatabase?: { dormantContacts: number; replied: number; booked: number; recoveredRevenue: number; arithmetic?: string };
  totalRecoverableRevenuePerYear?: number;
  notes?: string[];
}

const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/**
 * The revenue leak calculator: prefilled from the business's own last 12
 * months (GET /insights/leak?fromData=true), recomputed by the API as the
 * numbers change, with every step of the arithmetic shown.
 */
export function Leak() {
  const [inputs, setInputs] = useState<LeakInputs>(seedInputs);
  const [extra, setExtra] = useState<Record<string, number>>({});
  const [prefill, setPrefill] = useState<{ state: 'loading' | 'done' | 'unavailable' | 'failed'; measured?: string[]; defaults?: string[]; error?: unknown }>({ state: 'loading' });
  const [answer, setAnswer] = useState<LeakAnswer | null>(null);
  const [apiMissing, setApiMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);

  useEffect(() => {
    api<LeakAnswer>('/insights/leak?fromData=true').then(
      (a) => {
        const { inquiriesPerMonth, answerRate, notBookedRate, followedUpRate, recoveryRate, avgTicket, ...rest } = a.inputs;
        setInputs({ inquiriesPerMonth, answerRate, notBookedRate, followedUpRate, recoveryRate, avgTicket });
        setExtra(rest);
        setPrefill({ state: 'done', measured: a.measured, defaults: a.defaultsUsed });
      },
      (err) => setPrefill(err instanceof ApiError && err.notAvailable ? { state: 'unavailable' } : { state: 'failed', error: err }),
    );
  }, []);

  useEffect(() => {
    if (prefill.state === 'loading' || apiMissing) return;
    const mine = ++seq.current;
    const t = setTimeout(() => {
      api<LeakAnswer>(`/insights/leak${qs({ ...extra, ...inputs })}`).then(
        (a) => {
          if (mine !== seq.current) return;
          setAnswer(a);
          setError(null);
        },
        (err) => {
          if (mine !== seq.current) return;
          if (err instanceof ApiError && err.notAvailable) setApiMissing(true);
          else setError(err);
        },
      );
    }, 200);
    return () => clearTimeout(t);
  }, [inputs, extra, prefill.state, apiMissing]);

  const local = followUpGap(inputs);
  // The API is the reference; this page computes the same arithmetic itself only where the API is missing.
  const gap = apiMissing ? local : answer && !error ? answer.followUpGap : null;

  return (
    <>
      <h1>Revenue leak calculator</h1>
      <p className="muted">What unworked leads cost you a year. Change any number; the result and the arithmetic follow.</p>
      <Card title="Your numbers">
        {prefill.state === 'loading' && <p className="muted">Reading your last 12 months…</p>}
        {prefill.state === 'done' && (
          <p role="status">
            Filled in from your business's last 12 months{prefill.measured?.length ? ` (measured: ${prefill.measured.filter((m) => fields.some((f) => f.key === m)).map(labelOf).join(', ')})` : ''}.
            {prefill.defaults?.some((d) => fields.some((f) => f.key === d)) && <> Assumed (not measurable from your data): {prefill.defaults.filter((d) => fields.some((f) => f.key === d)).map(labelOf).join(', ')}.</>}
          </p>
        )}
        {prefill.state === 'unavailable' && <NotAvailable what="Figures from your own data" />}
        {prefill.state === 'failed' && <ErrorNote error={prefill.error} />}
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          {fields.map((f) => (
            <div key={f.key}>
              <label htmlFor={`leak-${f.key}`}>{f.label}</label>
              <input
                id={`leak-${f.key}`}
                type="number"
                min={0}
                max={f.rate ? 100 : undefined}
                step="any"
                value={f.rate ? round4(inputs[f.key] * 100) : inputs[f.key]}
                onChange={(e) => {
                  const n = e.target.value === '' ? 0 : Number(e.target.value);
                  setInputs((cur) => ({ ...cur, [f.key]: f.rate ? round4(n / 100) : n }));
                }}
              />
            </div>
          ))}
        </form>
        <ErrorNote error={error} />
      </Card>
      <Card title="Follow-up gap">
        {gap ? (
          <div className="stats" data-testid="leak-result">
            <div className="stat"><span>Warm leads unworked per year</span><b data-testid="leak-leads">{gap.unworkedLeadsPerYear.toLocaleString('en-US')}</b></div>
            <div className="stat"><span>Bookings you could recover</span><b data-testid="leak-bookings">{gap.recoveredBookingsPerYear.toLocaleString('en-US')}</b></div>
            <div className="stat"><span>Revenue per year</span><b data-testid="leak-revenue">{usd(gap.recoveredRevenuePerYear)}</b></div>
          </div>
        ) : (
          <p className="muted">Calculating…</p>
        )}
        <h3>The arithmetic</h3>
        <table data-testid="leak-arithmetic">
          <tbody>
            {local.lines.map((l) => (
              <tr key={l.label}>
                <th scope="row">{l.label}</th>
                <td>{l.formula}</td>
                <td className="num">= {l.label.startsWith('Revenue') ? usd(l.value) : fmt(l.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {answer?.followUpGap.arithmetic && <p className="muted">{answer.followUpGap.arithmetic}</p>}
      </Card>
      {answer && !apiMissing && (
        <Card title="Other leaks">
          <div className="stats">
            {answer.missedCalls && (
              <div className="stat">
                <span>Missed calls answered by voice AI</span>
                <b data-testid="leak-missed">{usd(answer.missedCalls.recoveredRevenuePerYear)}</b>
                <span className="muted">{answer.missedCalls.arithmetic}</span>
              </div>
            )}
            {answer.dormantDatabase && (
              <div className="stat">
                <span>Dormant customers reactivated (one campaign)</span>
                <b data-testid="leak-dormant">{usd(answer.dormantDatabase.recoveredRevenue)}</b>
                <span className="muted">{answer.dormantDatabase.arithmetic}</span>
              </div>
            )}
            {answer.totalRecoverableRevenuePerYear !== undefined && (
              <div className="stat"><span>Total recoverable per year</span><b data-testid="leak-total">{usd(answer.totalRecoverableRevenuePerYear)}</b></div>
            )}
          </div>
          {answer.notes && <ul className="muted">{answer.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
        </Card>
      )}
    </>
  );
}

function labelOf(key: string): string {
  return fields.find((f) => f.key === key)?.label.replace(/ \((%|\$)\)$/, '').toLowerCase() ?? key;
}
