import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, day, money, patch, qs, when, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { Card, ErrorNote, issuesOf, Load } from '../ui.tsx';
import { fieldLabel, fieldValue, type Company } from './Companies.tsx';
import type { Contact } from './Contacts.tsx';

interface Job {
  id: string; contactId: string | null; companyId: string | null; serviceType: string; status: string;
  scheduledStart: string | null; completedAt: string | null; amountCents: number | null;
}
interface Deal {
  id: string; contactId: string | null; companyId: string | null; title: string; stage: string; status: string;
  amountCents: number | null; expectedCloseDate: string | null; closedAt: string | null;
}
interface IntroPath {
  userId: string; userName: string; strength: number;
  path: Array<{ type: 'user' | 'contact' | 'company'; id: string; name: string }>;
}

const warmth = (s: number) => (s >= 60 ? 'strong' : s >= 30 ? 'warm' : 'weak');

export function CompanyDetail() {
  const { id = '' } = useParams();
  const company = useApi<Company>(`/companies/${id}`);
  const people = useApi<Page<Contact>>(`/contacts${qs({ companyId: id, limit: 100 })}`);
  const deals = useApi<Page<Deal>>(`/deals${qs({ companyId: id, limit: 100 })}`);
  const intros = useApi<{ data: IntroPath[] }>(`/relationships/intro${qs({ companyId: id })}`);
  const jobs = useCompanyJobs(id);
  useLiveEvents((e) => {
    if (e.payload?.companyId === id) company.reload();
  }, ['company.updated']);
  const names = new Map((people.data?.data ?? []).map((p) => [p.id, p.name]));
  const personLink = (contactId: string | null) => (contactId ? <Link to={`/contacts/${contactId}`}>{names.get(contactId) ?? 'contact'}</Link> : '–');
  return (
    <>
      <p><Link to="/companies">← Companies</Link></p>
      <Load state={company} what="Company">
        {(c) => (
          <>
            <h1>{c.name}</h1>
            <Card title="Details">
              <dl className="kv" data-testid="company-details">
                <div><dt>Phone</dt><dd>{c.phone ?? '–'}</dd></div>
                <div><dt>Domain</dt><dd>{c.domain ?? '–'}</dd></div>
                <div><dt>Address</dt><dd>{[c.address.line1, c.address.city, [c.address.region, c.address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ') || '–'}</dd></div>
                {Object.entries(c.customFields ?? {}).map(([k, v]) => (
                  <div key={k}><dt>{fieldLabel(k)}</dt><dd>{fieldValue(v)}</dd></div>
                ))}
              </dl>
            </Card>
            <EditCompany key={c.id} company={c} onSaved={company.reload} />
          </>
        )}
      </Load>
      <Summary deals={deals.data?.data} jobs={jobs.data} />
      <Card title="Warm introductions">
        <Load state={intros} what="Warm introductions">
          {(r) =>
            r.data.length === 0 ? <p className="muted">No one on the team has a path to this company yet.</p> : (
              <ol className="list" data-testid="warm-intros">
                {r.data.map((p) => (
                  <li key={p.userId}>
                    <strong>{p.userName}</strong>
                    {' '}<span className={`tag${p.strength >= 60 ? ' ok' : ''}`}>{warmth(p.strength)}: strength {p.strength} of 100</span>
                    <div>
                      <span className="sr-only">Path: </span>
                      {p.path.map((n, i) => (
                        <span key={`${n.type}-${n.id}`}>
                          {i > 0 && <span aria-hidden="true"> → </span>}
                          {i > 0 && <span className="sr-only">, then </span>}
                          {n.type === 'contact' ? <Link to={`/contacts/${n.id}`}>{n.name}</Link> : n.name}
                        </span>
                      ))}
                    </div>
                    {p.path.length > 2 && (
                      <p className="muted hint">{p.userName} can ask {p.path.slice(1, -1).map((n) => n.name).join(', then ')} for an introduction.</p>
                    )}
                  </li>
                ))}
              </ol>
            )
          }
        </Load>
      </Card>
      <TableCard title="People" state={people} rows={(page) => page.data} empty="No one is linked to this company yet." testId="company-people"
        headers={['Name', 'Phone', 'Email', 'Stage', 'Last touch']}
        row={(p) => [<Link to={`/contacts/${p.id}`}>{p.name}</Link>, p.phone ?? '–', p.email ?? '–', p.lifecycleStage, when(p.lastInteractionAt)]} />
      <TableCard title="Deals" state={deals} rows={(page) => page.data} empty="No deals with this company." testId="company-deals"
        headers={['Deal', 'Stage', 'Amount', 'Closes / closed', 'Contact']} numeric={[2]}
        row={(d) => [
          d.title,
          <>{d.stage.replace(/_/g, ' ')}{d.status !== 'open' && d.status !== d.stage && <span className="muted"> ({d.status})</span>}</>,
          d.amountCents === null ? '–' : money(d.amountCents),
          d.closedAt ? day(d.closedAt) : d.expectedCloseDate ?? '–',
          personLink(d.contactId),
        ]} />
      <TableCard title="Jobs" state={jobs} rows={(list) => list} empty="No jobs for this company." testId="company-jobs"
        headers={['Service', 'Status', 'When', 'Amount', 'Contact']} numeric={[3]}
        row={(j) => [j.serviceType.replace(/_/g, ' '), j.status.replace(/_/g, ' '), when(j.completedAt ?? j.scheduledStart), j.amountCents === null ? '–' : money(j.amountCents), personLink(j.contactId)]} />
    </>
  );
}

/** A card with one table of the company's records (people, deals or jobs), or a line saying there are none. */
function TableCard<T, R extends { id: string }>(props: {
  title: string;
  state: { data?: T; error?: Error; loading: boolean };
  rows: (data: T) => R[];
  empty: string;
  testId: string;
  headers: string[];
  /** Columns holding amounts (right-aligned). */
  numeric?: number[];
  row: (r: R) => ReactNode[];
}) {
  const { title, state, rows, empty, testId, headers, numeric = [], row } = props;
  return (
    <Card title={title}>
      <Load state={state} what={title}>
        {(data) => {
          const list = rows(data);
          return list.length === 0 ? <p className="muted">{empty}</p> : (
            <div className="table-wrap">
              <table data-testid={testId}>
                <thead><tr>{headers.map((h) => <th key={h}>{h}</th>)}</tr></thead>
                <tbody>
                  {list.map((r) => (
                    <tr key={r.id}>{row(r).map((cell, i) => <td key={headers[i]} className={numeric.includes(i) ? 'num' : undefined}>{cell}</td>)}</tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Load>
    </Card>
  );
}

/** The company's jobs (`GET /jobs?companyId=`), newest first. */
function useCompanyJobs(companyId: string): { data?: Job[]; error?: Error; loading: boolean } {
  const [state, setState] = useState<{ data?: Job[]; error?: Error; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<Page<Job>>(`/jobs${qs({ companyId, limit: 200 })}`).then(
      (page) => live && setState({ data: [...page.data].sort((a, b) => (b.completedAt ?? b.scheduledStart ?? '').localeCompare(a.completedAt ?? a.scheduledStart ?? '')), loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [companyId]);
  return state;
}

function Summary({ deals, jobs }: { deals: Deal[] | undefined; jobs: Job[] | undefined }) {
  if (!deals && !jobs) return null;
  const open = (deals ?? []).filter((d) => d.status === 'open');
  const won = (deals ?? []).filter((d) => d.status === 'won');
  const done = (jobs ?? []).filter((j) => j.status === 'completed');
  const sum = (xs: Array<{ amountCents: number | null }>) => xs.reduce((n, x) => n + (x.amountCents ?? 0), 0);
  return (
    <div className="stats" data-testid="company-summary">
      <div className="stat"><b>{deals ? open.length : '…'}</b>open deals{deals && open.length > 0 && <> · {money(sum(open))}</>}</div>
      <div className="stat"><b>{deals ? money(sum(won)) : '…'}</b>won in deals</div>
      <div className="stat"><b>{jobs ? done.length : '…'}</b>completed jobs{jobs && done.length > 0 && <> · {money(sum(done))}</>}</div>
    </div>
  );
}

interface Draft { name: string; phone: string; domain: string; line1: string; city: string; region: string; postalCode: string }

function EditCompany({ company, onSaved }: { company: Company; onSaved: () => void }) {
  const initial: Draft = {
    name: company.name, phone: company.phone ?? '', domain: company.domain ?? '',
    line1: company.address.line1 ?? '', city: company.address.city ?? '', region: company.address.region ?? '', postalCode: company.address.postalCode ?? '',
  };
  const [draft, setDraft] = useState<Draft>(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const issues = issuesOf(error);
  const issueFor = (field: string) => issues.find((i) => i.field === field || i.field.startsWith(`${field}.`))?.message;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved('');
    setBusy(true);
    const address = Object.fromEntries(
      Object.entries({ line1: draft.line1, city: draft.city, region: draft.region, postalCode: draft.postalCode }).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''),
    );
    try {
      await patch(`/companies/${company.id}`, {
        name: draft.name,
        phone: draft.phone.trim() === '' ? null : draft.phone.trim(),
        domain: draft.domain.trim() === '' ? null : draft.domain.trim(),
        address,
      });
      setSaved('Saved.');
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof Draft, label: string, apiField: string, type = 'text', autoComplete?: string) => {
    const msg = issueFor(apiField);
    return (
      <div>
        <label htmlFor={`company-${name}`}>{label}</label>
        <input
          id={`company-${name}`} type={type} value={draft[name]} autoComplete={autoComplete}
          aria-invalid={msg ? true : undefined} aria-describedby={msg ? `company-${name}-error` : undefined}
          onChange={(e) => setDraft((d) => ({ ...d, [name]: e.target.value }))}
        />
        {msg && <p className="error hint" id={`company-${name}-error`} data-testid={`company-${name}-error`}>{msg}</p>}
      </div>
    );
  };

  return (
    <Card title="Edit company">
      <form onSubmit={submit} aria-label={`Edit ${company.name}`}>
        <div className="filters">
          {field('name', 'Name', 'name', 'text', 'organization')}
          {field('phone', 'Phone', 'phone', 'tel', 'tel')}
          {field('domain', 'Domain', 'domain')}
        </div>
        <div className="filters">
          {field('line1', 'Street address', 'address.line1', 'text', 'address-line1')}
          {field('city', 'City', 'address.city', 'text', 'address-level2')}
          {field('region', 'State / region', 'address.region', 'text', 'address-level1')}
          {field('postalCode', 'Postal code', 'address.postalCode', 'text', 'postal-code')}
        </div>
        <div className="actions">
          <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save company'}</button>
          <button type="button" className="secondary" disabled={busy} onClick={() => { setDraft(initial); setError(null); setSaved(''); }}>Reset</button>
          {saved && <span role="status" className="ok">{saved}</span>}
        </div>
        <ErrorNote error={error} />
      </form>
    </Card>
  );
}
