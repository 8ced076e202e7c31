import { useSearchParams } from 'react-router';
import { money, qs, type Page } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Card, Load } from '../ui.tsx';

interface FunnelRow { automationId: string; name: string; variant: string | null; sent: number; delivered: number; replied: number; booked: number; revenueCents: number }
const rate = (n: number, d: number) => (d > 0 ? `${Math.round((n / d) * 1000) / 10}%` : '–');

/** Sent → delivered → replied → booked → revenue, per campaign and A/B variant. */
export function Campaigns() {
  const [params, setParams] = useSearchParams();
  const automationId = params.get('automationId') ?? '';
  const days = Number(params.get('days') ?? 90);
  // Whole days, so the request (and the page) stays the same from one render to the next.
  const to = `${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`;
  const from = new Date(Date.parse(to) - (days - 1) * 86_400_000).toISOString();
  const funnel = useApi<{ data: FunnelRow[] }>(`/insights/funnel${qs({ automationId, from, to: new Date(Date.parse(to) + 86_400_000).toISOString() })}`);
  const automations = useApi<Page<{ id: string; name: string }>>('/automations?limit=100');
  return (
    <>
      <h1>Campaigns</h1>
      <Card title="Funnel">
        <div className="filters">
          <div>
            <label htmlFor="funnel-automation">Campaign</label>
            <select id="funnel-automation" value={automationId} onChange={(e) => setParams((p) => { p.set('automationId', e.target.value); return p; })}>
              <option value="">All</option>
              {(automations.data?.data ?? []).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="funnel-days">Period</label>
            <select id="funnel-days" value={days} onChange={(e) => setParams((p) => { p.set('days', e.target.value); return p; })}>
              {[30, 90, 180, 365].map((d) => <option key={d} value={d}>last {d} days</option>)}
            </select>
          </div>
        </div>
        <Load state={funnel} what="Campaign funnel">
          {(f) =>
            f.data.length === 0 ? <p className="muted">No campaign messages in this period.</p> : (
              <div className="table-wrap">
                <table data-testid="funnel">
                  <thead><tr><th>Campaign</th><th>Variant</th><th>Sent</th><th>Delivered</th><th>Replied</th><th>Booked</th><th>Revenue</th></tr></thead>
                  <tbody>
                    {f.data.map((r) => (
                      <tr key={`${r.automationId}-${r.variant ?? ''}`}>
                        <td>{r.name}</td><td>{r.variant ?? '–'}</td><td>{r.sent}</td>
                        <td>{r.delivered} <span className="muted">{rate(r.delivered, r.sent)}</span></td>
                        <td>{r.replied} <span className="muted">{rate(r.replied, r.sent)}</span></td>
                        <td>{r.booked} <span className="muted">{rate(r.booked, r.sent)}</span></td>
                        <td>{money(r.revenueCents)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Load>
      </Card>
    </>
  );
}
