import { useMemo, useState, type DragEvent } from 'react';
import { Link } from 'react-router';
import { money, patch, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { ErrorNote, Load } from '../ui.tsx';

interface Deal { id: string; title: string; stage: string; status: string; amountCents: number | null; contactId: string | null; expectedCloseDate: string | null }
const stages = ['new', 'qualified', 'quote_sent', 'negotiation', 'won', 'lost'];
const label = (s: string) => s.replace('_', ' ');

interface Totals { open: Record<string, { count: number; amountCents: number }>; won: { count: number; amountCents: number }; lost: { count: number; amountCents: number } }
const periods = [
  ['month', 'This month'],
  ['30d', 'Last 30 days'],
  ['quarter', 'This quarter'],
  ['year', 'This year'],
] as const;
type Period = (typeof periods)[number][0];
function periodStart(p: Period, now = new Date()): string {
  const d = new Date(now);
  if (p === '30d') return new Date(now.getTime() - 30 * 86_400_000).toISOString();
  d.setHours(0, 0, 0, 0);
  d.setDate(1);
  if (p === 'quarter') d.setMonth(d.getMonth() - (d.getMonth() % 3));
  if (p === 'year') d.setMonth(0);
  return d.toISOString();
}

/**
 * Deals as a board by stage: drag a card to another column, or use its stage menu (keyboard). Won and
 * Lost stay on the board for the chosen period, with the period's totals; column totals come from the
 * server, not from the cards loaded.
 */
export function Pipeline() {
  const [period, setPeriod] = useState<Period>('month');
  const since = useMemo(() => periodStart(period), [period]);
  const deals = useApi<Page<Deal>>('/deals?status=open&limit=200');
  const won = useApi<Page<Deal>>(`/deals?status=won&closedAfter=${encodeURIComponent(since)}&limit=50`);
  const lost = useApi<Page<Deal>>(`/deals?status=lost&closedAfter=${encodeURIComponent(since)}&limit=50`);
  const totals = useApi<Totals>(`/pipeline/totals?closedAfter=${encodeURIComponent(since)}`);
  const [error, setError] = useState<unknown>(null);
  const [over, setOver] = useState<string | null>(null);
  const [moved, setMoved] = useState<Record<string, string>>({});
  const reload = () => {
    deals.reload();
    won.reload();
    lost.reload();
    totals.reload();
  };
  useLiveEvents(reload, ['deal.created', 'deal.stage_changed', 'deal.won', 'deal.lost', 'deal.updated', 'deal.deleted']);
  const all = [...(deals.data?.data ?? []), ...(won.data?.data ?? []), ...(lost.data?.data ?? [])];
  const headline = (s: string) => (s === 'won' || s === 'lost' ? totals.data?.[s] : totals.data?.open[s]) ?? { count: 0, amountCents: 0 };
  const stageOf = (d: Deal) => moved[d.id] ?? d.stage;
  const move = async (id: string, stage: string) => {
    setError(null);
    setMoved((m) => ({ ...m, [id]: stage }));
    try {
      await patch(`/deals/${id}`, { stage });
      reload();
    } catch (err) {
      setError(err);
      setMoved((m) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== id)));
    }
  };
  const onDrop = (stage: string) => (e: DragEvent) => {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData('text/plain');
    if (id) void move(id, stage);
  };
  return (
    <>
      <h1>Pipeline</h1>
      <div className="filters">
        <div>
          <label htmlFor="pipeline-period">Won and lost</label>
          <select id="pipeline-period" value={period} onChange={(e) => setPeriod(e.target.value as Period)}>
            {periods.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
          </select>
        </div>
        {totals.data && (
          <p className="muted" data-testid="pipeline-period-totals">
            Won {totals.data.won.count} ({money(totals.data.won.amountCents)}) · lost {totals.data.lost.count} ({money(totals.data.lost.amountCents)})
          </p>
        )}
      </div>
      <ErrorNote error={error} />
      <Load state={deals} what="Deals">
        {() => (
          <div className="board" data-testid="board">
            {stages.map((s) => {
              const col = all.filter((d) => stageOf(d) === s);
              return (
                <section key={s} className={`column ${over === s ? 'over' : ''}`} aria-label={`${label(s)} (${headline(s).count})`} onDragOver={(e) => { e.preventDefault(); setOver(s); }} onDragLeave={() => setOver(null)} onDrop={onDrop(s)} data-stage={s}>
                  <h2>{label(s)} <span className="muted">{headline(s).count} · {money(headline(s).amountCents)}</span></h2>
                  {col.map((d) => (
                    <article key={d.id} className="deal" draggable onDragStart={(e) => e.dataTransfer.setData('text/plain', d.id)} data-deal={d.id}>
                      <strong>{d.title}</strong>
                      <div>{money(d.amountCents)}{d.expectedCloseDate && <span className="muted"> · closes {d.expectedCloseDate}</span>}</div>
                      {d.contactId && <Link to={`/contacts/${d.contactId}`}>Contact</Link>}
                      <label className="sr-only" htmlFor={`stage-${d.id}`}>Stage of {d.title}</label>
                      <select id={`stage-${d.id}`} value={stageOf(d)} onChange={(e) => move(d.id, e.target.value)}>
                        {stages.map((x) => <option key={x} value={x}>{label(x)}</option>)}
                      </select>
                    </article>
                  ))}
                </section>
              );
            })}
          </div>
        )}
      </Load>
    </>
  );
}

