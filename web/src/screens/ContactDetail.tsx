import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { post, when, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { Card, ErrorNote, Load } from '../ui.tsx';
import { ConsentBadge, type Contact } from './Contacts.tsx';

interface TimelineItem { type: string; id: string; at: string; summary: string; data: Record<string, unknown> }
interface Explained {
  id: string; automationName: string; status: string; next: string;
  log: Array<{ at: string; step: number | null; stepType: string | null; outcome: string; detail: unknown }>;
}
interface Score { model: string; probability: number; reasons: Array<string | { text?: string; feature?: string }>; explanation?: string; prior?: boolean | number; version?: number }

export function ContactDetail() {
  const { id = '' } = useParams();
  const contact = useApi<Contact>(`/contacts/${id}`);
  const timeline = useApi<Page<TimelineItem>>(`/contacts/${id}/timeline?limit=100`);
  const automations = useApi<{ data: Explained[] }>(`/contacts/${id}/automations`);
  const scores = useApi<{ data: Score[] }>(`/contacts/${id}/scores`);
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
        {(c) => (
          <>
            <h1>{c.name}</h1>
            <p>
              {c.phone ?? 'no phone'} · {c.email ?? 'no email'} · {c.lifecycleStage} · source {c.source ?? '–'}
              {c.tags.length > 0 && <> · {c.tags.map((t) => <span key={t} className="tag">{t}</span>)}</>}
            </p>
            <p><Link className="button" to={`/inbox/${c.id}`}>Open conversation</Link></p>
            <Consent contact={c} onChange={contact.reload} />
          </>
        )}
      </Load>
      <Card title="Scores">
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
      </Card>
      <Card title="Automations: what ran and why">
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
      </Card>
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

function Consent({ contact, onChange }: { contact: Contact; onChange: () => void }) {
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
        <thead><tr><th>Channel</th><th>Status</th><th>Since</th><th>Change</th></tr></thead>
        <tbody>
          {Object.entries(contact.consent ?? {}).map(([ch, c]) => (
            <tr key={ch}>
              <td>{ch}</td>
              <td><ConsentBadge status={c.status} /> {c.method && <span className="muted">({c.method})</span>}</td>
              <td>{when(c.at)}</td>
              <td>
                {c.status !== 'granted' && <button className="secondary" onClick={() => record(ch, 'granted')}>Record consent</button>}
                {c.status !== 'revoked' && <button className="secondary" onClick={() => record(ch, 'revoked')}>Record opt-out</button>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ErrorNote error={error} />
    </Card>
  );
}
