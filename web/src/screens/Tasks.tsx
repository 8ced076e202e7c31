import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, patch, post, qs, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { dateAndTime, dateTimeLabel, instantOf, startOfToday, zoneLabel } from '../lib/business-time.ts';
import { can, grantFor } from '../permissions.ts';
import { Card, ErrorNote, Load } from '../ui.tsx';
import { Field, issueFor, useMe, useTeam } from './fields.tsx';

export interface Task {
  id: string; title: string; description: string | null; contactId: string | null; jobId: string | null;
  assigneeUserId: string | null; dueAt: string | null; status: 'open' | 'done' | 'cancelled'; completedAt: string | null;
}

type DueWindow = '' | 'overdue' | 'today' | 'upcoming';
const taskEvents = ['task.created', 'task.updated', 'task.completed', 'task.deleted'];

/** The due filter as the API's dueAfter/dueBefore, by the business's calendar day. */
function dueRange(window: DueWindow, zone: string): { dueAfter?: string; dueBefore?: string } {
  const today = startOfToday(zone);
  const tomorrow = today.plus({ days: 1 });
  if (window === 'overdue') return { dueBefore: new Date().toISOString() };
  if (window === 'today') return { dueAfter: today.toUTC().toISO()!, dueBefore: tomorrow.toUTC().toISO()! };
  if (window === 'upcoming') return { dueAfter: tomorrow.toUTC().toISO()! };
  return {};
}

const byDue = (a: Task, b: Task) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999');

/** Names of the contacts on a list of records, asked for 100 at a time. */
export function useContactNames(ids: Array<string | null | undefined>) {
  const key = [...new Set(ids.filter((id): id is string => Boolean(id)))].sort().join(',');
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    const wanted = key ? key.split(',') : [];
    let live = true;
    const chunks = Array.from({ length: Math.ceil(wanted.length / 100) }, (_, i) => wanted.slice(i * 100, i * 100 + 100));
    Promise.all(chunks.map((c) => api<Page<{ id: string; name: string }>>(`/contacts${qs({ ids: c.join(','), limit: 100 })}`))).then(
      (pages) => live && setNames(new Map(pages.flatMap((p) => p.data.map((c) => [c.id, c.name] as const)))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

/** The task list per person: my open tasks first, by assignee and due window, completed from the list. */
export function Tasks() {
  const me = useMe();
  const { people, nameOf } = useTeam();
  // A role that sees only its own tasks gets no assignee choice: the API narrows the list to them anyway.
  const onlyOwn = grantFor('tasks.read') === 'own';
  const [assignee, setAssignee] = useState<string>('me');
  const [due, setDue] = useState<DueWindow>('');
  const [status, setStatus] = useState<'open' | 'done'>('open');
  const [creating, setCreating] = useState(false);
  const zone = me.data?.business.timeZone ?? 'UTC';
  const assigneeUserId = onlyOwn || assignee === 'me' ? me.data?.user?.id : assignee === 'anyone' ? undefined : assignee;
  // Fixed when the filter is chosen: "overdue" means due before the moment it was asked for, so the request stays the same between renders.
  const range = useMemo(() => dueRange(due, zone), [due, zone]);
  const path = me.data ? `/tasks${qs({ status, assigneeUserId, ...range, limit: 500 })}` : null;
  const tasks = useApi<Page<Task>>(path);
  useLiveEvents(() => tasks.reload(), taskEvents);
  const names = useContactNames(tasks.data?.data.map((t) => t.contactId) ?? []);

  return (
    <>
      <div className="page-head">
        <h1>Tasks</h1>
        {can('tasks.create') && !creating && <button onClick={() => setCreating(true)}>New task</button>}
      </div>
      {creating && me.data && (
        <Card title="New task">
          <TaskForm task={null} zone={zone} defaultAssignee={me.data.user?.id ?? null} onDone={() => { setCreating(false); tasks.reload(); }} onCancel={() => setCreating(false)} />
        </Card>
      )}
      <Card title={onlyOwn || assignee === 'me' ? 'My tasks' : assignee === 'anyone' ? "Everyone's tasks" : `${nameOf(assignee)}'s tasks`}>
        <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter tasks">
          {!onlyOwn && (
            <div>
              <label htmlFor="task-assignee">Assigned to</label>
              <select id="task-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                <option value="me">Me</option>
                <option value="anyone">Anyone</option>
                {people.filter((u) => u.id !== me.data?.user?.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
            </div>
          )}
          <div>
            <label htmlFor="task-due">Due</label>
            <select id="task-due" value={due} onChange={(e) => setDue(e.target.value as DueWindow)}>
              <option value="">Any time</option>
              <option value="overdue">Overdue</option>
              <option value="today">Today</option>
              <option value="upcoming">Upcoming</option>
            </select>
          </div>
          <div>
            <label htmlFor="task-status">Status</label>
            <select id="task-status" value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'done')}>
              <option value="open">Open</option>
              <option value="done">Done</option>
            </select>
          </div>
        </form>
        <p className="muted hint">Due times in {zoneLabel(zone)}.</p>
        <Load state={tasks} what="Tasks">
          {(page) => (
            <TaskList tasks={[...page.data].sort(byDue)} zone={zone} nameOf={nameOf} contactName={(id) => names.get(id)} onChange={tasks.reload} empty={status === 'open' ? 'No open tasks here.' : 'No completed tasks here.'} />
          )}
        </Load>
      </Card>
    </>
  );
}

/** Tasks with complete and edit (for roles that may update them). */
export function TaskList({ tasks, zone, nameOf, contactName, onChange, empty }: {
  tasks: Task[]; zone: string; nameOf: (id: string | null) => string; contactName?: (id: string) => string | undefined; onChange: () => void; empty: string;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const complete = async (t: Task) => {
    setError(null);
    try {
      await patch(`/tasks/${t.id}`, { status: 'done' });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  if (tasks.length === 0) return <p className="muted">{empty}</p>;
  const now = new Date().toISOString();
  return (
    <>
      <ErrorNote error={error} />
      <ul className="list" data-testid="task-list">
        {tasks.map((t) => (
          <li key={t.id} className="task" data-testid="task">
            {editing === t.id ? (
              <TaskForm task={t} zone={zone} defaultAssignee={t.assigneeUserId} onDone={() => { setEditing(null); onChange(); }} onCancel={() => setEditing(null)} />
            ) : (
              <div className="item">
                <div className="grow">
                  <strong>{t.title}</strong>
                  {t.status === 'open' && t.dueAt && t.dueAt < now && <span className="tag danger">overdue</span>}
                  {t.status === 'done' && <span className="tag ok">done</span>}
                  <div className="muted">
                    {t.dueAt ? `due ${dateTimeLabel(t.dueAt, zone)}` : 'no due date'} · {nameOf(t.assigneeUserId)}
                    {t.contactId && contactName && <> · <Link to={`/contacts/${t.contactId}`}>{contactName(t.contactId) ?? 'contact'}</Link></>}
                  </div>
                  {t.description && <div>{t.description}</div>}
                </div>
                {can('tasks.update') && t.status === 'open' && (
                  <div className="actions">
                    <button onClick={() => complete(t)} aria-label={`Complete ${t.title}`}>Complete</button>
                    <button className="secondary" onClick={() => setEditing(t.id)} aria-label={`Edit ${t.title}`}>Edit</button>
                  </div>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Creates a task (optionally on a contact) or edits one: title, due (business time), assignee. */
export function TaskForm({ task, contactId, zone, defaultAssignee, onDone, onCancel }: {
  task: Task | null; contactId?: string; zone: string; defaultAssignee: string | null; onDone: () => void; onCancel: () => void;
}) {
  const { people } = useTeam();
  const initial = dateAndTime(task?.dueAt ?? null, zone);
  const [title, setTitle] = useState(task?.title ?? '');
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time || '09:00');
  const [assignee, setAssignee] = useState(task ? (task.assigneeUserId ?? '') : (defaultAssignee ?? ''));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const p = task ? `task-${task.id}` : 'new-task';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const body = { title, dueAt: date ? instantOf(date, time, zone) : null, assigneeUserId: assignee || null };
    try {
      if (task) await patch(`/tasks/${task.id}`, body);
      else await post('/tasks', { ...body, ...(contactId ? { contactId } : {}) });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const placed = ['title', 'dueAt', 'assigneeUserId'].some((f) => issueFor(error, f));
  return (
    <form className="record-form" onSubmit={submit} aria-label={task ? `Edit task ${task.title}` : 'New task'} noValidate>
      <div className="form-grid">
        <Field id={`${p}-title`} label="Task" error={issueFor(error, 'title')}>
          {(a) => <input {...a} value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Field id={`${p}-due-date`} label="Due date" error={issueFor(error, 'dueAt')}>
          {(a) => <input {...a} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
        </Field>
        <Field id={`${p}-due-time`} label={`Due time (${zone})`}>
          {(a) => <input {...a} type="time" value={time} onChange={(e) => setTime(e.target.value)} />}
        </Field>
        <Field id={`${p}-assignee`} label="Assigned to" error={issueFor(error, 'assigneeUserId')}>
          {(a) => (
            <select {...a} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
              <option value="">Nobody</option>
              {people.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
            </select>
          )}
        </Field>
      </div>
      {!placed && <ErrorNote error={error} />}
      <div className="actions">
        <button type="submit" disabled={busy}>{task ? 'Save task' : 'Add task'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
