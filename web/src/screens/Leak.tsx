import { useState } from 'react';
import { ApiError, api } from '../api.ts';
import { followUpGap, seedInputs, type LeakInputs } from '../lib/leak.ts';
import { Card, ErrorNote, NotAvailable } from '../ui.tsx';

const fields: Array<{ key: keyof LeakInputs; label: string; rate: boolean; step: number }> = [
  { key: 'inquiriesPerMonth', label: 'Inquiries per month', rate: false, step: 1 },
  { key: 'answerRate', label: 'Calls answered (%)', rate: true, step: 1 },
  { key: 'notBookedRate', label: 'Answered but not booked (%)', rate: true, step: 1 },
  { key: 'followedUpRate', label: 'Not-booked leads followed up (%)', rate: true, step: 1 },
  { key: 'recoveryRate', label: 'Follow-up recovery rate (%)', rate: true, step: 1 },
  { key: 'avgTicket', label: 'Average ticket ($)', rate: false, step: 1 },
];

const usd = (n: number) => `$${Math.round(n).toLocaleString('en-US')}`;
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** Finds the calculator inputs anywhere one level deep in the API's answer (inputs, assumptions, …). */
function findInputs(body: Record<string, unknown>): Partial<LeakInputs> {
  const out: Partial<LeakInputs> = {};
  const scan = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    for (const f of fields) {
      const v = (o as Record<string, unknown>)[f.key];
      if (typeof v === 'number' && out[f.key] === undefined) out[f.key] = v;
    }
  };
  scan(body);
  for (const v of Object.values(body)) scan(v);
  return out;
}

export function Leak() {
  const [inputs, setInputs] = useState<LeakInputs>(seedInputs);
  const [prefill, setPrefill] = useState<{ state: 'idle' | 'loading' | 'done' | 'unavailable'; error?: unknown; body?: Record<string, unknown> }>({ state: 'idle' });
  const r = followUpGap(inputs);

  const fromData = async () => {
    setPrefill({ state: 'loading' });
    try {
      const body = await api<Record<string, unknown>>('/insights/leak?fromData=true');
      setInputs((cur) => ({ ...cur, ...findInputs(body) }));
      setPrefill({ state: 'done', body });
    } catch (err) {
      if (err instanceof ApiError && err.notAvailable) setPrefill({ state: 'unavailable' });
      else setPrefill({ state: 'idle', error: err });
    }
  };

  return (
    <>
      <h1>Revenue leak calculator</h1>
      <p className="muted">What unworked leads cost you a year. Change any number; the arithmetic updates as you type.</p>
      <Card title="Your numbers" actions={<button onClick={fromData} disabled={prefill.state === 'loading'}>Fill in from my data</button>}>
        {prefill.state === 'unavailable' && <NotAvailable what="Figures from your own data" />}
        {prefill.state === 'done' && <p role="status">Filled in from your business's last 12 months.</p>}
        <ErrorNote error={prefill.error} />
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          {fields.map((f) => (
            <div key={f.key}>
              <label htmlFor={`leak-${f.key}`}>{f.label}</label>
              <input
                id={`leak-${f.key}`}
                type="number"
                min={0}
                max={f.rate ? 100 : undefined}
                step={f.rate ? 0.1 : f.step}
                value={f.rate ? Math.round(inputs[f.key] * 1000) / 10 : inputs[f.key]}
                onChange={(e) => {
                  const n = e.target.value === '' ? 0 : Number(e.target.value);
                  setInputs((cur) => ({ ...cur, [f.key]: f.rate ? n / 100 : n }));
                }}
              />
            </div>
          ))}
        </form>
      </Card>
      <Card title="Follow-up gap">
        <div className="stats" data-testid="leak-result">
          <div className="stat"><span>Warm leads unworked per year</span><b data-testid="leak-leads">{r.unworkedLeadsPerYear.toLocaleString('en-US')}</b></div>
          <div className="stat"><span>Bookings you could recover</span><b data-testid="leak-bookings">{r.recoveredBookingsPerYear.toLocaleString('en-US')}</b></div>
          <div className="stat"><span>Revenue per year</span><b data-testid="leak-revenue">{usd(r.recoveredRevenuePerYear)}</b></div>
        </div>
        <h3>The arithmetic</h3>
        <table data-testid="leak-arithmetic">
          <tbody>
            {r.lines.map((l) => (
              <tr key={l.label}>
                <th scope="row">{l.label}</th>
                <td>{l.formula}</td>
                <td className="num">= {l.label.startsWith('Revenue') ? usd(l.value) : fmt(l.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
      {prefill.body && <OtherLeaks body={prefill.body} />}
    </>
  );
}

/** Missed-call and dormant-database leaks as the API reports them, with its own wording. */
function OtherLeaks({ body }: { body: Record<string, unknown> }) {
  const entries = Object.entries(body).filter(([k, v]) => k !== 'followUpGap' && v && typeof v === 'object' && !Array.isArray(v));
  if (entries.length === 0) return null;
  return (
    <Card title="Other leaks in your data">
      {entries.map(([k, v]) => (
        <div key={k}>
          <h3>{k.replace(/([A-Z])/g, ' $1').toLowerCase()}</h3>
          <dl className="kv">
            {Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === 'number' || typeof x === 'string').map(([kk, x]) => (
              <div key={kk}><dt>{kk.replace(/([A-Z])/g, ' $1').toLowerCase()}</dt><dd>{typeof x === 'number' ? fmt(x) : String(x)}</dd></div>
            ))}
          </dl>
        </div>
      ))}
    </Card>
  );
}
