import { useEffect, useState, type FormEvent } from 'react';
import { del, patch, post, when } from '../api.ts';
import type { Me } from '../App.tsx';
import { useApi } from '../hooks.ts';
import { Card, ErrorNote, Load, useSave } from '../ui.tsx';
import { SenderIdentity } from './SenderIdentity.tsx';

type Hours = Record<string, Array<{ open: string; close: string }>>;
interface Service { key: string; name: string; durationMinutes: number; avgTicketCents: number | null; bookableOnline?: boolean }
interface Compliance { quietHours: { start: string; end: string; closedDays: number[] }; marketingPerDay: number; marketingPerWeek: number }
interface Business {
  id: string; name: string; timeZone: string; businessHours: Hours; services: Service[];
  onCall: { rotation: string[]; anchor: string; shiftHours: number; escalationMinutes: number; overrides: unknown[] };
  settings: { compliance?: Compliance; [k: string]: unknown };
}
interface User { id: string; name: string; email: string; phone: string | null; role: string; disabled: boolean }
const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const roles = ['owner', 'manager', 'agent', 'technician'];


export function Settings({ me }: { me: Me }) {
  const business = useApi<Business>('/business');
  const users = useApi<{ data: User[] }>('/users');
  const canManage = me.user === null || me.user.role === 'owner' || me.user.role === 'manager';
  return (
    <>
      <h1>Settings</h1>
      {!canManage && <p className="notice">Only owners and managers can change settings.</p>}
      <Load state={business} what="Business settings">
        {(b) => (
          <>
            <HoursCard business={b} onSaved={business.reload} />
            <ServicesCard business={b} onSaved={business.reload} />
            <OnCallCard business={b} users={users.data?.data ?? []} onSaved={business.reload} />
            <ComplianceCard business={b} onSaved={business.reload} />
          </>
        )}
      </Load>
      <ChannelsCard canManage={canManage} />
      <AiCard />
      <UsersCard users={users} />
      {canManage && <ApiKeysCard />}
    </>
  );
}

function HoursCard({ business, onSaved }: { business: Business; onSaved: () => void }) {
  const [hours, setHours] = useState<Hours>(business.businessHours);
  const { save, feedback } = useSave();
  const setDay = (d: string, v: Array<{ open: string; close: string }>) => setHours((h) => ({ ...h, [d]: v }));
  return (
    <Card title="Business hours">
      <p className="muted">Times are in {business.timeZone}.</p>
      <table>
        <tbody>
          {days.map((d) => {
            const span = hours[d]?.[0];
            return (
              <tr key={d}>
                <th scope="row">{d}</th>
                <td><label><input type="checkbox" checked={Boolean(span)} onChange={(e) => setDay(d, e.target.checked ? [{ open: '08:00', close: '17:00' }] : [])} /> open</label></td>
                <td>{span && <><label className="sr-only" htmlFor={`open-${d}`}>{d} opens</label><input id={`open-${d}`} type="time" value={span.open} onChange={(e) => setDay(d, [{ ...span, open: e.target.value }])} /></>}</td>
                <td>{span && <><label className="sr-only" htmlFor={`close-${d}`}>{d} closes</label><input id={`close-${d}`} type="time" value={span.close} onChange={(e) => setDay(d, [{ ...span, close: e.target.value }])} /></>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button onClick={() => save(async () => { await patch('/business', { businessHours: hours }); onSaved(); })}>Save hours</button>
      {feedback}
    </Card>
  );
}

function ServicesCard({ business, onSaved }: { business: Business; onSaved: () => void }) {
  const [services, setServices] = useState<Service[]>(business.services);
  const { save, feedback } = useSave();
  const set = (i: number, s: Partial<Service>) => setServices((all) => all.map((x, j) => (j === i ? { ...x, ...s } : x)));
  return (
    <Card title="Services">
      <div className="table-wrap">
        <table>
          <thead><tr><th>Name</th><th>Minutes</th><th>Average ticket ($)</th><th>Bookable online</th><th /></tr></thead>
          <tbody>
            {services.map((s, i) => (
              <tr key={s.key}>
                <td><label className="sr-only" htmlFor={`svc-name-${i}`}>Service name</label><input id={`svc-name-${i}`} value={s.name} onChange={(e) => set(i, { name: e.target.value })} /></td>
                <td><label className="sr-only" htmlFor={`svc-min-${i}`}>{s.name} minutes</label><input id={`svc-min-${i}`} type="number" value={s.durationMinutes} onChange={(e) => set(i, { durationMinutes: Number(e.target.value) })} /></td>
                <td><label className="sr-only" htmlFor={`svc-ticket-${i}`}>{s.name} average ticket</label><input id={`svc-ticket-${i}`} type="number" value={s.avgTicketCents === null ? '' : s.avgTicketCents / 100} onChange={(e) => set(i, { avgTicketCents: e.target.value === '' ? null : Math.round(Number(e.target.value) * 100) })} /></td>
                <td><label className="sr-only" htmlFor={`svc-online-${i}`}>{s.name} bookable online</label><input id={`svc-online-${i}`} type="checkbox" checked={s.bookableOnline !== false} onChange={(e) => set(i, { bookableOnline: e.target.checked })} /></td>
                <td><button className="secondary" onClick={() => setServices((all) => all.filter((_, j) => j !== i))}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="actions">
        <button className="secondary" onClick={() => setServices((all) => [...all, { key: `service_${all.length + 1}`, name: 'New service', durationMinutes: 60, avgTicketCents: null }])}>Add service</button>
        <button onClick={() => save(async () => { await patch('/business', { services }); onSaved(); })}>Save services</button>
      </div>
      {feedback}
    </Card>
  );
}

function OnCallCard({ business, users, onSaved }: { business: Business; users: User[]; onSaved: () => void }) {
  const [onCall, setOnCall] = useState(business.onCall);
  const { save, feedback } = useSave();
  const name = (id: string) => users.find((u) => u.id === id)?.name ?? id;
  const move = (i: number, by: number) => {
    const r = [...onCall.rotation];
    const [x] = r.splice(i, 1);
    r.splice(i + by, 0, x);
    setOnCall({ ...onCall, rotation: r });
  };
  const [add, setAdd] = useState('');
  return (
    <Card title="On-call schedule">
      <ol>
        {onCall.rotation.map((id, i) => (
          <li key={id}>
            {name(id)}{' '}
            <button className="secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${name(id)} earlier`}>↑</button>
            <button className="secondary" disabled={i === onCall.rotation.length - 1} onClick={() => move(i, 1)} aria-label={`Move ${name(id)} later`}>↓</button>
            <button className="secondary" onClick={() => setOnCall({ ...onCall, rotation: onCall.rotation.filter((x) => x !== id) })}>Remove</button>
          </li>
        ))}
      </ol>
      <div className="filters">
        <div>
          <label htmlFor="oncall-add">Add to rotation</label>
          <select id="oncall-add" value={add} onChange={(e) => setAdd(e.target.value)}>
            <option value="">Choose…</option>
            {users.filter((u) => !onCall.rotation.includes(u.id)).map((u) => <option key={u.id} value={u.id}>{u.name} ({u.role})</option>)}
          </select>
          <button className="secondary" disabled={!add} onClick={() => { setOnCall({ ...onCall, rotation: [...onCall.rotation, add] }); setAdd(''); }}>Add</button>
        </div>
        <div><label htmlFor="oncall-shift">Shift length (hours)</label><input id="oncall-shift" type="number" min={1} value={onCall.shiftHours} onChange={(e) => setOnCall({ ...onCall, shiftHours: Number(e.target.value) })} /></div>
        <div><label htmlFor="oncall-esc">Escalate after (minutes)</label><input id="oncall-esc" type="number" min={1} value={onCall.escalationMinutes} onChange={(e) => setOnCall({ ...onCall, escalationMinutes: Number(e.target.value) })} /></div>
      </div>
      <button onClick={() => save(async () => { await patch('/business', { onCall }); onSaved(); })}>Save on-call</button>
      {feedback}
    </Card>
  );
}

function ComplianceCard({ business, onSaved }: { business: Business; onSaved: () => void }) {
  const [c, setC] = useState<Compliance>(business.settings.compliance ?? { quietHours: { start: '08:00', end: '21:00', closedDays: [] }, marketingPerDay: 1, marketingPerWeek: 3 });
  const { save, feedback } = useSave();
  return (
    <Card title="Compliance">
      <p className="muted">Texts never go out outside these hours in the recipient's time zone (stricter state rules apply on top). STOP/START/HELP and unsubscribe links are always on.</p>
      <div className="filters">
        <div><label htmlFor="quiet-start">Send from</label><input id="quiet-start" type="time" value={c.quietHours.start} onChange={(e) => setC({ ...c, quietHours: { ...c.quietHours, start: e.target.value } })} /></div>
        <div><label htmlFor="quiet-end">Send until</label><input id="quiet-end" type="time" value={c.quietHours.end} onChange={(e) => setC({ ...c, quietHours: { ...c.quietHours, end: e.target.value } })} /></div>
        <div><label htmlFor="cap-day">Marketing messages per day (max)</label><input id="cap-day" type="number" min={0} value={c.marketingPerDay} onChange={(e) => setC({ ...c, marketingPerDay: Number(e.target.value) })} /></div>
        <div><label htmlFor="cap-week">Marketing messages per week (max)</label><input id="cap-week" type="number" min={0} value={c.marketingPerWeek} onChange={(e) => setC({ ...c, marketingPerWeek: Number(e.target.value) })} /></div>
      </div>
      <button onClick={() => save(async () => { await patch('/business', { settings: { compliance: c } }); onSaved(); })}>Save compliance</button>
      {feedback}
    </Card>
  );
}

interface Integrations {
  sms: { provider: string; configured: boolean; sender: string | null };
  email: { provider: string; configured: boolean; sender: string | null };
  ai: { provider: string; configured: boolean; model: string | null; baseUrl: string | null };
}
const providerName: Record<string, string> = { twilio: 'Twilio', smtp: 'SMTP', dev_outbox: 'the dev outbox (nothing leaves this machine)', openai: 'OpenAI-compatible endpoint', anthropic: 'Anthropic', built_in: 'built-in models and templates (no AI key)' };

function ChannelsCard({ canManage }: { canManage: boolean }) {
  const status = useApi<Integrations>('/integrations');
  const [channel, setChannel] = useState<'sms' | 'email'>('sms');
  const [to, setTo] = useState('');
  const { save, feedback } = useSave();
  return (
    <Card title="Channels">
      <p className="muted">Twilio (texts, calls) and SMTP (email) are set with environment variables (see the README). Without them, messages go to the dev outbox.</p>
      <Load state={status} what="Channel status">
        {(s) => (
          <ul data-testid="channels">
            <li>Texts: {providerName[s.sms.provider] ?? s.sms.provider}{s.sms.sender && <> from {s.sms.sender}</>}</li>
            <li>Email: {providerName[s.email.provider] ?? s.email.provider}{s.email.sender && <> from {s.email.sender}</>}</li>
          </ul>
        )}
      </Load>
      <SenderIdentity canManage={canManage} />
      <h3>Test message</h3>
      <p className="muted">A test goes only to someone on the team: their phone or email on their user.</p>
      <form className="filters" aria-label="Send a test message" onSubmit={(e) => { e.preventDefault(); void save(async () => { const r = await post<{ to: string; provider: string }>('/integrations/test-send', { channel, to }); setTo(''); return r; }, `Test ${channel === 'sms' ? 'text' : 'email'} queued in the outbox.`); }}>
        <div><label htmlFor="test-channel">Test</label><select id="test-channel" value={channel} onChange={(e) => setChannel(e.target.value as 'sms' | 'email')}><option value="sms">text</option><option value="email">email</option></select></div>
        <div><label htmlFor="test-to">Send to ({channel === 'sms' ? 'your mobile number' : 'your email'})</label><input id="test-to" required value={to} onChange={(e) => setTo(e.target.value)} /></div>
        <div><button type="submit">Send test</button></div>
      </form>
      {feedback}
    </Card>
  );
}

function AiCard() {
  const status = useApi<Integrations>('/integrations');
  const models = useApi<{ data: Array<{ model: string; title?: string; version: number; trainedAt: string | null; prior: boolean; rows?: number; metrics?: { auc?: number } }> }>('/models');
  return (
    <Card title="AI">
      <p className="muted">Kinetic works with no AI key: built-in trained models score leads and templates draft replies. An OpenAI-compatible or Anthropic endpoint (KINETIC_LLM_* variables) is an optional upgrade for drafting and reading free text.</p>
      <Load state={status} what="AI provider">
        {(s) => <p data-testid="ai-provider">Drafting and understanding: {providerName[s.ai.provider] ?? s.ai.provider}{s.ai.model && <> · model {s.ai.model}</>}</p>}
      </Load>
      <Load state={models} what="Built-in models">
        {(m) => (
          <ul>
            {m.data.map((x) => (
              <li key={x.model}>
                {x.title ?? x.model} v{x.version}
                {x.prior ? <span className="tag">starter model (not enough history yet)</span> : x.trainedAt && <span className="muted"> · trained {when(x.trainedAt)} on {x.rows?.toLocaleString('en-US')} examples</span>}
                {typeof x.metrics?.auc === 'number' && <span className="muted"> · held-out AUC {x.metrics.auc.toFixed(2)}</span>}
              </li>
            ))}
            {m.data.length === 0 && <li className="muted">No models trained yet.</li>}
          </ul>
        )}
      </Load>
    </Card>
  );
}

function UsersCard({ users }: { users: { data?: { data: User[] }; error?: Error; loading: boolean; reload: () => void } }) {
  const { save, feedback } = useSave();
  const empty = { name: '', email: '', phone: '', role: 'agent', inviteBy: 'email' };
  const [form, setForm] = useState(empty);
  const add = (e: FormEvent) => {
    e.preventDefault();
    const body = { name: form.name, email: form.email, role: form.role, ...(form.phone.trim() && { phone: form.phone.trim() }), inviteBy: form.phone.trim() ? form.inviteBy : 'email' };
    void save(async () => {
      const r = await post<{ invitationSentTo: string; invitationChannel: string }>('/users', body);
      setForm(empty);
      users.reload();
      return r;
    }, `User added. A link to choose a password went by ${body.inviteBy === 'sms' ? 'text' : 'email'} to ${body.inviteBy === 'sms' ? body.phone : body.email}.`);
  };
  return (
    <Card title="Users and roles">
      <p className="muted">Nobody sets another person's password: each person gets a one-time link to choose their own, by email or by text to their phone. The phone is also where on-call pages go.</p>
      <Load state={users} what="Users">
        {(u) => (
          <div className="table-wrap">
            <table className="cards" data-testid="users-table">
              <thead><tr><th>Name</th><th>Email</th><th>Phone (on-call pages)</th><th>Role</th><th>Active</th><th>Password</th></tr></thead>
              <tbody>
                {u.data.map((x) => (
                  <tr key={x.id}>
                    <td data-label="Name">{x.name}</td>
                    <td data-label="Email">{x.email}</td>
                    <td data-label="Phone"><PhoneCell user={x} onSave={(phone) => save(async () => { await patch(`/users/${x.id}`, { phone }); users.reload(); }, phone ? `${x.name}'s phone is saved.` : `${x.name}'s phone is removed.`)} /></td>
                    <td data-label="Role">
                      <label className="sr-only" htmlFor={`role-${x.id}`}>Role of {x.name}</label>
                      <select id={`role-${x.id}`} value={x.role} onChange={(e) => save(async () => { await patch(`/users/${x.id}`, { role: e.target.value }); users.reload(); })}>
                        {roles.map((r) => <option key={r}>{r}</option>)}
                      </select>
                    </td>
                    <td data-label="Active"><input type="checkbox" aria-label={`${x.name} active`} checked={!x.disabled} onChange={(e) => save(async () => { await patch(`/users/${x.id}`, { disabled: !e.target.checked }); users.reload(); })} /></td>
                    {/* Nobody sets another person's password: they get a link to choose one. */}
                    <td data-label="Password">
                      <div className="actions">
                        <button className="secondary small" aria-label={`Email ${x.name} a password reset link`} onClick={() => save(async () => { await post(`/users/${x.id}/password-reset`, { by: 'email' }); }, `A reset link was emailed to ${x.email}.`)}>Email link</button>
                        {x.phone && <button className="secondary small" aria-label={`Text ${x.name} a password reset link`} onClick={() => save(async () => { await post(`/users/${x.id}/password-reset`, { by: 'sms' }); }, `A reset link was texted to ${x.phone}.`)}>Text link</button>}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Load>
      <form className="filters" onSubmit={add} aria-label="Add a user">
        <div><label htmlFor="new-user-name">Name</label><input id="new-user-name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></div>
        <div><label htmlFor="new-user-email">Email (their login)</label><input id="new-user-email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></div>
        <div><label htmlFor="new-user-phone">Mobile phone (optional)</label><input id="new-user-phone" type="tel" autoComplete="off" value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value, inviteBy: e.target.value.trim() ? form.inviteBy : 'email' })} /></div>
        <div><label htmlFor="new-user-role">Role</label><select id="new-user-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>{roles.map((r) => <option key={r}>{r}</option>)}</select></div>
        <div>
          <label htmlFor="new-user-invite">Send the password link by</label>
          <select id="new-user-invite" value={form.phone.trim() ? form.inviteBy : 'email'} disabled={!form.phone.trim()} onChange={(e) => setForm({ ...form, inviteBy: e.target.value })}>
            <option value="email">email</option>
            <option value="sms">text to their phone</option>
          </select>
        </div>
        <div><button type="submit">Add user</button></div>
      </form>
      {feedback}
    </Card>
  );
}

/** A person's phone, edited in place: where on-call pages and texted links go. */
function PhoneCell({ user, onSave }: { user: User; onSave: (phone: string | null) => void }) {
  const [value, setValue] = useState(user.phone ?? '');
  // Saved numbers come back normalised (+15125550177): show what is stored.
  useEffect(() => setValue(user.phone ?? ''), [user.phone]);
  const changed = value.trim() !== (user.phone ?? '');
  return (
    <form className="inline-edit" onSubmit={(e) => { e.preventDefault(); onSave(value.trim() || null); }}>
      <label className="sr-only" htmlFor={`phone-${user.id}`}>Phone of {user.name}</label>
      <input id={`phone-${user.id}`} type="tel" size={14} value={value} placeholder="none" onChange={(e) => setValue(e.target.value)} />
      {changed && <button type="submit" className="small" aria-label={`Save ${user.name}'s phone`}>Save</button>}
    </form>
  );
}

function ApiKeysCard() {
  const keys = useApi<{ data: Array<{ id: string; name: string; prefix?: string; createdAt: string; lastUsedAt?: string | null; revokedAt?: string | null }> }>('/api-keys');
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const { save, feedback } = useSave();
  return (
    <Card title="API keys">
      <Load state={keys} what="API keys">
        {(k) => (
          <ul className="list">
            {k.data.map((x) => (
              <li key={x.id} className="item">
                <div className="grow"><strong>{x.name}</strong> <span className="muted">{x.prefix ?? ''} · created {when(x.createdAt)}{x.revokedAt ? ` · revoked ${when(x.revokedAt)}` : ''}</span></div>
                {!x.revokedAt && <button className="secondary" onClick={() => save(async () => { await del(`/api-keys/${x.id}`); keys.reload(); }, 'Key revoked.')}>Revoke</button>}
              </li>
            ))}
            {k.data.length === 0 && <li className="muted">No API keys.</li>}
          </ul>
        )}
      </Load>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void save(async () => { const r = await post<{ key: string }>('/api-keys', { name }); setSecret(r.key); setName(''); keys.reload(); }, 'Key created.'); }}>
        <div><label htmlFor="new-key-name">New key name</label><input id="new-key-name" required value={name} onChange={(e) => setName(e.target.value)} /></div>
        <div><button type="submit">Create key</button></div>
      </form>
      {secret && <p className="notice">Copy this key now; it is not shown again: <code>{secret}</code></p>}
      {feedback}
    </Card>
  );
}
