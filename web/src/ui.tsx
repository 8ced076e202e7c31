import { useState, type ReactNode } from 'react';
import { ApiError } from './api.ts';

/** A feature whose API is not on this server yet: say so plainly, show nothing made up. */
export function NotAvailable({ what }: { what: string }) {
  return (
    <div className="notice" role="status" data-testid="not-available">
      <strong>{what}: not available yet.</strong> This server does not offer it yet; it appears here as soon as it does.
    </div>
  );
}

export interface Issue {
  field: string;
  message: string;
}

/** The field-level problems of a VALIDATION_FAILED error, if any. */
export function issuesOf(error: unknown): Issue[] {
  const details = (error as ApiError | null)?.details as { issues?: Issue[] } | null | undefined;
  return Array.isArray(details?.issues) ? details.issues : [];
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as ApiError;
  const issues = issuesOf(error);
  return (
    <div className="error" role="alert">
      {issues.length > 1 ? 'Please fix these:' : e.message}
      {issues.length > 1 && <ul>{issues.map((i, n) => <li key={n}>{i.field ? `${i.field}: ` : ''}{i.message}</li>)}</ul>}
    </div>
  );
}

/** Renders a loaded value, a not-available notice, an error, or a loading line. */
export function Load<T>({ state, what, children }: { state: { data?: T; error?: Error; loading: boolean }; what: string; children: (data: T) => ReactNode }) {
  if (state.error instanceof ApiError && state.error.notAvailable) return <NotAvailable what={what} />;
  if (state.error) return <ErrorNote error={state.error} />;
  if (state.data === undefined) return <p className="muted">Loading {what.toLowerCase()}…</p>;
  return <>{children(state.data)}</>;
}

export function Card({ title, children, actions, id }: { title: string; children: ReactNode; actions?: ReactNode; id?: string }) {
  const hid = `${(id ?? title).replace(/\W+/g, '-').toLowerCase()}-title`;
  return (
    <section className="card" aria-labelledby={hid} id={id}>
      <div className="card-head">
        <h2 id={hid}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** First page / Next page for a cursor-paged list: `cursor` is the page shown (undefined on the first). */
export function Pager({ cursor, nextCursor, onPage }: { cursor: string | undefined; nextCursor: string | null | undefined; onPage: (cursor: string | undefined) => void }) {
  return (
    <div className="actions">
      {cursor && <button className="secondary" onClick={() => onPage(undefined)}>First page</button>}
      {nextCursor && <button className="secondary" onClick={() => onPage(nextCursor)}>Next page</button>}
    </div>
  );
}

/**
 * A form's save: runs the request, then shows "Saved." (or the given message) or the API's error.
 * `feedback` is the element to render under the form.
 */
export function useSave() {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  const save = async (fn: () => Promise<unknown>, message = 'Saved.') => {
    setError(null);
    setSaved('');
    try {
      await fn();
      setSaved(message);
    } catch (err) {
      setError(err);
    }
  };
  return { error, saved, save, feedback: <>{saved && <p role="status" className="ok">{saved}</p>}<ErrorNote error={error} /></> };
}
