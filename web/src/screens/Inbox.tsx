import { useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, post, when, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { Card, ErrorNote, Load } from '../ui.tsx';
import { ConsentBadge, type Contact } from './Contacts.tsx';
import { DraftItem, type Draft } from './Today.tsx';
import { useEffect } from 'react';
import { SimulateInbound } from './SimulateInbound.tsx';

interface Interaction { id: string; contactId: string; kind: string; direction: string | null; channel: string; subject: string | null; body: string | null; outcome: string | null; occurredAt: string; externalId: string | null; metadata: Record<string, unknown> }
interface OutboxMessage { id: string; contactId: string | null; userId: string | null; channel: string; body: string; subject: string | null; state: string; createdAt: string; sentAt: string | null; lastError: string | null }

const conversational = new Set(['sms', 'email', 'call', 'chat']);

export function Inbox() {
  const { contactId } = useParams();
  const recent = useApi<Page<Interaction>>('/interactions?limit=100');
  const sent = useApi<Page<OutboxMessage>>('/outbox?limit=100');
  const [names, setNames] = useState<Record<string, string>>({});
  useLiveEvents(() => {
    recent.reload();
    sent.reload();
  }, ['message.received', 'interaction.logged', 'call.missed', 'call.answered', 'lead.created']);
  // One thread per contact, newest first: what they sent or said, and what the outbox sent them.
  const threads = useMemo(() => {
    const latest = new Map<string, { contactId: string; at: string; label: string; text: string }>();
    const offer = (t: { contactId: string; at: string; label: string; text: string }) => {
      const cur = latest.get(t.contactId);
      if (!cur || cur.at < t.at) latest.set(t.contactId, t);
    };
    // A message Kinetic sent is also an interaction (`outbox:<id>`): the outbox entry below stands for it.
    for (const i of recent.data?.data ?? []) if (conversational.has(i.kind) && !i.externalId?.startsWith('outbox:')) offer({ contactId: i.contactId, at: i.occurredAt, label: `${i.kind} ${i.direction ?? ''}`, text: i.body ?? i.outcome ?? '' });
    // Messages to the team about a contact (on-call pages) are not part of the conversation with them.
    for (const m of sent.data?.data ?? []) if (m.contactId && !m.userId) offer({ contactId: m.contactId, at: m.createdAt, label: `${m.channel} sent`, text: m.body });
    return [...latest.values()].sort((a, b) => b.at.localeCompare(a.at));
  }, [recent.data, sent.data]);
  useEffect(() => {
    const missing = threads.map((t) => t.contactId).filter((id) => !names[id]).slice(0, 40);
    if (missing.length === 0) return;
    void Promise.all(missing.map((id) => api<Contact>(`/contacts/${id}`).then((c) => [id, c.name] as const, () => [id, 'Deleted contact'] as const))).then((pairs) =>
      setNames((n) => ({ ...n, ...Object.fromEntries(pairs) })),
    );
  }, [threads, names]);

  return (
    <>
      <h1>Inbox</h1>
      <SimulateInbound onReceived={() => { recent.reload(); sent.reload(); }} />
      <div className="split">
        <Card title="Conversations">
          <Load state={recent} what="Conversations">
            {() => (
              <ul className="threads">
                {threads.map((t) => (
                  <li key={t.contactId} className={t.contactId === contactId ? 'active' : ''}>
                    <Link to={`/inbox/${t.contactId}`}>
                      <strong>{names[t.contactId] ?? '…'}</strong>
                      <span className="muted"> {t.label} · {when(t.at)}</span>
                      <div className="snippet">{t.text.slice(0, 80)}</div>
                    </Link>
                  </li>
                ))}
                {threads.length === 0 && <li className="muted">No conversations yet.</li>}
              </ul>
            )}
          </Load>
        </Card>
        {contactId ? <Thread contactId={contactId} /> : <p className="muted">Choose a conversation.</p>}
      </div>
    </>
  );
}

function Thread({ contactId }: { contactId: string }) {
  const contact = useApi<Contact>(`/contacts/${contactId}`);
  const inbound = useApi<Page<Interaction>>(`/interactions?contactId=${contactId}&limit=100`);
  const outbox = useApi<Page<OutboxMessage>>(`/outbox?contactId=${contactId}&limit=100`);
  const drafts = useApi<Page<Draft>>(`/drafts?status=pending&contactId=${contactId}`);
  useLiveEvents((e) => {
    if (e.contactId === contactId) {
      inbound.reload();
      outbox.reload();
      contact.reload();
      drafts.reload();
    }
  });
  const items = useMemo(() => {
    const out: Array<{ key: string; at: string; mine: boolean; label: string; text: string; state?: string }> = [];
    for (const i of inbound.data?.data ?? []) {
      if (!conversational.has(i.kind) || i.externalId?.startsWith('outbox:')) continue;
      out.push({ key: `i-${i.id}`, at: i.occurredAt, mine: i.direction === 'outbound', label: `${i.kind} ${i.direction ?? ''}${i.outcome ? ` · ${i.outcome}` : ''}`, text: [i.subject, i.body, typeof i.metadata?.transcript === 'string' ? `Transcript: ${i.metadata.transcript}` : null].filter(Boolean).join(' — ') });
    }
    for (const m of outbox.data?.data ?? []) if (!m.userId) out.push({ key: `o-${m.id}`, at: m.createdAt, mine: true, label: `${m.channel} · ${m.state}${m.lastError ? ` (${m.lastError})` : ''}`, text: [m.subject, m.body].filter(Boolean).join(' — '), state: m.state });
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }, [inbound.data, outbox.data]);
  return (
    <Card title="Conversation" id="thread">
      <Load state={contact} what="Contact">
        {(c) => (
          <>
            <p>
              <Link to={`/contacts/${c.id}`}><strong>{c.name}</strong></Link> · {c.phone ?? 'no phone'} · {c.email ?? 'no email'} · texts <ConsentBadge status={c.consent?.sms?.status} />
            </p>
            <ol className="messages" data-testid="thread">
              {items.map((m) => (
                <li key={m.key} className={m.mine ? 'mine' : 'theirs'}>
                  <div className="muted">{m.label} · {when(m.at)}</div>
                  <div>{m.text}</div>
                </li>
              ))}
              {items.length === 0 && <li className="muted">No messages yet.</li>}
            </ol>
            {drafts.data && drafts.data.data.length > 0 && (
              <section aria-label="AI reply drafts">
                <h3>AI reply drafts</h3>
                <ul className="list">{drafts.data.data.map((d) => <DraftItem key={d.id} draft={d} onDone={() => { drafts.reload(); outbox.reload(); }} />)}</ul>
              </section>
            )}
            <Reply contact={c} onSent={() => outbox.reload()} />
          </>
        )}
      </Load>
    </Card>
  );
}

function Reply({ contact, onSent }: { contact: Contact; onSent: () => void }) {
  const smsBlocked = contact.consent?.sms?.status === 'revoked' || !contact.phone;
  const emailBlocked = contact.consent?.email?.status === 'revoked' || !contact.email;
  const [channel, setChannel] = useState<'sms' | 'email' | 'chat'>(smsBlocked ? 'email' : 'sms');
  const [body, setBody] = useState('');
  const [subject, setSubject] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const [key, setKey] = useState(() => crypto.randomUUID().replace(/-/g, ''));
  const blocked = channel === 'sms' ? smsBlocked : channel === 'email' ? emailBlocked : false;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setNote('');
    try {
      if (channel === 'chat') {
        // Website chat: the visitor's widget shows it at its next poll (docs/widget.md).
        await post(`/contacts/${contact.id}/chat-replies`, { body });
        setNote('Sent to the website chat.');
      } else {
        const r = await post<{ deferredBecause: string | null; notBefore: string }>(`/contacts/${contact.id}/replies`, { channel, body, subject: channel === 'email' ? subject : undefined, idempotencyKey: key });
        setNote(r.deferredBecause ? `Queued; goes out ${when(r.notBefore)} (${r.deferredBecause}).` : 'Queued in the outbox.');
      }
      setBody('');
      setKey(crypto.randomUUID().replace(/-/g, ''));
      onSent();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="reply" aria-label="Reply">
      {contact.consent?.sms?.status === 'revoked' && <p className="notice danger" role="note">{contact.name} has opted out of texts. Texting is disabled.</p>}
      <fieldset>
        <legend>Reply by</legend>
        <label><input type="radio" name="channel" checked={channel === 'sms'} disabled={smsBlocked} onChange={() => setChannel('sms')} /> Text</label>
        <label><input type="radio" name="channel" checked={channel === 'email'} disabled={emailBlocked} onChange={() => setChannel('email')} /> Email</label>
        <label><input type="radio" name="channel" checked={channel === 'chat'} onChange={() => setChannel('chat')} /> Website chat</label>
      </fieldset>
      {channel === 'email' && (
        <>
          <label htmlFor="reply-subject">Subject</label>
          <input id="reply-subject" value={subject} onChange={(e) => setSubject(e.target.value)} />
        </>
      )}
      <div className="actions">
        <button type="button" className="secondary" disabled={blocked} onClick={async () => {
          setError(null);
          try {
            const link = await post<{ url: string }>(`/contacts/${contact.id}/booking-link`, {});
            setBody((b) => `${b}${b && !b.endsWith(' ') ? ' ' : ''}Book a time here: ${link.url}`);
          } catch (err) {
            setError(err);
          }
        }}>Add booking link</button>
      </div>
      <label htmlFor="reply-body">Message</label>
      <textarea id="reply-body" rows={3} value={body} disabled={blocked} onChange={(e) => setBody(e.target.value)} />
      <button type="submit" disabled={blocked || !body.trim()}>Send</button>
      {note && <p role="status">{note}</p>}
      <ErrorNote error={error} />
    </form>
  );
}
