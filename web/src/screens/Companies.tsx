import { useState } from 'react';
import { Link } from 'react-router';
import { qs, type Page } from '../api.ts';
import { useApi, useLiveEvents } from '../hooks.ts';
import { Card, Load, Pager } from '../ui.tsx';

export interface Company {
  id: string; name: string; domain: string | null; phone: string | null;
  address: { line1?: string; city?: string; region?: string; postalCode?: string };
  customFields: Record<string, unknown>; createdAt: string; updatedAt: string;
}

/** `serviceAgreement` → "Service agreement", `property_management` → "property management". */
export const fieldLabel = (key: string) => {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};
export const fieldValue = (v: unknown) =>
  v === true ? 'yes' : v === false ? 'no' : v === null || v === undefined || v === '' ? '–' : typeof v === 'string' ? v.replace(/_/g, ' ') : typeof v === 'object' ? JSON.stringify(v) : String(v);

export function Companies() {
  const [q, setQ] = useState('');
  const [cursor, setCursor] = useState<string | undefined>();
  const list = useApi<Page<Company>>(`/companies${qs({ q, limit: 25, cursor })}`);
  useLiveEvents(() => list.reload(), ['company.created', 'company.updated', 'company.deleted']);
  return (
    <>
      <h1>Companies</h1>
      <Card title="Find companies">
        <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
          <div>
            <label htmlFor="company-search">Search by name</label>
            <input id="company-search" type="search" value={q} onChange={(e) => { setQ(e.target.value); setCursor(undefined); }} />
          </div>
        </form>
        <Load state={list} what="Companies">
          {(page) => (
            <>
              <div className="table-wrap">
                <table data-testid="companies-table">
                  <thead><tr><th>Name</th><th>Industry</th><th>Account</th><th>City</th><th>Phone</th><th>Domain</th></tr></thead>
                  <tbody>
                    {page.data.map((c) => (
                      <tr key={c.id}>
                        <td><Link to={`/companies/${c.id}`}>{c.name}</Link></td>
                        <td>{fieldValue(c.customFields?.industry)}</td>
                        <td>{fieldValue(c.customFields?.accountType)}</td>
                        <td>{c.address?.city ?? '–'}</td>
                        <td>{c.phone ?? '–'}</td>
                        <td>{c.domain ?? '–'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {page.data.length === 0 && <p className="muted">No companies match.</p>}
              <p className="muted">People, jobs, deals and warm introductions are on each company's page.</p>
              <Pager cursor={cursor} nextCursor={page.nextCursor} onPage={setCursor} />
            </>
          )}
        </Load>
      </Card>
    </>
  );
}
