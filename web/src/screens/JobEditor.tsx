import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { patch, post, qs, type Page } from '../api.ts';
import { useApi } from '../hooks.ts';
import { dateAndTime, instantOf } from '../lib/business-time.ts';
import { ErrorNote } from '../ui.tsx';
import { Field, issueFor, useTeam } from './fields.tsx';

export interface Job {
  id: string; contactId: string | null; serviceType: string; status: string; scheduledStart: string | null; scheduledEnd: string | null;
  technicianUserId: string | null; notes: string | null; source: string | null;
}
export interface Service { key: string; name: string; durationMinutes: number }
export const jobStatuses = ['scheduled', 'completed', 'cancelled', 'no_show'];
export const serviceLabel = (services: Service[], key: string) => services.find((s) => s.key === key)?.name ?? key.replace(/_/g, ' ');

/** A new job's starting point: a slot clicked on the calendar, or a contact's page. */
export interface JobDraft { contactId?: string; contactName?: string; start?: string; technicianUserId?: string | null }

/**
 * Creates or edits a job: customer, service, time in the business's zone,
 * duration, technician, status, notes. A change is sent as only the fields
 * that changed (PATCH /jobs/:id), so the API decides about the move:
 * calendar updates for booked jobs, and a refusal when the technician is busy.
 */
export function JobEditor({ job, draft, zone, services, contactName, onSaved, onCancel }: {
  job: Job | null; draft?: JobDraft; zone: string; services: Service[]; contactName?: string; onSaved: (j: Job) => void; onCancel: () => void;
}) {
  const { people } = useTeam();
  const start = dateAndTime(job?.scheduledStart ?? draft?.start ?? null, zone);
  const initialDuration = job?.scheduledStart && job.scheduledEnd ? Math.round((Date.parse(job.scheduledEnd) - Date.parse(job.scheduledStart)) / 60_000) : (services[0]?.durationMinutes ?? 60);
  const [contact, setContact] = useState<{ id: string; name: string } | null>(
    job?.contactId ? { id: job.contactId, name: contactName ?? 'customer' } : draft?.contactId ? { id: draft.contactId, name: draft.contactName ?? 'customer' } : null,
  );
  const [serviceType, setServiceType] = useState(job?.serviceType ?? services[0]?.key ?? '');
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const [duration, setDuration] = useState(String(initialDuration));
  const [technician, setTechnician] = useState(job ? (job.technicianUserId ?? '') : (draft?.technicianUserId ?? ''));
  const [status, setStatus] = useState(job?.status ?? 'scheduled');
  const [notes, setNotes] = useState(job?.notes ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const p = job ? 'edit-job' : 'new-job';

  const chooseService = (key: string) => {
    setServiceType(key);
    const s = services.find((x) => x.key === key);
    if (s && !job) setDuration(String(s.durationMinutes));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const local = instantOf(date, time, zone);
    const startIso = local && new Date(local).toISOString();
    const minutes = Number(duration);
    const endIso = startIso && Number.isFinite(minutes) && minutes > 0 ? new Date(Date.parse(startIso) + minutes * 60_000).toISOString() : null;
    const body: Record<string, unknown> = {
      contactId: contact?.id ?? null,
      serviceType,
      scheduledStart: startIso,
      scheduledEnd: endIso,
      technicianUserId: technician || null,
      status,
      notes: notes.trim() || null,
    };
    try {
      let saved: Job;
      if (job) {
        const current: Record<string, unknown> = {
          contactId: job.contactId, serviceType: job.serviceType, scheduledStart: job.scheduledStart && new Date(job.scheduledStart).toISOString(),
          scheduledEnd: job.scheduledEnd && new Date(job.scheduledEnd).toISOString(), technicianUserId: job.technicianUserId, status: job.status, notes: job.notes,
        };
        const changed = Object.fromEntries(Object.entries(body).filter(([k, v]) => v !== current[k]));
        saved = Object.keys(changed).length ? await patch<Job>(`/jobs/${job.id}`, changed) : job;
      } else {
        saved = await post<Job>('/jobs', Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null)));
      }
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const placed = ['contactId', 'serviceType', 'scheduledStart', 'scheduledEnd', 'technicianUserId', 'status', 'notes'].some((f) => issueFor(error, f));

  return (
    <form className="record-form" onSubmit={submit} aria-label={job ? 'Edit job' : 'New job'} noValidate>
      <div className="form-grid">
        <div className="field">
          <span className="label">Customer</span>
          {contact ? (
            <p className="picked">
              <Link to={`/contacts/${contact.id}`}>{contact.name}</Link>{' '}
              {!draft?.contactId && <button type="button" className="secondary small" onClick={() => setContact(null)}>Change</button>}
            </p>
          ) : (
            <ContactPicker id={`${p}-customer`} onPick={setContact} error={issueFor(error, 'contactId')} />
          )}
        </div>
        <Field id={`${p}-service`} label="Service" error={issueFor(error, 'serviceType')}>
          {(a) => (
            <select {...a} value={serviceType} onChange={(e) => chooseService(e.target.value)}>
              {services.length === 0 && <option value="">No services set up (Settings)</option>}
              {[...services, ...(services.some((s) => s.key === serviceType) || !serviceType ? [] : [{ key: serviceType, name: serviceType.replace(/_/g, ' '), durationMinutes: 60 }])].map((s) => (
                <option key={s.key} value={s.key}>{s.name}</option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${p}-date`} label="Date" error={issueFor(error, 'scheduledStart')}>
          {(a) => <input {...a} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
        </Field>
        <Field id={`${p}-time`} label={`Start (${zone})`}>
          {(a) => <input {...a} type="time" step={900} value={time} onChange={(e) => setTime(e.target.value)} />}
        </Field>
        <Field id={`${p}-duration`} label="Duration (minutes)" error={issueFor(error, 'scheduledEnd')}>
          {(a) => <input {...a} type="number" min={5} step={15} value={duration} onChange={(e) => setDuration(e.target.value)} />}
        </Field>
        <Field id={`${p}-technician`} label="Technician" error={issueFor(error, 'technicianUserId')}>
          {(a) => (
            <select {...a} value={technician} onChange={(e) => setTechnician(e.target.value)}>
              <option value="">Unassigned</option>
              {[...people].sort((x, y) => Number(y.role === 'technician') - Number(x.role === 'technician')).map((u) => (
                <option key={u.id} value={u.id}>{u.name}{u.role !== 'technician' ? ` (${u.role})` : ''}</option>
              ))}
            </select>
          )}
        </Field>
        <Field id={`${p}-status`} label="Status" error={issueFor(error, 'status')}>
          {(a) => (
            <select {...a} value={status} onChange={(e) => setStatus(e.target.value)}>
              {jobStatuses.map((s) => <option key={s} value={s}>{s.replace('_', '-')}</option>)}
            </select>
          )}
        </Field>
      </div>
      <Field id={`${p}-notes`} label="Notes" error={issueFor(error, 'notes')}>
        {(a) => <textarea {...a} rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} />}
      </Field>
      {!placed && <ErrorNote error={error} />}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : job ? 'Save job' : 'Create job'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** Finds a contact by name, phone or email to put on a job. */
function ContactPicker({ id, onPick, error }: { id: string; onPick: (c: { id: string; name: string }) => void; error?: string }) {
  const [q, setQ] = useState('');
  const found = useApi<Page<{ id: string; name: string; phone: string | null }>>(q.trim().length >= 2 ? `/contacts${qs({ q: q.trim(), limit: 8 })}` : null);
  return (
    <div className="picker">
      <label htmlFor={id}>Customer: search name, phone or email</label>
      <input id={id} type="search" value={q} onChange={(e) => setQ(e.target.value)} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      {error && <p className="error hint" id={`${id}-error`}>{error}</p>}
      {q.trim().length >= 2 && found.data && (
        <ul className="list picker-results" aria-label="Matching contacts">
          {found.data.data.map((c) => (
            <li key={c.id}><button type="button" className="secondary small" onClick={() => onPick({ id: c.id, name: c.name })}>{c.name}{c.phone ? ` · ${c.phone}` : ''}</button></li>
          ))}
          {found.data.data.length === 0 && <li className="muted">No contact matches.</li>}
        </ul>
      )}
    </div>
  );
}
