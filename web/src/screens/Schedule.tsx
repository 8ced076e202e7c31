import { DateTime } from 'luxon';
import { useEffect, useRef, useState } from 'react';
import { qs, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { clockTime, inZone, zoneLabel } from '../lib/business-time.ts';
import { can, grantFor } from '../permissions.ts';
import { Card, Load } from '../ui.tsx';
import { useMe, useTeam, type TeamMember } from './fields.tsx';
import { JobEditor, serviceLabel, type Job, type JobDraft, type Service } from './JobEditor.tsx';
import { useContactNames } from './Tasks.tsx';

interface Business { timeZone: string; services: Service[]; onCall: { rotation: string[]; anchor: string; shiftHours: number; escalationMinutes: number; overrides: Array<{ userId: string; start: string; end: string }> } | null }

type View = 'day' | 'week';
const UNASSIGNED = '';
const PX_PER_MINUTE = 1;
const jobEvents = ['job.scheduled', 'job.updated', 'job.cancelled', 'job.completed', 'job.no_show', 'job.deleted'];

/**
 * The technicians' calendar: a column per technician for a day, or a row per
 * technician for a week, in the business's time zone. A job opens in the
 * editor; an empty slot (or "New job") starts one there. Every change goes
 * through the jobs API, which refuses a technician booked twice.
 */
export function Schedule() {
  const me = useMe();
  const business = useApi<Business>('/business');
  const zone = me.data?.business.timeZone ?? business.data?.timeZone ?? null;
  if (business.error) return <><h1>Schedule</h1><Load state={business} what="Schedule">{() => null}</Load></>;
  if (!zone || !business.data) return <><h1>Schedule</h1><p className="muted">Loading the schedule…</p></>;
  return <Calendar zone={zone} business={business.data} myId={me.data?.user?.id ?? null} />;
}

function Calendar({ zone, business, myId }: { zone: string; business: Business; myId: string | null }) {
  const [view, setView] = useState<View>(() => (window.matchMedia?.('(max-width: 760px)').matches ? 'day' : 'week'));
  const [anchor, setAnchor] = useState<DateTime>(() => DateTime.now().setZone(zone).startOf('day'));
  const [open, setOpen] = useState<{ job: Job | null; draft?: JobDraft } | null>(null);
  const { people, nameOf } = useTeam();
  const from = view === 'day' ? anchor : anchor.startOf('week');
  const to = from.plus({ days: view === 'day' ? 1 : 7 });
  const jobs = useApi<Page<Job>>(`/jobs${qs({ scheduledAfter: from.toUTC().toISO(), scheduledBefore: to.toUTC().toISO(), limit: 500 })}`);
  useLiveEvents(() => jobs.reload(), jobEvents);
  const list = (jobs.data?.data ?? []).filter((j) => j.scheduledStart).sort((a, b) => a.scheduledStart!.localeCompare(b.scheduledStart!));
  const names = useContactNames(list.map((j) => j.contactId));
  const editorRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) editorRef.current?.scrollIntoView({ block: 'nearest' });
  }, [open]);

  // One lane per technician; a role that sees only its own jobs gets its own lane.
  const onlyOwn = grantFor('jobs.read') === 'own';
  const lanes: Array<{ id: string; name: string }> = onlyOwn
    ? [{ id: myId ?? UNASSIGNED, name: nameOf(myId) }]
    : [
        ...people.filter((u) => u.role === 'technician' || list.some((j) => j.technicianUserId === u.id)).map((u: TeamMember) => ({ id: u.id, name: u.name })),
        ...[...new Set(list.map((j) => j.technicianUserId).filter((id): id is string => Boolean(id) && !people.some((u) => u.id === id)))].map((id) => ({ id, name: nameOf(id) })),
        { id: UNASSIGNED, name: 'Unassigned' },
      ];
  const laneOf = (j: Job) => j.technicianUserId ?? UNASSIGNED;
  const customer = (j: Job) => (j.contactId ? (names.get(j.contactId) ?? 'customer') : 'no customer');
  const step = (n: number) => setAnchor((a) => a.plus(view === 'day' ? { days: n } : { weeks: n }));
  const create = (draft: JobDraft) => setOpen({ job: null, draft });
  const title = view === 'day' ? anchor.toFormat('cccc, LLLL d, yyyy') : `Week of ${from.toFormat('LLLL d, yyyy')}`;

  return (
    <>
      <div className="page-head">
        <h1>Schedule</h1>
        {can('jobs.create') && <button onClick={() => create({ start: anchor.set({ hour: 9 }).toUTC().toISO()!, technicianUserId: onlyOwn ? myId : null })}>New job</button>}
      </div>
      <div ref={editorRef}>
        {open && (
          <Card title={open.job ? 'Job' : 'New job'}>
            <JobEditor
              key={open.job?.id ?? `new-${open.draft?.start}-${open.draft?.technicianUserId}`}
              job={open.job}
              draft={open.draft}
              zone={zone}
              services={business.services}
              contactName={open.job?.contactId ? names.get(open.job.contactId) : undefined}
              onCancel={() => setOpen(null)}
              onSaved={() => { setOpen(null); jobs.reload(); }}
            />
          </Card>
        )}
      </div>
      <Card
        title={title}
        actions={
          <div className="actions">
            <div className="segmented" role="group" aria-label="View">
              <button className={view === 'day' ? '' : 'secondary'} aria-pressed={view === 'day'} onClick={() => setView('day')}>Day</button>
              <button className={view === 'week' ? '' : 'secondary'} aria-pressed={view === 'week'} onClick={() => setView('week')}>Week</button>
            </div>
            <button className="secondary" onClick={() => step(-1)}>{view === 'day' ? 'Previous day' : 'Previous week'}</button>
            <button className="secondary" onClick={() => setAnchor(DateTime.now().setZone(zone).startOf('day'))}>Today</button>
            <button className="secondary" onClick={() => step(1)}>{view === 'day' ? 'Next day' : 'Next week'}</button>
            <label className="inline">
              <span className="sr-only">Go to date</span>
              <input type="date" aria-label="Go to date" value={anchor.toFormat('yyyy-LL-dd')} onChange={(e) => e.target.value && setAnchor(DateTime.fromISO(e.target.value, { zone }).startOf('day'))} />
            </label>
          </div>
        }
      >
        <p className="muted hint" data-testid="schedule-zone">Times in {zoneLabel(zone, from)}, the business's time zone.</p>
        <Load state={jobs} what="Jobs">
          {() =>
            view === 'day' ? (
              <DayView day={anchor} zone={zone} lanes={lanes} jobs={list} laneOf={laneOf} customer={customer} services={business.services} onOpen={(job) => setOpen({ job })} onCreate={create} />
            ) : (
              <WeekView from={from} zone={zone} lanes={lanes} jobs={list} laneOf={laneOf} customer={customer} services={business.services} onOpen={(job) => setOpen({ job })} onCreate={create} onDay={(d) => { setAnchor(d); setView('day'); }} />
            )
          }
        </Load>
      </Card>
      <Card title="On-call rotation">
        {business.onCall ? <Rotation onCall={business.onCall} zone={zone} name={nameOf} /> : <p className="muted">No on-call rotation set up (Settings).</p>}
      </Card>
    </>
  );
}

interface ViewProps {
  zone: string;
  lanes: Array<{ id: string; name: string }>;
  jobs: Job[];
  laneOf: (j: Job) => string;
  customer: (j: Job) => string;
  services: Service[];
  onOpen: (j: Job) => void;
  onCreate: (d: JobDraft) => void;
}

const jobLabel = (j: Job, zone: string, customer: string, services: Service[]) =>
  `${clockTime(j.scheduledStart!, zone)}${j.scheduledEnd ? `–${clockTime(j.scheduledEnd, zone)}` : ''} ${customer}, ${serviceLabel(services, j.serviceType)}${j.status !== 'scheduled' ? ` (${j.status.replace('_', '-')})` : ''}`;

function DayView({ day, zone, lanes, jobs, laneOf, customer, services, onOpen, onCreate }: ViewProps & { day: DateTime }) {
  const minutesOf = (iso: string) => inZone(iso, zone).diff(day, 'minutes').minutes;
  // Working hours 7:00–19:00, widened to show every job of the day.
  const firstHour = Math.max(0, Math.min(7, ...jobs.map((j) => Math.floor(minutesOf(j.scheduledStart!) / 60))));
  const lastHour = Math.min(24, Math.max(19, ...jobs.map((j) => Math.ceil(minutesOf(j.scheduledEnd ?? j.scheduledStart!) / 60))));
  const hours = Array.from({ length: lastHour - firstHour }, (_, i) => firstHour + i);
  const height = (lastHour - firstHour) * 60 * PX_PER_MINUTE;
  const top = (iso: string) => (minutesOf(iso) - firstHour * 60) * PX_PER_MINUTE;
  return (
    <div className="day-grid" data-testid="day-view" style={{ gridTemplateColumns: `56px repeat(${lanes.length}, minmax(150px, 1fr))` }}>
      <div className="lane-head" />
      {lanes.map((l) => <div key={l.id} className="lane-head" role="columnheader">{l.name}</div>)}
      <div className="hours" style={{ height }}>
        {hours.map((h) => <span key={h} style={{ top: (h - firstHour) * 60 * PX_PER_MINUTE }}>{day.set({ hour: h }).toFormat('h a')}</span>)}
      </div>
      {lanes.map((l) => (
        <section key={l.id} className="lane" style={{ height }} aria-label={`${l.name}, ${day.toFormat('ccc LLL d')}`} data-testid={`lane-${l.name}`}>
          {can('jobs.create') &&
            hours.flatMap((h) => [0, 30].map((m) => {
              const at = day.set({ hour: h, minute: m });
              return (
                <button
                  key={`${h}:${m}`} type="button" className="slot" style={{ top: (h - firstHour) * 60 * PX_PER_MINUTE + m * PX_PER_MINUTE, height: 30 * PX_PER_MINUTE }}
                  aria-label={`New job at ${at.toFormat('h:mm a')} for ${l.name}`}
                  onClick={() => onCreate({ start: at.toUTC().toISO()!, technicianUserId: l.id || null })}
                />
              );
            }))}
          {jobs.filter((j) => laneOf(j) === l.id).map((j) => {
            const t = top(j.scheduledStart!);
            const end = j.scheduledEnd ? top(j.scheduledEnd) : t + 60 * PX_PER_MINUTE;
            return (
              <button
                key={j.id} type="button" className={`cal-job job-${j.status}`} style={{ top: t, height: Math.max(28, end - t) }}
                aria-label={`Open job: ${jobLabel(j, zone, customer(j), services)}`} data-testid="cal-job" onClick={() => onOpen(j)}
              >
                <span className="when">{clockTime(j.scheduledStart!, zone)}</span> <strong>{customer(j)}</strong>
                <span className="what">{serviceLabel(services, j.serviceType)}{j.status !== 'scheduled' ? ` · ${j.status.replace('_', '-')}` : ''}</span>
              </button>
            );
          })}
        </section>
      ))}
    </div>
  );
}

function WeekView({ from, zone, lanes, jobs, laneOf, customer, services, onOpen, onCreate, onDay }: ViewProps & { from: DateTime; onDay: (d: DateTime) => void }) {
  const days = Array.from({ length: 7 }, (_, i) => from.plus({ days: i }));
  const dayKey = (iso: string) => inZone(iso, zone).toFormat('yyyy-LL-dd');
  const today = DateTime.now().setZone(zone).toFormat('yyyy-LL-dd');
  return (
    <div className="table-wrap">
      <table className="week-grid" data-testid="week-view">
        <thead>
          <tr>
            <th scope="col">Technician</th>
            {days.map((d) => (
              <th key={d.toISODate()} scope="col" className={d.toFormat('yyyy-LL-dd') === today ? 'today' : ''}>
                <button type="button" className="link-button" onClick={() => onDay(d)} aria-label={`Day view of ${d.toFormat('cccc LLL d')}`}>{d.toFormat('ccc LLL d')}</button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {lanes.map((l) => (
            <tr key={l.id} data-testid={`row-${l.name}`}>
              <th scope="row">{l.name}</th>
              {days.map((d) => {
                const key = d.toFormat('yyyy-LL-dd');
                const here = jobs.filter((j) => laneOf(j) === l.id && dayKey(j.scheduledStart!) === key);
                return (
                  <td key={key} aria-label={`${l.name}, ${d.toFormat('ccc LLL d')}`}>
                    {here.map((j) => (
                      <button key={j.id} type="button" className={`cal-job week job-${j.status}`} data-testid="cal-job" aria-label={`Open job: ${jobLabel(j, zone, customer(j), services)}`} onClick={() => onOpen(j)}>
                        <span className="when">{clockTime(j.scheduledStart!, zone)}</span> <strong>{customer(j)}</strong>
                        <span className="what">{serviceLabel(services, j.serviceType)}</span>
                      </button>
                    ))}
                    {can('jobs.create') && (
                      <button type="button" className="add-slot" aria-label={`New job on ${d.toFormat('ccc LLL d')} for ${l.name}`} onClick={() => onCreate({ start: d.set({ hour: 9 }).toUTC().toISO()!, technicianUserId: l.id || null })}>+</button>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Rotation({ onCall, zone, name }: { onCall: NonNullable<Business['onCall']>; zone: string; name: (id: string) => string }) {
  const shiftMs = onCall.shiftHours * 3_600_000;
  const anchor = Date.parse(onCall.anchor);
  const now = Date.now();
  const current = Math.floor((now - anchor) / shiftMs);
  const at = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('ccc LLL d, h:mm a');
  const shifts = Array.from({ length: Math.min(6, onCall.rotation.length + 2) }, (_, i) => {
    const n = current + i;
    const start = anchor + n * shiftMs;
    const idx = ((n % onCall.rotation.length) + onCall.rotation.length) % onCall.rotation.length;
    const override = onCall.overrides.find((o) => Date.parse(o.start) <= start && Date.parse(o.end) > start);
    return { start, end: start + shiftMs, userId: override?.userId ?? onCall.rotation[idx], override: Boolean(override) };
  });
  return (
    <>
      <p className="muted">Shifts of {onCall.shiftHours} hours; a page not acknowledged within {onCall.escalationMinutes} minutes goes to the next person. Times in {zone}.</p>
      <table data-testid="on-call">
        <thead><tr><th>From</th><th>To</th><th>On call</th></tr></thead>
        <tbody>
          {shifts.map((s, i) => (
            <tr key={s.start} className={i === 0 ? 'now' : ''}>
              <td>{at(s.start)}</td>
              <td>{at(s.end)}</td>
              <td>{name(s.userId)}{i === 0 && <strong> (now)</strong>}{s.override && <span className="tag">override</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
