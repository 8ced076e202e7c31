import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { post, qs, when, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { dateTimeLabel } from '../lib/business-time.ts';
import { can } from '../permissions.ts';
import { Card, ErrorNote, Load } from '../ui.tsx';
import { ContactForm, type EditableContact } from './ContactForm.tsx';
import { ConsentBadge } from './Contacts.tsx';
import { Field, issueFor, useMe, useTeam } from './fields.tsx';
import { JobEditor, serviceLabel, type Job, type Service } from './JobEditor.tsx';
import { TaskForm, TaskList, type Task } from './Tasks.tsx';

interface TimelineItem { type: string; id: string; at: string; summary: string; data: Record<string, unknown> }
interface Explained {
  id: string; automationName: string; status: string; next: string;
  log: Array<{ at: string; step: number | null; stepType: string | null; outcome: string; detail: unknown }>;
}
interface Score { model: string; probability: number; reasons: Array<string | { text?: string; feature?: string }>; explanation?: string; prior?: boolean | number; version?: number }

export function ContactDetail() {
  const { id = '' } = useParams();
  const contact = useApi<EditableContact>(`/contacts/${id}`);
  const [editing, setEditing] = useState(false);
  // The contact as the save returned it, shown until the reload brings the same or a newer version.
  const [saved, setSaved] = useState<EditableContact | null>(null);
  const timeline = useApi<Page<TimelineItem>>(`/contacts/${id}/timeline?limit=100`);
  // Read only by roles that may see them (a technician sees neither).
  const automations = useApi<{ data: Explained[] }>(can('automations.read') ? `/contacts/${id}/automations` : null);
  const scores = useApi<{ data: Score[] }>(can('intelligence.read') ? `/contacts/${id}/scores` : null);
  useLiveEvents((e) => {
    if (e.contactId === id) {
      timeline.reload();
      automations.reload();
      contact.reload();
    }
  });
  return (
    <>
      <p><Link to="/contacts">← Contacts</Link></p>
      <Load state={contact} what="Contact">
        {(loaded) => {
          const c = saved && saved.id === loaded.id && saved.updatedAt >= loaded.updatedAt ? saved : loaded;
          return (
          <>
            <div className="page-head">
              <h1>{c.name}</h1>
              {can('contacts.update') && !editing && <button onClick={() => setEditing(true)}>Edit</button>}
            </div>
            {editing ? (
              <Card title="Edit contact">
                <ContactForm key={c.updatedAt} contact={c} onCancel={() => setEditing(false)} onSaved={(updated) => { setSaved(updated as EditableContact); setEditing(false); contact.reload(); timeline.reload(); }} />
              </Card>
            ) : (
              <p data-testid="contact-summary">
                {c.phones.length ? c.phones.map((p) => `${p.number}${p.label ? ` (${p.label})` : ''}`).join(', ') : 'no phone'} · {c.email ?? 'no email'} · {c.lifecycleStage} · source {c.source ?? '–'}
                {c.timeZone && <> · {c.timeZone}</>}
                {[c.address.line1, c.address.city, c.address.region].some(Boolean) && <> · {[c.address.line1, c.address.city, [c.address.region, c.address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ')}</>}
                {c.tags.length > 0 && <> · {c.tags.map((t) => <span key={t} className="tag">{t}</span>)}</>}
                <OwnerName id={c.ownerUserId} />
              </p>
            )}
            {can('messages.send') && <p><Link className="button" to={`/inbox/${c.id}`}>Open conversation</Link></p>}
            <ContactWork contact={c} onNote={timeline.reload} />
            <Consent contact={c} onChange={contact.reload} />
          </>
          );
        }}
      </Load>
      {can('intelligence.read') && <Card title="Scores">
        <Load state={scores} what="Scores">
          {(s) =>
            s.data.length === 0 ? <p className="muted">No scores yet.</p> : (
              <ul className="list" data-testid="scores">
                {s.data.map((sc) => (
                  <li key={sc.model}>
                    <strong>{sc.model.replace(/_/g, ' ')}</strong>: {Math.round(sc.probability * 100)}%
                    {sc.prior === true && <span className="tag">starter model</span>}
                    {sc.version !== undefined && <span className="muted"> · model v{sc.version}</span>}
                    <ul>{sc.reasons.map((r, i) => <li key={i}>{typeof r === 'string' ? r : r.text ?? r.feature}</li>)}</ul>
                  </li>
                ))}
              </ul>
            )
          }
        </Load>
      </Card>}
      {can('automations.read') && <Card title="Automations: what ran and why">
        <Load state={automations} what="Automation history">
          {(a) =>
            a.data.length === 0 ? <p className="muted">No automation has run for this contact.</p> : (
              <ul className="list">
                {a.data.map((e) => (
                  <li key={e.id}>
                    <strong>{e.automationName}</strong> · {e.status} · {e.next}
                    <ol>
                      {e.log.map((l, i) => (
                        <li key={i}>
                          {when(l.at)}: step {l.step ?? '–'} {l.stepType ?? ''} → <strong>{l.outcome}</strong>
                          {l.detail != null && <span className="muted"> {JSON.stringify(l.detail).slice(0, 200)}</span>}
                        </li>
                      ))}
                    </ol>
                  </li>
                ))}
              </ul>
            )
          }
        </Load>
      </Card>}
      <Card title="Timeline">
        <Load state={timeline} what="Timeline">
          {(t) =>
            t.data.length === 0 ? <p className="muted">Nothing yet.</p> : (
              <ol className="timeline" data-testid="timeline">
                {t.data.map((i) => (
                  <li key={`${i.type}-${i.id}`}>
                    <span className="muted">{when(i.at)}</span> <span className="tag">{i.type}</span> {i.summary}
                    {typeof i.data.transcript === 'string' && <details><summary>Transcript</summary><p>{i.data.transcript}</p></details>}
                  </li>
                ))}
              </ol>
            )
          }
        </Load>
      </Card>
    </>
  );
}

function OwnerName({ id }: { id: string | null }) {
  const { nameOf } = useTeam();
  return id ? <> · owner {nameOf(id)}</> : null;
}

/** The contact's jobs, tasks and notes: what the office does with them today. */
function ContactWork({ contact, onNote }: { contact: EditableContact; onNote: () => void }) {
  const me = useMe();
  const zone = me.data?.business.timeZone ?? 'UTC';
  return (
    <>
      {can('jobs.read') && me.data && <ContactJobs contact={contact} zone={zone} />}
      {can('tasks.read') && me.data && <ContactTasks contact={contact} zone={zone} me={me.data.user?.id ?? null} />}
      {can('interactions.create') && <AddNote contact={contact} onAdded={onNote} />}
    </>
  );
}

function ContactJobs({ contact, zone }: { contact: EditableContact; zone: string }) {
  const jobs = useApi<Page<Job>>(`/jobs${qs({ contactId: contact.id, limit: 50 })}`);
  const business = useApi<{ services: Service[] }>('/business');
  const { nameOf } = useTeam();
  const [open, setOpen] = useState<Job | 'new' | null>(null);
  useLiveEvents((e) => {
    if (e.contactId === contact.id) jobs.reload();
  }, ['job.scheduled', 'job.updated', 'job.cancelled', 'job.completed', 'job.no_show', 'job.deleted']);
  const services = business.data?.services ?? [];
  const sorted = [...(jobs.data?.data ?? [])].sort((a, b) => (b.scheduledStart ?? '').localeCompare(a.scheduledStart ?? ''));
  return (
    <Card title="Jobs" actions={can('jobs.create') && open !== 'new' ? <button onClick={() => setOpen('new')}>New job</button> : undefined}>
      {open !== null && business.data && (
        <JobEditor
          key={open === 'new' ? 'new' : open.id}
          job={open === 'new' ? null : open}
          draft={{ contactId: contact.id, contactName: contact.name }}
          contactName={contact.name}
          zone={zone}
          services={services}
          onCancel={() => setOpen(null)}
          onSaved={() => { setOpen(null); jobs.reload(); }}
        />
      )}
      <Load state={jobs} what="Jobs">
        {() =>
          sorted.length === 0 ? <p className="muted">No jobs yet.</p> : (
            <ul className="list" data-testid="contact-jobs">
              {sorted.map((j) => (
                <li key={j.id} className="item">
                  <div className="grow">
                    <strong>{serviceLabel(services, j.serviceType)}</strong> · {j.scheduledStart ? dateTimeLabel(j.scheduledStart, zone) : 'not scheduled'} · {nameOf(j.technicianUserId)} · <span className={`tag status-${j.status}`}>{j.status.replace('_', '-')}</span>
                  </div>
                  {can('jobs.update') && <button className="secondary small" onClick={() => setOpen(j)} aria-label={`Edit job ${serviceLabel(services, j.serviceType)}`}>Edit</button>}
                </li>
              ))}
            </ul>
          )
        }
      </Load>
    </Card>
  );
}

function ContactTasks({ contact, zone, me }: { contact: EditableContact; zone: string; me: string | null }) {
  const tasks = useApi<Page<Task>>(`/tasks${qs({ contactId: contact.id, limit: 100 })}`);
  const { nameOf } = useTeam();
  const [adding, setAdding] = useState(false);
  useLiveEvents((e) => {
    if (e.contactId === contact.id) tasks.reload();
  }, ['task.created', 'task.updated', 'task.completed', 'task.deleted']);
  const all = tasks.data?.data ?? [];
  const open = all.filter((t) => t.status === 'open').sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'));
  const done = all.filter((t) => t.status === 'done');
  return (
    <Card title="Tasks" actions={can('tasks.create') && !adding ? <button onClick={() => setAdding(true)}>New task</button> : undefined}>
      {adding && <TaskForm task={null} contactId={contact.id} zone={zone} defaultAssignee={contact.ownerUserId ?? me} onCancel={() => setAdding(false)} onDone={() => { setAdding(false); tasks.reload(); }} />}
      <Load state={tasks} what="Tasks">
        {() => (
          <>
            <TaskList tasks={open} zone={zone} nameOf={nameOf} onChange={tasks.reload} empty="No open tasks." />
            {done.length > 0 && (
              <details>
                <summary>{done.length} done</summary>
                <TaskList tasks={done} zone={zone} nameOf={nameOf} onChange={tasks.reload} empty="" />
              </details>
            )}
          </>
        )}
      </Load>
    </Card>
  );
}

function AddNote({ contact, onAdded }: { contact: EditableContact; onAdded: () => void }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved('');
    setBusy(true);
    try {
      await post('/interactions', { contactId: contact.id, kind: 'note', body });
      setBody('');
      setSaved('Note added.');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Add a note">
      <form onSubmit={submit} aria-label="Add a note" noValidate>
        <Field id="note-body" label="Note (the team sees it on the timeline)" error={issueFor(error, 'body')}>
          {(a) => <textarea {...a} rows={3} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        {!issueFor(error, 'body') && <ErrorNote error={error} />}
        {saved && <p role="status" className="ok">{saved}</p>}
        <div className="actions"><button type="submit" disabled={busy || body.trim() === ''}>Add note</button></div>
      </form>
    </Card>
  );
}

function Consent({ contact, onChange }: { contact: EditableContact; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const record = async (channel: string, status: 'granted' | 'revoked') => {
    setError(null);
    try {
      await post(`/contacts/${contact.id}/consent`, { channel, status, method: 'staff' });
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title="Consent">
      <table>
        <thead><tr><th>Channel</th><th>Status</th><th>Since</th>{can('contacts.update') && <th>Change</th>}</tr></thead>
        <tbody>
          {Object.entries(contact.consent ?? {}).map(([ch, c]) => (
            <tr key={ch}>
              <td>{ch}</td>
              <td><ConsentBadge status={c.status} /> {c.method && <span className="muted">({c.method})</span>}</td>
              <td>{when(c.at)}</td>
              {can('contacts.update') && (
                <td>
                  {c.status !== 'granted' && <button className="secondary" onClick={() => record(ch, 'granted')}>Record consent</button>}
                  {c.status !== 'revoked' && <button className="secondary" onClick={() => record(ch, 'revoked')}>Record opt-out</button>}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={error} />
    </Card>
  );
}
