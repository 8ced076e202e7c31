import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { NavLink, Navigate, Route, Routes, useLocation } from 'react-router';
import { api, post, setUnauthenticatedHandler } from './api.ts';
import { connectLive, disconnectLive, useLiveStatus } from './hooks.ts';
import { can, setPermissions } from './permissions.ts';
import { Automations } from './screens/Automations.tsx';
import { Campaigns } from './screens/Campaigns.tsx';
import { Companies } from './screens/Companies.tsx';
import { CompanyDetail } from './screens/CompanyDetail.tsx';
import { ContactDetail } from './screens/ContactDetail.tsx';
import { Contacts } from './screens/Contacts.tsx';
import { Inbox } from './screens/Inbox.tsx';
import { Leak } from './screens/Leak.tsx';
import { Pipeline } from './screens/Pipeline.tsx';
import { Schedule } from './screens/Schedule.tsx';
import { Settings } from './screens/Settings.tsx';
import { Tasks } from './screens/Tasks.tsx';
import { Today } from './screens/Today.tsx';

export interface Me {
  kind: string;
  user: { id: string; name: string; role: string; email: string } | null;
  role?: string;
  permissions?: Record<string, 'all' | 'own'>;
  business: { id: string; name: string; timeZone: string };
}

// The charts library is large: loaded with the Metrics screen, not with the first page.
const Metrics = lazy(() => import('./screens/Metrics.tsx').then((m) => ({ default: m.Metrics })));

// Each screen with the permission it needs (a technician sees Contacts, Schedule and Settings).
const nav: Array<[string, string, string]> = [
  ['/today', 'Today', 'exceptions.read'],
  ['/inbox', 'Inbox', 'messages.send'],
  ['/contacts', 'Contacts', 'contacts.read'],
  ['/companies', 'Companies', 'companies.read'],
  ['/pipeline', 'Pipeline', 'deals.read'],
  ['/schedule', 'Schedule', 'jobs.read'],
  ['/tasks', 'Tasks', 'tasks.read'],
  ['/automations', 'Automations', 'automations.read'],
  ['/campaigns', 'Campaigns', 'insights.read'],
  ['/metrics', 'Metrics', 'insights.read'],
  ['/leak', 'Revenue leak', 'insights.read'],
  ['/settings', 'Settings', 'business.read'],
];

export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [menuOpen, setMenuOpen] = useState(false);
  const load = useCallback(() => {
    api<Me>('/me').then(
      (m) => {
        setPermissions(m.permissions);
        setMe(m);
      },
      () => setMe(null),
    );
  }, []);
  useEffect(() => {
    setUnauthenticatedHandler(() => setMe(null));
    load();
  }, [load]);
  useEffect(() => {
    if (me && can('events.stream')) connectLive();
    else disconnectLive();
  }, [me]);

  // After a move between screens, keyboard and screen-reader users start at the new screen's content.
  const location = useLocation();
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('main')?.focus();
  }, [location.pathname]);

  // A link from a reset or invitation email: choose a password, then log in.
  if (location.pathname === '/reset-password') return <ResetPassword />;
  if (me === undefined) return <p className="center muted">Loading…</p>;
  if (me === null) return <Login onDone={load} />;
  const logout = async () => {
    await post('/auth/logout').catch(() => undefined);
    setMe(null);
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <button className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </button>
        <strong className="brand">Kinetic</strong>
        <span className="biz">{me.business.name}</span>
        {can('events.stream') && <LiveBadge />}
        <span className="who">{me.user?.name ?? 'API key'}</span>
        <button className="link" onClick={logout}>Log out</button>
      </header>
      <nav id="nav" aria-label="Main" className={menuOpen ? 'open' : ''}>
        <ul>
          {nav.filter(([, , action]) => can(action)).map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} onClick={() => setMenuOpen(false)}>{label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to={nav.find(([, , action]) => can(action))?.[0] ?? '/settings'} replace />} />
          <Route path="/today" element={<Today me={me} />} />
          <Route path="/inbox" element={<Inbox />} />
          <Route path="/inbox/:contactId" element={<Inbox />} />
          <Route path="/contacts" element={<Contacts />} />
          <Route path="/contacts/:id" element={<ContactDetail />} />
          <Route path="/companies" element={<Companies />} />
          <Route path="/companies/:id" element={<CompanyDetail />} />
          <Route path="/pipeline" element={<Pipeline />} />
          <Route path="/schedule" element={<Schedule />} />
          <Route path="/tasks" element={<Tasks />} />
          <Route path="/automations" element={<Automations />} />
          <Route path="/campaigns" element={<Campaigns />} />
          <Route path="/metrics" element={<Suspense fallback={<p className="muted">Loading charts…</p>}><Metrics /></Suspense>} />
          <Route path="/leak" element={<Leak />} />
          <Route path="/settings" element={<Settings me={me} />} />
          <Route path="*" element={<p>Page not found.</p>} />
        </Routes>
      </main>
    </div>
  );
}

function LiveBadge() {
  const s = useLiveStatus();
  return (
    <span className={`live live-${s}`} role="status" aria-live="polite" data-testid="live-status">
      {s === 'live' ? 'Live' : s === 'connecting' ? 'Connecting…' : 'Offline'}
    </span>
  );
}

function ResetPassword() {
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token') ?? '';
  const [password, setPassword] = useState('');
  const [state, setState] = useState<{ error?: string; done?: boolean; busy?: boolean }>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setState({ busy: true });
    try {
      await post('/auth/password-reset', { token, password });
      setState({ done: true });
    } catch (err) {
      setState({ error: (err as Error).message });
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} className="card" aria-labelledby="reset-title">
        <h1 id="reset-title">Choose your Kinetic password</h1>
        {state.done ? (
          <p role="status">Your password is set. <a href="/app">Log in</a></p>
        ) : (
          <>
            <label htmlFor="new-password">New password (at least 10 characters)</label>
            <input id="new-password" type="password" autoComplete="new-password" required minLength={10} value={password} onChange={(e) => setPassword(e.target.value)} />
            <button type="submit" disabled={state.busy || !token}>Set password</button>
          </>
        )}
        {!token && <p className="error" role="alert">This link has no token; open the link from your email again.</p>}
        {state.error && <p className="error" role="alert">{state.error}</p>}
      </form>
    </main>
  );
}

function Login({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await post('/auth/login', { email, password });
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={submit} className="card" aria-labelledby="login-title">
        <h1 id="login-title">Log in to Kinetic</h1>
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <label htmlFor="password">Password</label>
        <input id="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
        {error && <p className="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}
