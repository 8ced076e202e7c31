import { can } from '../permissions.ts';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { post, qs, when, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { Card, ErrorNote, Load, Pager } from '../ui.tsx';
import { ContactForm } from './ContactForm.tsx';
import { ImportPanel } from './ImportPanel.tsx';

export interface Contact {
  id: string; name: string; phone: string | null; email: string | null; lifecycleStage: string; source: string | null; tags: string[];
  consent: Record<string, { status: string; method: string | null; at: string | null }>; lastInteractionAt: string | null; createdAt: string; ownerUserId: string | null;
}

const stages = ['lead', 'customer', 'dormant', 'lost'];

export function Contacts() {
  const [q, setQ] = useState('');
  const [stage, setStage] = useState('');
  const [tag, setTag] = useState('');
  const [cursor, setCursor] = useState<string | undefined>();
  const list = useApi<Page<Contact>>(`/contacts${qs({ q, lifecycleStage: stage, tag, limit: 25, cursor })}`);
  useLiveEvents(() => list.reload(), ['lead.created', 'contact.created', 'contacts.merged', 'contact.deleted']);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  return (
    <>
      <div className="page-head">
        <h1>Contacts</h1>
        {can('contacts.create') && !creating && <button onClick={() => setCreating(true)}>New contact</button>}
      </div>
      {creating && (
        <Card title="New contact">
          <ContactForm contact={null} onCancel={() => setCreating(false)} onSaved={(c) => navigate(`/contacts/${c.id}`)} />
        </Card>
      )}
      <Card title="Find contacts">
        <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <div>
            <label htmlFor="contact-search">Search name, phone or email</label>
            <input id="contact-search" type="search" value={q} onChange={(e) => { setQ(e.target.value); setCursor(undefined); }} />
          </div>
          <div>
            <label htmlFor="contact-stage">Stage</label>
            <select id="contact-stage" value={stage} onChange={(e) => { setStage(e.target.value); setCursor(undefined); }}>
              <option value="">Any</option>
              {stages.map((s) => <option key={s}>{s}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="contact-tag">Tag</label>
            <input id="contact-tag" value={tag} onChange={(e) => { setTag(e.target.value); setCursor(undefined); }} />
          </div>
        </form>
        <Load state={list} what="Contacts">
          {(page) => (
            <>
              <div className="table-wrap">
                <table data-testid="contacts-table">
                  <thead><tr><th>Name</th><th>Phone</th><th>Stage</th><th>Source</th><th>Texts</th><th>Last touch</th></tr></thead>
                  <tbody>
                    {page.data.map((c) => (
                      <tr key={c.id}>
                        <td><Link to={`/contacts/${c.id}`}>{c.name}</Link></td>
                        <td>{c.phone ?? '–'}</td>
                        <td>{c.lifecycleStage}</td>
                        <td>{c.source ?? '–'}</td>
                        <td><ConsentBadge status={c.consent?.sms?.status} /></td>
                        <td>{when(c.lastInteractionAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {page.data.length === 0 && <p className="muted">No contacts match.</p>}
              <Pager cursor={cursor} nextCursor={page.nextCursor} onPage={setCursor} />
            </>
          )}
        </Load>
      </Card>
      {/* Merging and importing rewrite many records: owners and managers only (agents and technicians do not see them). */}
      {can('contacts.merge') && <Duplicates />}
      {can('records.import') && <ImportPanel />}
    </>
  );
}

export function ConsentBadge({ status }: { status: string | undefined }) {
  if (status === 'revoked') return <span className="tag danger">opted out</span>;
  if (status === 'granted') return <span className="tag ok">consented</span>;
  return <span className="tag">unknown</span>;
}

function Duplicates() {
  const dupes = useApi<{ data: Array<{ contactIds: string[]; reason?: string; contacts?: Contact[]; matchedOn?: string }> }>('/contacts/duplicates');
  const [error, setError] = useState<unknown>(null);
  const [merged, setMerged] = useState('');
  const merge = async (ids: string[]) => {
    setError(null);
    try {
      await post('/contacts/merge', { survivorId: ids[0], mergeIds: ids.slice(1) });
      setMerged(`Merged ${ids.length} contacts.`);
      dupes.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Card title="Possible duplicates">
      <ErrorNote error={error} />
      {merged && <p role="status">{merged}</p>}
      <Load state={dupes} what="Duplicates">
        {(d) =>
          d.data.length === 0 ? <p className="muted">No duplicates found.</p> : (
            <ul className="list">
              {d.data.slice(0, 20).map((g) => (
                <li key={g.contactIds.join()} className="item">
                  <div className="grow">
                    {(g.contacts ?? g.contactIds.map((id) => ({ id, name: id }) as Contact)).map((c, i) => (
                      <span key={c.id}>{i > 0 && ' · '}<Link to={`/contacts/${c.id}`}>{c.name}</Link></span>
                    ))}
                    {g.matchedOn && <span className="muted"> (same {g.matchedOn})</span>}
                  </div>
                  <button onClick={() => merge(g.contactIds)}>Merge into the first</button>
                </li>
              ))}
            </ul>
          )
        }
      </Load>
    </Card>
  );
}
