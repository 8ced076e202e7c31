import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { qs, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { Card, Load } from '../ui.tsx';

interface Job { id: string; contactId: string; serviceType: string; status: string; scheduledStart: string | null; scheduledEnd: string | null; technicianUserId: string | null }
interface User { id: string; name: string; role: string }
interface Business { timeZone: string; onCall: { rotation: string[]; anchor: string; shiftHours: number; escalationMinutes: number; overrides: Array<{ userId: string; start: string; end: string }> } | null }

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());

/** Jobs by day for a week at a time, and who is on call when. */
export function Schedule() {
  const [weekStart, setWeekStart] = useState(() => startOfDay(new Date()));
  const end = new Date(weekStart.getTime() + 7 * 86_400_000);
  const jobs = useApi<Page<Job>>(`/jobs${qs({ scheduledAfter: weekStart.toISOString(), scheduledBefore: end.toISOString(), limit: 200 })}`);
  const users = useApi<{ data: User[] }>('/users');
  const business = useApi<Business>('/business');
  useLiveEvents(() => jobs.reload(), ['job.scheduled', 'job.updated', 'job.cancelled', 'job.completed']);
  const name = (id: string | null) => users.data?.data.find((u) => u.id === id)?.name ?? (id ? '…' : 'unassigned');
  const days = Array.from({ length: 7 }, (_, i) => new Date(weekStart.getTime() + i * 86_400_000));
  const byDay = useMemo(() => {
    const m = new Map<string, Job[]>();
    for (const j of jobs.data?.data ?? []) {
      if (!j.scheduledStart) continue;
      const k = startOfDay(new Date(j.scheduledStart)).toDateString();
      m.set(k, [...(m.get(k) ?? []), j].sort((a, b) => (a.scheduledStart ?? '').localeCompare(b.scheduledStart ?? '')));
    }
    return m;
  }, [jobs.data]);
  const shift = (days: number) => setWeekStart((w) => new Date(w.getTime() + days * 86_400_000));
  return (
    <>
      <h1>Schedule</h1>
      <Card title="Jobs" actions={<div className="actions"><button className="secondary" onClick={() => shift(-7)}>Previous week</button><button className="secondary" onClick={() => setWeekStart(startOfDay(new Date()))}>This week</button><button className="secondary" onClick={() => shift(7)}>Next week</button></div>}>
        <Load state={jobs} what="Jobs">
          {() => (
            <div className="calendar" data-testid="calendar">
              {days.map((d) => (
                <section key={d.toDateString()} className="day" aria-label={d.toDateString()}>
                  <h3>{d.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric' })}</h3>
                  <ul>
                    {(byDay.get(d.toDateString()) ?? []).map((j) => (
                      <li key={j.id} className={`job job-${j.status}`}>
                        <span>{new Date(j.scheduledStart!).toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' })}</span>{' '}
                        <Link to={`/contacts/${j.contactId}`}>{j.serviceType.replace(/_/g, ' ')}</Link>
                        <div className="muted">{name(j.technicianUserId)} · {j.status}</div>
                      </li>
                    ))}
                    {!byDay.get(d.toDateString()) && <li className="muted">No jobs</li>}
                  </ul>
                </section>
              ))}
            </div>
          )}
        </Load>
      </Card>
      <Card title="On-call rotation">
        <Load state={business} what="On-call schedule">
          {(b) => (b.onCall ? <Rotation onCall={b.onCall} name={name} /> : <p className="muted">No on-call rotation set up (Settings).</p>)}
        </Load>
      </Card>
    </>
  );
}

function Rotation({ onCall, name }: { onCall: NonNullable<Business['onCall']>; name: (id: string) => string }) {
  const shiftMs = onCall.shiftHours * 3_600_000;
  const anchor = Date.parse(onCall.anchor);
  const now = Date.now();
  const current = Math.floor((now - anchor) / shiftMs);
  const shifts = Array.from({ length: Math.min(6, onCall.rotation.length + 2) }, (_, i) => {
    const n = current + i;
    const start = anchor + n * shiftMs;
    const idx = ((n % onCall.rotation.length) + onCall.rotation.length) % onCall.rotation.length;
    const override = onCall.overrides.find((o) => Date.parse(o.start) <= start && Date.parse(o.end) > start);
    return { start, end: start + shiftMs, userId: override?.userId ?? onCall.rotation[idx], override: Boolean(override) };
  });
  return (
    <>
      <p className="muted">Shifts of {onCall.shiftHours} hours; a page not acknowledged within {onCall.escalationMinutes} minutes goes to the next person.</p>
      <table data-testid="on-call">
        <thead><tr><th>From</th><th>To</th><th>On call</th></tr></thead>
        <tbody>
          {shifts.map((s, i) => (
            <tr key={s.start} className={i === 0 ? 'now' : ''}>
              <td>{new Date(s.start).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })}</td>
              <td>{new Date(s.end).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })}</td>
              <td>{name(s.userId)}{i === 0 && <strong> (now)</strong>}{s.override && <span className="tag">override</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
