import { useState, type FormEvent } from 'react';
import { patch, post } from '../api.ts';
import { ErrorNote } from '../ui.tsx';
import type { Contact } from './Contacts.tsx';
import { Field, issueFor, useTeam } from './fields.tsx';

const stages = ['lead', 'customer', 'dormant', 'lost'];
const addressParts = [
  ['line1', 'Street address', 'address-line1'],
  ['line2', 'Apartment, suite', 'address-line2'],
  ['city', 'City', 'address-level2'],
  ['region', 'State / region', 'address-level1'],
  ['postalCode', 'ZIP / postal code', 'postal-code'],
  ['country', 'Country (2 letters)', 'country'],
] as const;
type AddressPart = (typeof addressParts)[number][0];

/** The contact fields the dashboard edits; the rest (consent, custom fields) have their own places. */
export interface EditableContact extends Contact {
  phones: Array<{ number: string; label?: string }>;
  address: Partial<Record<AddressPart, string>>;
  timeZone: string | null;
  updatedAt: string;
}

interface Draft {
  name: string;
  phones: Array<{ number: string; label: string }>;
  email: string;
  address: Record<AddressPart, string>;
  source: string;
  lifecycleStage: string;
  tags: string;
  ownerUserId: string;
  timeZone: string;
}

const draftOf = (c: EditableContact | null): Draft => ({
  name: c?.name ?? '',
  phones: c?.phones.length ? c.phones.map((p) => ({ number: p.number, label: p.label ?? '' })) : [{ number: '', label: '' }],
  email: c?.email ?? '',
  address: Object.fromEntries(addressParts.map(([k]) => [k, c?.address?.[k] ?? ''])) as Record<AddressPart, string>,
  source: c?.source ?? '',
  lifecycleStage: c?.lifecycleStage ?? 'lead',
  tags: c?.tags.join(', ') ?? '',
  ownerUserId: c?.ownerUserId ?? '',
  timeZone: c?.timeZone ?? '',
});

const orNull = (v: string) => (v.trim() === '' ? null : v.trim());
const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

/** What the API gets: every field of the form, empty ones as null, so an edit can also clear a value. */
function bodyOf(d: Draft, creating: boolean): Record<string, unknown> {
  const address = Object.fromEntries(Object.entries(d.address).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
  const body: Record<string, unknown> = {
    name: orNull(d.name),
    phones: d.phones.filter((p) => p.number.trim() !== '').map((p) => (p.label.trim() ? { number: p.number.trim(), label: p.label.trim() } : { number: p.number.trim() })),
    email: orNull(d.email),
    address: Object.keys(address).length ? address : null,
    source: orNull(d.source),
    lifecycleStage: d.lifecycleStage,
    tags: d.tags.split(',').map((t) => t.trim()).filter(Boolean),
    ownerUserId: orNull(d.ownerUserId),
    timeZone: orNull(d.timeZone),
  };
  // A new contact leaves out what is empty (the API derives the time zone from the address or phone).
  if (creating) for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
  return body;
}

/** Creates a contact, or edits one; the API's validation messages appear at the fields they name. */
export function ContactForm({ contact, onSaved, onCancel }: { contact: EditableContact | null; onSaved: (c: Contact) => void; onCancel: () => void }) {
  const creating = contact === null;
  const [draft, setDraft] = useState<Draft>(() => draftOf(contact));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { people } = useTeam();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const p = creating ? 'new-contact' : 'edit-contact';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const body = bodyOf(draft, creating);
      const saved = creating ? await post<Contact>('/contacts', body) : await patch<Contact>(`/contacts/${contact.id}`, body);
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  // A refusal the fields do not name (e.g. "needs at least a name, a phone or an email") is shown above the buttons.
  const unplaced = error && !['name', 'phones', 'phone', 'email', 'address', 'source', 'lifecycleStage', 'tags', 'ownerUserId', 'timeZone'].some((f) => issueFor(error, f));

  return (
    <form className="record-form" onSubmit={submit} aria-label={creating ? 'New contact' : 'Edit contact'} noValidate>
      <div className="form-grid">
        <Field id={`${p}-name`} label="Name" error={issueFor(error, 'name')}>
          {(a) => <input {...a} value={draft.name} autoComplete="name" onChange={(e) => set('name', e.target.value)} />}
        </Field>
        <Field id={`${p}-email`} label="Email" error={issueFor(error, 'email')}>
          {(a) => <input {...a} type="email" value={draft.email} autoComplete="email" onChange={(e) => set('email', e.target.value)} />}
        </Field>
      </div>
      <fieldset className="phones">
        <legend>Phones (the first is the main one)</legend>
        {draft.phones.map((ph, i) => (
          <div key={i} className="form-row">
            <Field id={`${p}-phone-${i}`} label={`Phone ${i + 1}`} error={issueFor(error, `phones.${i}`) ?? (i === 0 ? issueFor(error, 'phone') : undefined)}>
              {(a) => <input {...a} type="tel" value={ph.number} autoComplete="tel" onChange={(e) => set('phones', draft.phones.map((x, j) => (j === i ? { ...x, number: e.target.value } : x)))} />}
            </Field>
            <Field id={`${p}-phone-${i}-label`} label="Label">
              {(a) => <input {...a} value={ph.label} placeholder="mobile, office…" onChange={(e) => set('phones', draft.phones.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)))} />}
            </Field>
            {draft.phones.length > 1 && (
              <button type="button" className="secondary small" aria-label={`Remove phone ${i + 1}`} onClick={() => set('phones', draft.phones.filter((_, j) => j !== i))}>Remove</button>
            )}
          </div>
        ))}
        <button type="button" className="secondary small" onClick={() => set('phones', [...draft.phones, { number: '', label: '' }])}>Add a phone</button>
      </fieldset>
      <fieldset>
        <legend>Address</legend>
        <div className="form-grid">
          {addressParts.map(([k, label, auto]) => (
            <Field key={k} id={`${p}-address-${k}`} label={label} error={issueFor(error, `address.${k}`)}>
              {(a) => <input {...a} value={draft.address[k]} autoComplete={auto} onChange={(e) => set('address', { ...draft.address, [k]: e.target.value })} />}
            </Field>
          ))}
        </div>
      </fieldset>
      <div className="form-grid">
        <Field id={`${p}-source`} label="Source" error={issueFor(error, 'source')}>
          {(a) => <input {...a} value={draft.source} placeholder="referral, google_ads…" onChange={(e) => set('source', e.target.value)} />}
        </Field>
        <Field id={`${p}-stage`} label="Stage" error={issueFor(error, 'lifecycleStage')}>
          {(a) => (
            <select {...a} value={draft.lifecycleStage} onChange={(e) => set('lifecycleStage', e.target.value)}>
              {stages.map((s) => <option key={s}>{s}</option>)}
            </select>
          )}
        </Field>
        <Field id={`${p}-tags`} label="Tags (comma-separated)" error={issueFor(error, 'tags')}>
          {(a) => <input {...a} value={draft.tags} onChange={(e) => set('tags', e.target.value)} />}
        </Field>
        <Field id={`${p}-owner`} label="Owner" error={issueFor(error, 'ownerUserId')}>
          {(a) => (
            <select {...a} value={draft.ownerUserId} onChange={(e) => set('ownerUserId', e.target.value)}>
              <option value="">Nobody</option>
              {people.map((u) => <option key={u.id} value={u.id}>{u.name} ({u.role})</option>)}
            </select>
          )}
        </Field>
        <Field id={`${p}-time-zone`} label="Time zone (empty: from the address or phone)" error={issueFor(error, 'timeZone')}>
          {(a) => (
            <>
              <input {...a} list={`${p}-zones`} value={draft.timeZone} placeholder="America/Chicago" onChange={(e) => set('timeZone', e.target.value)} />
              <datalist id={`${p}-zones`}>{zones.map((z) => <option key={z} value={z} />)}</datalist>
            </>
          )}
        </Field>
      </div>
      {unplaced ? <ErrorNote error={error} /> : error ? <p className="error" role="alert">Please fix the fields marked above.</p> : null}
      <div className="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : creating ? 'Create contact' : 'Save contact'}</button>
        <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
