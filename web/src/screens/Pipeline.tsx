import { useState, type DragEvent } from 'react';
import { Link } from 'react-router';
import { money, patch, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { ErrorNote, Load } from '../ui.tsx';

interface Deal { id: string; title: string; stage: string; status: string; amountCents: number | null; contactId: string | null; expectedCloseDate: string | null }
const stages = ['new', 'qualified', 'quote_sent', 'negotiation', 'won', 'lost'];
const label = (s: string) => s.replace('_', ' ');

/** Deals as a board by stage: drag a card to another column, or use its stage menu (keyboard). */
export function Pipeline() {
  const deals = useApi<Page<Deal>>('/deals?status=open&limit=200');
  const closed = useApi<Page<Deal>>('/deals?limit=100&status=won');
  const [error, setError] = useState<unknown>(null);
  const [over, setOver] = useState<string | null>(null);
  const [moved, setMoved] = useState<Record<string, string>>({});
  useLiveEvents(() => deals.reload(), ['deal.created', 'deal.stage_changed', 'deal.won', 'deal.lost', 'deal.updated']);
  // Open deals, plus the latest wins for context (the board is for work in progress).
  const all = [...(deals.data?.data ?? []), ...(closed.data?.data ?? []).slice(0, 8)];
  const stageOf = (d: Deal) => moved[d.id] ?? d.stage;
  const move = async (id: string, stage: string) => {
    setError(null);
    setMoved((m) => ({ ...m, [id]: stage }));
    try {
      await patch(`/deals/${id}`, { stage });
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
      <ErrorNote error={error} />
      <Load state={deals} what="Deals">
        {() => (
          <div className="board" data-testid="board">
            {stages.map((s) => {
              const col = all.filter((d) => stageOf(d) === s);
              return (
                <section key={s} className={`column ${over === s ? 'over' : ''}`} aria-label={`${label(s)} (${col.length})`} onDragOver={(e) => { e.preventDefault(); setOver(s); }} onDragLeave={() => setOver(null)} onDrop={onDrop(s)} data-stage={s}>
                  <h2>{label(s)} <span className="muted">{col.length} · {money(col.reduce((n, d) => n + (d.amountCents ?? 0), 0))}</span></h2>
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

