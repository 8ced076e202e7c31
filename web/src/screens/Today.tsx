import { SetupChecklist } from './SetupChecklist.tsx';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, del, money, patch, post, qs, when, type Page } from '../api.ts';
import type { Me } from '../App.tsx';
import { useApi, useLiveEvents, type LiveEvent } from '../hooks.ts';
import { Card, ErrorNote, Load } from '../ui.tsx';

interface Approval { id: string; title: string; amountCents: number | null; approverRole: string; contactId: string | null; status: string; createdAt: string }
export interface Draft { id: string; contactId: string | null; channel?: string; subject?: string | null; body: string; kind?: string; source?: string; holdReason?: string | null; status?: string; createdAt?: string }
interface Exception { kind: string; id: string; title: string; detail?: string | null; contactId: string | null; createdAt: string; severity?: string }
interface DismissedBy { type: string; id: string | null; name: string | null }
/** An item as `GET /exceptions?includeDismissed=true` lists it: the dismissal fields are null when nobody dismissed it. */
interface ListedException extends Exception { dismissedBy: DismissedBy | null; dismissedAt: string | null; until: string | null; note: string | null }
interface Outbox { id: string; contactId: string | null; channel: string; to: string; body: string; state: string; lastError: string | null; createdAt: string }
interface User { id: string; name: string; role: string }
interface QueueItem { contactId: string; name: string; kind: string; expectedValueCents: number; probability: number; reasons: string[] }

const covered = new Set(['approval', 'draft_review', 'failed_send']);
const kindLabel: Record<string, string> = {
  emergency_unacked: 'Emergency not acknowledged',
  negative_review: 'Negative review',
  reply_waiting: 'Reply waiting',
  cold_lead: 'Lead going cold',
  alert: 'Threshold alert',
  approval: 'Approval',
  draft_review: 'AI draft',
  failed_send: 'Failed send',
};

const exceptionPath = (x: { kind: string; id: string }) => `/exceptions/${x.kind}/${encodeURIComponent(x.id)}/dismiss`;
const byWhom = (d: DismissedBy | null) => d?.name ?? (d?.type === 'api_key' ? 'an API key' : d?.type === 'user' ? 'a teammate' : 'the system');

export function Today({ me }: { me: Me }) {
  const approvals = useApi<Page<Approval>>('/approvals?status=pending&limit=50');
  const drafts = useApi<Page<Draft>>('/drafts?status=pending');
  const failed = useApi<Page<Outbox>>('/outbox?state=failed&limit=20');
  const exceptions = useApi<Page<Exception>>('/exceptions');
  const [showDismissed, setShowDismissed] = useState(false);
  const dismissed = useApi<Page<ListedException>>(showDismissed ? '/exceptions?includeDismissed=true' : null);
  const users = useApi<{ data: User[] }>('/users');
  const [fresh, setFresh] = useState<Array<LiveEvent & { name?: string }>>([]);
  useLiveEvents((e) => {
    if (e.type === 'lead.created') {
      setFresh((f) => [e, ...f].slice(0, 10));
      void api<{ name: string }>(`/contacts/${e.contactId ?? e.subjectId}`).then((c) => setFresh((f) => f.map((x) => (x.seq === e.seq ? { ...x, name: c.name } : x))), () => undefined);
    }
    if (e.type === 'message.received' || e.type === 'call.missed' || e.type === 'exception.dismissed' || e.type === 'exception.restored') {
      exceptions.reload();
      if (showDismissed) dismissed.reload();
    }
    if (e.type.startsWith('exception.')) return;
    drafts.reload();
    approvals.reload();
  }, ['lead.created', 'message.received', 'call.missed', 'review.received', 'interaction.logged', 'draft.created', 'exception.dismissed', 'exception.restored']);
  // The item last dismissed here, until it is undone or another one is dismissed.
  const [undoable, setUndoable] = useState<{ item: Exception; snoozed: boolean; note: string } | null>(null);
  const undo = useAction();

  // Some exceptions come from the passing of time (a lead going cold, a draft written by the worker)
  // rather than from an event: look again every half minute while the tab is visible.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      drafts.reload();
      exceptions.reload();
      approvals.reload();
    }, 30_000);
    return () => clearInterval(timer);
  }, [drafts.reload, exceptions.reload, approvals.reload]);
  const afterDismissalChange = () => {
    exceptions.reload();
    if (showDismissed) dismissed.reload();
  };

  return (
    <>
      <h1>Today</h1>
      <p className="muted">What needs a person at {me.business.name}. Everything else is running by itself.</p>
      <SetupChecklist />

      {fresh.length > 0 && (
        <Card title="New leads just in" id="fresh">
          <ul className="list" data-testid="fresh-leads">
            {fresh.map((e) => (
              <li key={e.seq}>
                <Link to={`/contacts/${e.contactId ?? e.subjectId}`}>{e.name ?? 'New lead'}</Link>{' '}
                <span className="muted">{String(e.payload.source ?? '')} · {when(e.occurredAt)}</span>
              </li>
            ))}
          </ul>
        </Card>
      )}

      <CallFirst me={me} />

      <Card title="Approvals waiting">
        <Load state={approvals} what="Approvals">
          {(page) =>
            page.data.length === 0 ? <p className="muted">No approvals waiting.</p> : (
              <ul className="list" data-testid="approvals">
                {page.data.map((a) => <ApprovalItem key={a.id} approval={a} onDone={approvals.reload} />)}
              </ul>
            )
          }
        </Load>
      </Card>

      <Card title="AI drafts to review">
        <Load state={drafts} what="AI drafts">
          {(page) =>
            page.data.length === 0 ? <p className="muted">No drafts waiting.</p> : (
              <ul className="list" data-testid="drafts">
                {page.data.map((d) => <DraftItem key={d.id} draft={d} onDone={drafts.reload} />)}
              </ul>
            )
          }
        </Load>
      </Card>

      <Card
        title="Other exceptions"
        actions={
          <label className="switch">
            <input type="checkbox" checked={showDismissed} onChange={(e) => setShowDismissed(e.target.checked)} />
            Show dismissed
          </label>
        }
      >
        <Load state={exceptions} what="Exceptions feed">
          {(page) => {
            const rest = page.data.filter((x) => !covered.has(x.kind));
            return (
              <>
                {undoable && (
                  <p className="notice" role="status" data-testid="dismissed-notice">
                    {undoable.snoozed ? 'Snoozed for a day' : 'Dismissed'} for everyone: {undoable.item.title}
                    {undoable.note && <> (note: “{undoable.note}”)</>}{' '}
                    <button
                      className="secondary"
                      disabled={undo.busy}
                      onClick={() => undo.run(() => del(exceptionPath(undoable.item)), () => { setUndoable(null); afterDismissalChange(); })}
                    >
                      Undo
                    </button>
                    <ErrorNote error={undo.error} />
                  </p>
                )}
                {showDismissed && (
                  <DismissedList
                    state={dismissed}
                    onRestored={(x) => {
                      if (undoable && undoable.item.kind === x.kind && undoable.item.id === x.id) setUndoable(null);
                      afterDismissalChange();
                    }}
                  />
                )}
                {showDismissed && <h3>Still open</h3>}
                {rest.length === 0 ? <p className="muted">Nothing else needs you.</p> : (
                  <ul className="list" data-testid="exceptions">
                    {rest.map((x) => (
                      <ExceptionItem key={`${x.kind}-${x.id}`} item={x} users={users.data?.data ?? []} onDone={exceptions.reload} onDismissed={(snoozed, note) => { setUndoable({ item: x, snoozed, note }); afterDismissalChange(); }} />
                    ))}
                  </ul>
                )}
              </>
            );
          }}
        </Load>
      </Card>

      <Card title="Failed sends">
        <Load state={failed} what="Outbox">
          {(page) =>
            page.data.length === 0 ? <p className="muted">No failed messages.</p> : (
              <ul className="list">
                {page.data.map((m) => <FailedItem key={m.id} msg={m} onDone={failed.reload} />)}
              </ul>
            )
          }
        </Load>
      </Card>
    </>
  );
}

function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<unknown>, after: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      after();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function ApprovalItem({ approval, onDone }: { approval: Approval; onDone: () => void }) {
  const { busy, error, run } = useAction();
  const decide = (decision: 'approve' | 'reject') => run(() => post(`/approvals/${approval.id}/decide`, { decision }), onDone);
  return (
    <li className="item" data-testid="approval">
      <div>
        <strong>{approval.title}</strong>
        {approval.amountCents !== null && <span> · ${(approval.amountCents / 100).toLocaleString('en-US')}</span>}
        <div className="muted">
          needs a {approval.approverRole} · {when(approval.createdAt)}
          {approval.contactId && <> · <Link to={`/contacts/${approval.contactId}`}>contact</Link></>}
        </div>
        <ErrorNote error={error} />
      </div>
      <div className="actions">
        <button disabled={busy} onClick={() => decide('approve')} aria-label={`Approve ${approval.title}`}>Approve</button>
        <button disabled={busy} className="secondary" onClick={() => decide('reject')} aria-label={`Reject ${approval.title}`}>Reject</button>
      </div>
    </li>
  );
}

export function DraftItem({ draft, onDone }: { draft: Draft; onDone: () => void }) {
  const { busy, error, run } = useAction();
  const [editing, setEditing] = useState(false);
  const [body, setBody] = useState(draft.body);
  const contact = useApi<{ name: string; consent?: Record<string, { status: string }> }>(draft.contactId ? `/contacts/${draft.contactId}` : null);
  const label = contact.data?.name ?? 'contact';
  const optedOut = draft.channel && contact.data?.consent?.[draft.channel]?.status === 'revoked';
  return (
    <li className="item" data-testid="draft">
      <div className="grow">
        <div className="muted">
          {draft.channel === 'email' ? 'Email' : 'Text'} reply to {draft.contactId ? <Link to={`/inbox/${draft.contactId}`}>{label}</Link> : label}
          {draft.kind && <> · about {draft.kind.replace(/_/g, ' ')}</>}
          {draft.source && <> · written by {draft.source === 'template' ? 'a template' : draft.source}</>}
          {draft.createdAt && <> · {when(draft.createdAt)}</>}
        </div>
        {draft.holdReason && <p className="notice">Needs a person: {draft.holdReason}</p>}
        {optedOut && <p className="notice danger">{label} has opted out of {draft.channel === 'sms' ? 'texts' : 'email'}: this draft cannot be sent.</p>}
        {editing ? (
          <>
            <label htmlFor={`draft-${draft.id}`}>Edit the reply to {label}</label>
            <textarea id={`draft-${draft.id}`} value={body} onChange={(e) => setBody(e.target.value)} rows={3} />
          </>
        ) : (
          <p className="quote">{draft.subject && <strong>{draft.subject}: </strong>}{draft.body}</p>
        )}
        <ErrorNote error={error} />
      </div>
      <div className="actions">
        {!editing && <button disabled={busy} className="secondary" onClick={() => setEditing(true)} aria-label={`Edit the reply to ${label}`}>Edit</button>}
        <button
          disabled={busy || Boolean(optedOut)}
          aria-label={`Approve and send the reply to ${label}`}
          onClick={() => run(async () => { if (editing && body !== draft.body) await patch(`/drafts/${draft.id}`, { body }); await post(`/drafts/${draft.id}/approve`); }, onDone)}
        >
          Approve and send
        </button>
        <button disabled={busy} className="secondary" onClick={() => run(() => post(`/drafts/${draft.id}/discard`), onDone)} aria-label={`Discard the reply to ${label}`}>Discard</button>
      </div>
    </li>
  );
}

const SNOOZE_MS = 24 * 60 * 60 * 1000;

function ExceptionItem({ item, users, onDone, onDismissed }: { item: Exception; users: User[]; onDone: () => void; onDismissed: (snoozed: boolean, note: string) => void }) {
  const { busy, error, run } = useAction();
  const [assignee, setAssignee] = useState('');
  const [noteOpen, setNoteOpen] = useState(false);
  const [note, setNote] = useState('');
  const noteId = useId();
  const noteButton = useRef<HTMLButtonElement>(null);
  // Dismissed for the whole business, not this browser: teammates' dashboards drop it through the live stream.
  const dismiss = (snooze: boolean) => {
    const text = noteOpen ? note.trim() : '';
    const body: { note?: string; until?: string } = {};
    if (text) body.note = text;
    if (snooze) body.until = new Date(Date.now() + SNOOZE_MS).toISOString();
    return run(() => post(exceptionPath(item), body), () => onDismissed(snooze, text));
  };
  const closeNote = () => {
    setNoteOpen(false);
    setNote('');
    noteButton.current?.focus();
  };
  return (
    <li className={`item sev-${item.severity ?? 'normal'}`} data-testid="exception">
      <div className="grow">
        <span className="tag">{kindLabel[item.kind] ?? item.kind}</span> <strong>{item.title}</strong>
        {item.detail && <div>{item.detail}</div>}
        <div className="muted">{when(item.createdAt)}</div>
        {noteOpen && (
          <div className="dismiss-note" id={`${noteId}-panel`}>
            <div className="grow">
              <label htmlFor={noteId}>Note for the team (optional), kept with Dismiss or Snooze</label>
              <input
                id={noteId}
                value={note}
                maxLength={1000}
                autoFocus
                placeholder="e.g. handled by phone"
                onChange={(e) => setNote(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && !busy) {
                    e.preventDefault();
                    void dismiss(false);
                  }
                  if (e.key === 'Escape') {
                    e.preventDefault();
                    closeNote();
                  }
                }}
              />
            </div>
          </div>
        )}
        <ErrorNote error={error} />
      </div>
      <div className="actions">
        {item.kind === 'emergency_unacked' && <button disabled={busy} onClick={() => run(() => post(`/enrollments/${item.id}/ack`), onDone)}>Acknowledge</button>}
        {item.contactId && (item.kind === 'reply_waiting' || item.kind === 'negative_review') && <Link className="button" to={`/inbox/${item.contactId}`}>Reply</Link>}
        {item.contactId && item.kind === 'cold_lead' && (
          <>
            <label className="sr-only" htmlFor={`assign-${item.id}`}>Assign to</label>
            <select id={`assign-${item.id}`} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
              <option value="">Assign to…</option>
              {users.filter((u) => u.role !== 'technician').map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
            </select>
            <button disabled={busy || !assignee} onClick={() => run(() => patch(`/contacts/${item.contactId}`, { ownerUserId: assignee }), onDone)}>Assign</button>
          </>
        )}
        <button
          ref={noteButton}
          disabled={busy}
          className="secondary"
          aria-expanded={noteOpen}
          aria-controls={noteOpen ? `${noteId}-panel` : undefined}
          onClick={() => (noteOpen ? closeNote() : setNoteOpen(true))}
          aria-label={`Add a note: ${item.title}`}
        >
          Add note
        </button>
        <button disabled={busy} className="secondary" onClick={() => dismiss(true)} aria-label={`Snooze for a day: ${item.title}`}>Snooze 1 day</button>
        <button disabled={busy} className="secondary" onClick={() => dismiss(false)} aria-label={`Dismiss: ${item.title}`}>Dismiss</button>
      </div>
    </li>
  );
}

/** Dismissed and snoozed items, for the whole team: who, when, until when and why, each with Restore. */
function DismissedList({ state, onRestored }: { state: { data?: Page<ListedException>; error?: Error; loading: boolean }; onRestored: (x: ListedException) => void }) {
  return (
    <section aria-labelledby="dismissed-title" className="dismissed">
      <h3 id="dismissed-title">Dismissed and snoozed</h3>
      <Load state={state} what="Dismissed items">
        {(page) => {
          const items = page.data.filter((x) => x.dismissedAt !== null);
          return items.length === 0 ? <p className="muted">Nothing is dismissed or snoozed.</p> : (
            <ul className="list" data-testid="dismissed-list">
              {items.map((x) => <DismissedItem key={`${x.kind}-${x.id}`} item={x} onRestored={() => onRestored(x)} />)}
            </ul>
          );
        }}
      </Load>
    </section>
  );
}

function DismissedItem({ item, onRestored }: { item: ListedException; onRestored: () => void }) {
  const { busy, error, run } = useAction();
  return (
    <li className="item" data-testid="dismissed">
      <div className="grow">
        <span className="tag">{kindLabel[item.kind] ?? item.kind}</span> <strong>{item.title}</strong>
        {item.detail && <div>{item.detail}</div>}
        <div className="muted" data-testid="dismissed-by">
          {item.until ? 'Snoozed' : 'Dismissed'} by {byWhom(item.dismissedBy)} · {when(item.dismissedAt)}
          {item.until ? <> · shows again {when(item.until)}</> : <> · until restored</>}
        </div>
        {item.note && <p className="quote" data-testid="dismissed-note">{item.note}</p>}
        <ErrorNote error={error} />
      </div>
      <div className="actions">
        <button disabled={busy} className="secondary" onClick={() => run(() => del(exceptionPath(item)), onRestored)} aria-label={`Restore: ${item.title}`}>Restore</button>
      </div>
    </li>
  );
}

function FailedItem({ msg, onDone }: { msg: Outbox; onDone: () => void }) {
  const { busy, error, run } = useAction();
  return (
    <li className="item">
      <div className="grow">
        <strong>{msg.channel} to {msg.to}</strong>: {msg.body.slice(0, 120)}
        <div className="muted">{msg.lastError ?? 'failed'} · {when(msg.createdAt)}</div>
        <ErrorNote error={error} />
      </div>
      <div className="actions">
        <button disabled={busy} onClick={() => run(() => post(`/outbox/${msg.id}/retry`), onDone)}>Retry</button>
        <button disabled={busy} className="secondary" onClick={() => run(() => post(`/outbox/${msg.id}/cancel`), onDone)}>Cancel</button>
      </div>
    </li>
  );
}


/** "Call these first, here is why": open leads and deals ranked by expected value (GET /queue). */
function CallFirst({ me }: { me: Me }) {
  const mine = me.user && (me.user.role === 'agent' || me.user.role === 'technician');
  const queue = useApi<{ data: QueueItem[] }>(`/queue${qs({ userId: mine ? me.user!.id : undefined, limit: 8 })}`);
  return (
    <Card title="Call these first">
      <Load state={queue} what="Call queue">
        {(q) =>
          q.data.length === 0 ? <p className="muted">No open leads or deals to chase.</p> : (
            <ol className="list" data-testid="call-queue">
              {q.data.map((x) => (
                <li key={`${x.kind}-${x.contactId}`} className="item">
                  <div className="grow">
                    <Link to={`/contacts/${x.contactId}`}><strong>{x.name}</strong></Link> <span className="tag">{x.kind}</span>{' '}
                    <span className="muted">worth about {money(x.expectedValueCents)} · {Math.round(x.probability * 100)}% likely</span>
                    <div className="muted" data-testid="queue-reasons">{x.reasons.filter((r) => !/% likely to /.test(r)).slice(0, 4).join('; ')}</div>
                  </div>
                  <Link className="button" to={`/inbox/${x.contactId}`}>Open</Link>
                </li>
              ))}
            </ol>
          )
        }
      </Load>
    </Card>
  );
}
