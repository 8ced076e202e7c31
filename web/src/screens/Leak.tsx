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

type Texts = Record<keyof LeakInputs, string>;
const textsOf = (i: LeakInputs): Texts => Object.fromEntries(fields.map((f) => [f.key, String(f.rate ? round4(i[f.key] * 100) : i[f.key])])) as Texts;

/** Why a typed number cannot be used, or null: blank, not a number, negative, or a rate above 100%. */
export function inputProblem(text: string, rate: boolean): string | null {
  if (text.trim() === '') return 'Enter a number.';
  const n = Number(text);
  if (!Number.isFinite(n)) return 'Enter a number.';
  if (n < 0) return 'Cannot be negative.';
  if (rate && n > 100) return 'At most 100%.';
  return null;
}

/**
 * The revenue leak calculator: prefilled from the business's own last 12
 * months (GET /insights/leak?fromData=true), recomputed by the API as the
 * numbers change, with every step of the arithmetic shown. Results are shown
 * only for the numbers on screen: while one is unusable, or the answer for
 * the latest numbers is still on its way, no figure (and no total) is shown.
 */
export function Leak() {
  const [texts, setTexts] = useState<Texts>(textsOf(seedInputs));
  const [extra, setExtra] = useState<Record<string, number>>({});
  const [prefill, setPrefill] = useState<{ state: 'loading' | 'done' | 'unavailable' | 'failed'; measured?: string[]; defaults?: string[]; error?: unknown }>({ state: 'loading' });
  const [answer, setAnswer] = useState<{ key: string; value: LeakAnswer } | null>(null);
  const [apiMissing, setApiMissing] = useState(false);
  const [error, setError] = useState<{ key: string; value: unknown } | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    api<LeakAnswer>('/insights/leak?fromData=true').then(
      (a) => {
        const { inquiriesPerMonth, answerRate, notBookedRate, followedUpRate, recoveryRate, avgTicket, ...rest } = a.inputs;
        setTexts(textsOf({ inquiriesPerMonth, answerRate, notBookedRate, followedUpRate, recoveryRate, avgTicket }));
        setExtra(rest);
        setPrefill({ state: 'done', measured: a.measured, defaults: a.defaultsUsed });
      },
      (err) => setPrefill(err instanceof ApiError && err.notAvailable ? { state: 'unavailable' } : { state: 'failed', error: err }),
    );
  }, []);

  const problems = Object.fromEntries(fields.map((f) => [f.key, inputProblem(texts[f.key], f.rate)])) as Record<keyof LeakInputs, string | null>;
  const valid = fields.every((f) => problems[f.key] === null);
  const inputs = Object.fromEntries(fields.map((f) => [f.key, f.rate ? round4(Number(texts[f.key]) / 100) : Number(texts[f.key])])) as unknown as LeakInputs;
  const query = qs({ ...extra, ...inputs });

  useEffect(() => {
    if (prefill.state === 'loading' || apiMissing || !valid) return;
    const mine = ++seq.current;
    const t = setTimeout(() => {
      api<LeakAnswer>(`/insights/leak${query}`).then(
        (a) => {
          if (mine !== seq.current) return;
          setAnswer({ key: query, value: a });
          setError(null);
        },
        (err) => {
          if (mine !== seq.current) return;
          if (err instanceof ApiError && err.notAvailable) setApiMissing(true);
          else setError({ key: query, value: err });
        },
      );
    }, 200);
    return () => clearTimeout(t);
  }, [query, valid, prefill.state, apiMissing]);

  const local = followUpGap(inputs);
  // The API is the reference; this page computes the same arithmetic itself only where the API is missing.
  const current = valid && answer?.key === query && error?.key !== query ? answer.value : null;
  const gap = !valid ? null : apiMissing ? local : current?.followUpGap ?? null;

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
        <form className="filters" onSubmit={(e) => e.preventDefault()} noValidate>
          {fields.map((f) => (
            <div key={f.key}>
              <label htmlFor={`leak-${f.key}`}>{f.label}</label>
              <input
                id={`leak-${f.key}`}
                type="number"
                inputMode="decimal"
                min={0}
                max={f.rate ? 100 : undefined}
                step="any"
                value={texts[f.key]}
                aria-invalid={problems[f.key] !== null}
                aria-describedby={problems[f.key] ? `leak-${f.key}-problem` : undefined}
                onChange={(e) => {
                  const v = e.target.value;
                  setTexts((cur) => ({ ...cur, [f.key]: v }));
                }}
              />
              {problems[f.key] && <p className="error" id={`leak-${f.key}-problem`} data-testid={`leak-${f.key}-problem`}>{problems[f.key]}</p>}
            </div>
          ))}
        </form>
        {error?.key === query && <ErrorNote error={error.value} />}
      </Card>
      {!valid ? (
        <p className="notice" role="status" data-testid="leak-invalid">Fix the number marked above to see what the leak costs.</p>
      ) : (
        <>
          <Card title="Follow-up gap">
            {gap ? (
              <div className="stats" data-testid="leak-result">
                <div className="stat"><span>Warm leads unworked per year</span><b data-testid="leak-leads">{gap.unworkedLeadsPerYear.toLocaleString('en-US')}</b></div>
                <div className="stat"><span>Bookings you could recover</span><b data-testid="leak-bookings">{gap.recoveredBookingsPerYear.toLocaleString('en-US')}</b></div>
                <div className="stat"><span>From following up, per year</span><b data-testid="leak-revenue">{usd(gap.recoveredRevenuePerYear)}</b></div>
              </div>
            ) : (
              <p className="muted">{error?.key === query ? 'No result for these numbers (see above).' : 'Calculating…'}</p>
            )}
            {gap && (
              <>
                <h3>The arithmetic</h3>
                <div className="table-wrap">
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
                </div>
                {current?.followUpGap.arithmetic && <p className="muted">{current.followUpGap.arithmetic}</p>}
              </>
            )}
          </Card>
          {current && !apiMissing && (
            <Card title="Other leaks and the total">
              <div className="stats">
                {current.missedCalls && (
                  <div className="stat">
                    <span>Missed calls answered by voice AI</span>
                    <b data-testid="leak-missed">{usd(current.missedCalls.recoveredRevenuePerYear)}</b>
                    <span className="muted">{current.missedCalls.arithmetic}</span>
                  </div>
                )}
                {current.dormantDatabase && (
                  <div className="stat">
                    <span>Dormant customers reactivated (one campaign)</span>
                    <b data-testid="leak-dormant">{usd(current.dormantDatabase.recoveredRevenue)}</b>
                    <span className="muted">{current.dormantDatabase.arithmetic}</span>
                  </div>
                )}
                {current.totalRecoverableRevenuePerYear !== undefined && (
                  <div className="stat"><span>Total recoverable per year (all three)</span><b data-testid="leak-total">{usd(current.totalRecoverableRevenuePerYear)}</b></div>
                )}
              </div>
              {current.notes && <ul className="muted">{current.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
            </Card>
          )}
        </>
      )}
    </>
  );
}

function labelOf(key: string): string {
  return fields.find((f) => f.key === key)?.label.replace(/ \((%|\$)\)$/, '').toLowerCase() ?? key;
}
