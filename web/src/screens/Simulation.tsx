import { useState } from 'react';
import { post, when } from '../api.ts';
import { Card, ErrorNote } from '../ui.tsx';

interface Report {
  enrolled: number; from: string; to: string;
  sends: Array<{ at: string; channel: string; to: string; contactId: string | null; contactName: string | null; body: string; subject: string | null; step: number | null; audience: string }>;
  decisions: Array<{ at: string; contactId: string; step: number | null; stepType: string | null; outcome: string; detail: unknown }>;
  finished: Record<string, number>;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Replays an automation on past data (POST /automations/:id/simulate) and shows what would have been sent. */
export function SimulationView({ automation, onClose }: { automation: { id: string; name: string }; onClose: () => void }) {
  const now = new Date();
  const [from, setFrom] = useState(isoDay(new Date(now.getTime() - 30 * 86_400_000)));
  const [to, setTo] = useState(isoDay(now));
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState(50);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await post<Report>(`/automations/${automation.id}/simulate`, { from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const skipped = report ? report.decisions.filter((d) => d.outcome !== 'sent' && d.outcome !== 'done' && d.outcome !== 'completed') : [];
  return (
    <Card title={`Simulate ${automation.name}`} id="simulation">
      <p className="muted">Runs the automation over this period of your real history on a virtual clock. Nothing is sent or saved.</p>
      <div className="filters">
        <div><label htmlFor="sim-from">From</label><input id="sim-from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></div>
        <div><label htmlFor="sim-to">To</label><input id="sim-to" type="date" value={to} onChange={(e) => setTo(e.target.value)} /></div>
      </div>
      <div className="actions">
        <button onClick={run} disabled={busy}>{busy ? 'Simulating…' : 'Run simulation'}</button>
        <button className="secondary" onClick={onClose}>Close</button>
      </div>
      {busy && <progress aria-label="Simulating" />}
      <ErrorNote error={error} />
      {report && (
        <div data-testid="simulation-report">
          <p role="status">
            <strong>{report.enrolled}</strong> contacts would have been enrolled; <strong data-testid="sim-send-count">{report.sends.length}</strong> messages would have been sent.
            {Object.keys(report.finished).length > 0 && <> Finished: {Object.entries(report.finished).map(([k, v]) => `${v} ${k}`).join(', ')}.</>}
          </p>
          <ol className="timeline" data-testid="would-be-sends">
            {report.sends.slice(0, shown).map((s, i) => (
              <li key={i}>
                <span className="muted">{when(s.at)}</span> <span className="tag">{s.channel}</span> to {s.contactName ?? s.to} ({s.to}){s.step !== null && <> · step {s.step + 1}</>}
                {s.audience === 'staff' && <span className="tag">staff</span>}
                <div className="quote">{s.subject && <strong>{s.subject}: </strong>}{s.body}</div>
              </li>
            ))}
          </ol>
          {report.sends.length > shown && (
            <button className="secondary" onClick={() => setShown((n) => n + 200)}>Show {Math.min(200, report.sends.length - shown)} more of {report.sends.length - shown}</button>
          )}
          {skipped.length > 0 && (
            <details>
              <summary>{skipped.length} decisions not to send (and why)</summary>
              <ul>{skipped.slice(0, 100).map((d, i) => <li key={i}>{when(d.at)}: step {d.step ?? '–'} {d.stepType} → {d.outcome} {JSON.stringify(d.detail ?? '').slice(0, 160)}</li>)}</ul>
            </details>
          )}
        </div>
      )}
    </Card>
  );
}
