import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { Link } from 'react-router';
import { api, ApiError, post, qs } from '../api.ts';
import { useLiveEvents } from '../hooks.ts';
import { Card, ErrorNote } from '../ui.tsx';

interface ImportReport {
  rows: number; created: number; merged: number; rejected: number; mapping: Record<string, string>; unmappedColumns: string[]; dryRun: boolean;
  errorsSample: Array<{ row: number; error: string }>; truncated?: boolean;
  warnings: number; warningsSample: Array<{ row: number; warning: string }>; shape: string | null;
  merges: Array<{ row: number; contactId: string; name: string; matchedOn: 'phone' | 'email'; existing: boolean }>;
  possibleDuplicates: Array<{ row: number; contactId: string; name: string; sharesPhoneWith: { contactId: string; name: string } }>;
}

const summaryOf = (r: ImportReport, preview: boolean): string =>
  `${r.rows} rows: ${r.created} ${preview ? 'new' : 'created'}, ${r.merged} ${preview ? 'match existing contacts' : 'merged'}, ${r.rejected} rejected${r.warnings ? `, ${r.warnings} imported without some values` : ''}.`;

/** Where merged rows go, new contacts on a shared phone, and the values left out: named, so nobody is merged blindly. */
function ImportDetails({ report, preview }: { report: ImportReport; preview: boolean }) {
  const existing = report.merges.filter((m) => m.existing);
  return (
    <>
      {report.shape && <p className="muted">Recognised as a {report.shape} export.</p>}
      {existing.length > 0 && (
        <>
          <h4>{preview ? 'Rows that would be merged into existing contacts' : 'Merged into existing contacts'}</h4>
          <ul data-testid="import-merges">
            {existing.map((m) => <li key={m.row}>Line {m.row} → <Link to={`/contacts/${m.contactId}`}>{m.name}</Link> (same {m.matchedOn})</li>)}
          </ul>
        </>
      )}
      {report.possibleDuplicates.length > 0 && (
        <>
          <h4>New contacts on a shared phone (possible duplicates)</h4>
          <ul data-testid="import-duplicates">
            {report.possibleDuplicates.map((d) => <li key={d.row}>Line {d.row}: {d.name} shares a phone with <Link to={`/contacts/${d.sharesPhoneWith.contactId}`}>{d.sharesPhoneWith.name}</Link></li>)}
          </ul>
        </>
      )}
      {report.warningsSample.length > 0 && (
        <>
          <h4>{preview ? 'Values that would be left out' : 'Values left out'}</h4>
          <ul>{report.warningsSample.map((w, i) => <li key={`${w.row}-${i}`}>Line {w.row}: {w.warning}</li>)}</ul>
        </>
      )}
    </>
  );
}

/** A preview (dry run) answers with the report, the fields a column can map to and the rejected rows as CSV. */
interface PreviewReport extends ImportReport {
  fields: string[];
  errorsCsv: string | null;
}

/** An import job as GET /imports/:id returns it. */
interface ImportJob {
  id: string; status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  rowsDone: number; rowsTotal: number | null; bytesDone: number; bytesTotal: number;
  created: number; merged: number; rejected: number; warnings: number;
  error: string | null; report: ImportReport | null; hasErrorsFile: boolean; cancelRequested: boolean;
}

/** A preview reads this much of the file at most (it looks at the first rows only). */
const PREVIEW_BYTES = 1024 * 1024;
const PREVIEW_ROWS = 1000;
const finished = new Set(['done', 'failed', 'cancelled']);
const importEvents = ['import.progress', 'import.completed', 'import.failed', 'import.cancelled'];

/** Sends a file (or a part of it) as the request body, streamed by the browser: no size limit of a JSON body applies. */
async function upload<T>(path: string, body: Blob): Promise<T> {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'text/csv' }, body });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: { code: 'BAD_RESPONSE', message: text.slice(0, 200) } };
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText, err?.details);
  }
  return parsed as T;
}

/** The first rows of a large file, cut after its last whole line; a small file whole. */
async function head(file: File): Promise<Blob> {
  if (file.size <= PREVIEW_BYTES) return file;
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  const end = bytes.lastIndexOf(10);
  return file.slice(0, end > 0 ? end + 1 : PREVIEW_BYTES);
}

/** Column names from the header line (enough for the mapping table; the server reads the file properly). */
async function headerOf(file: File): Promise<string[]> {
  const text = await file.slice(0, 64 * 1024).text();
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t', '|'].reduce((best, d) => (first.split(d).length > first.split(best).length ? d : best), ',');
  return first.split(delimiter).map((h) => h.trim().replace(/^"|"$/g, '')).filter((h) => h !== '');
}

const sizeOf = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);
const n = (v: number) => v.toLocaleString('en-US');

/** Where a running import is: a progress bar over the bytes read, rows so far and what became of them. */
function JobProgress({ job, onCancel }: { job: ImportJob; onCancel: () => void }) {
  const pct = job.bytesTotal > 0 ? Math.floor((job.bytesDone / job.bytesTotal) * 100) : 0;
  return (
    <div data-testid="import-progress">
      <progress aria-label="Import progress" value={job.bytesDone} max={job.bytesTotal || 1} />
      <p className="muted">
        {job.status === 'queued'
          ? 'Waiting for the worker to start the import…'
          : `${pct}% — ${n(job.rowsDone)} of about ${n(job.rowsTotal ?? job.rowsDone)} rows: ${n(job.created)} created, ${n(job.merged)} merged, ${n(job.rejected)} rejected.`}
      </p>
      <button className="secondary" disabled={job.cancelRequested} onClick={onCancel}>{job.cancelRequested ? 'Cancelling…' : 'Cancel import'}</button>
    </div>
  );
}

export function ImportPanel() {
  const [file, setFile] = useState<File | null>(null);
  const [headers, setHeaders] = useState<string[]>([]);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<PreviewReport | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [stage, setStage] = useState<'idle' | 'previewing' | 'uploading'>('idle');
  const [error, setError] = useState<unknown>(null);
  const [updateExisting, setUpdateExisting] = useState(false);
  const jobId = useRef<string | null>(null);

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (!f) return;
    setFile(f);
    setHeaders(await headerOf(f));
    setPreview(null);
    setJob(null);
    setMapping({});
    setError(null);
  };
  const options = (extra: Record<string, string | number | boolean>) => {
    const explicit = Object.fromEntries(Object.entries(mapping).filter(([, v]) => v !== ''));
    return qs({ entity: 'contacts', updateExisting: updateExisting ? 'true' : undefined, mapping: Object.keys(explicit).length ? JSON.stringify(explicit) : undefined, ...extra });
  };
  const runPreview = async () => {
    if (!file) return;
    setError(null);
    setStage('previewing');
    try {
      setPreview(await upload<PreviewReport>(`/imports${options({ dryRun: 'true', previewRows: PREVIEW_ROWS })}`, await head(file)));
    } catch (err) {
      setError(err);
    } finally {
      setStage('idle');
    }
  };
  const runImport = async () => {
    if (!file) return;
    setError(null);
    setStage('uploading');
    try {
      const queued = await upload<ImportJob>(`/imports${options({ fileName: file.name })}`, file);
      jobId.current = queued.id;
      setJob(queued);
    } catch (err) {
      setError(err);
    } finally {
      setStage('idle');
    }
  };
  const refresh = async (id: string) => {
    try {
      const latest = await api<ImportJob>(`/imports/${id}`);
      if (jobId.current === id) setJob(latest);
    } catch (err) {
      setError(err);
    }
  };
  // The event stream carries the progress; a slow poll covers a stream that is reconnecting.
  useLiveEvents((e) => {
    const id = jobId.current;
    if (!id || e.payload.importId !== id) return;
    if (e.type === 'import.progress') {
      const p = e.payload as { rowsDone: number; rowsTotal: number | null; bytesDone: number; created: number; merged: number; rejected: number; warnings: number };
      setJob((j) => (j && j.id === id && !finished.has(j.status) ? { ...j, status: 'running', ...p } : j));
    } else {
      void refresh(id);
    }
  }, importEvents);
  const running = job !== null && !finished.has(job.status);
  useEffect(() => {
    if (!running || !job) return;
    const timer = setInterval(() => void refresh(job.id), 3000);
    return () => clearInterval(timer);
  }, [running, job?.id]);
  const cancel = async () => {
    if (!job) return;
    try {
      setJob(await post<ImportJob>(`/imports/${job.id}/cancel`));
    } catch (err) {
      setError(err);
    }
  };
  const effective = (h: string) => mapping[h] ?? preview?.mapping[h] ?? 'ignore';
  const previewErrors = (report: PreviewReport) => URL.createObjectURL(new Blob([report.errorsCsv ?? ''], { type: 'text/csv' }));
  const result = job?.status === 'done' ? job.report : null;

  return (
    <Card title="Import contacts from CSV">
      <label htmlFor="import-file">CSV file (first row: column names)</label>
      <input id="import-file" type="file" accept=".csv,text/csv" onChange={onFile} />
      {file && (
        <p className="muted">{file.name}: {sizeOf(file.size)}, columns {headers.join(', ')}</p>
      )}
      <label>
        <input type="checkbox" checked={updateExisting} onChange={(e) => setUpdateExisting(e.target.checked)} /> Replace values existing contacts already have (otherwise only empty ones are filled)
      </label>
      <div className="actions">
        <button disabled={!file || stage !== 'idle' || running} onClick={runPreview}>Preview</button>
        <button disabled={!preview || stage !== 'idle' || running} onClick={runImport}>Import</button>
      </div>
      {stage !== 'idle' && <progress aria-label={stage === 'previewing' ? 'Checking the file' : 'Uploading the file'} />}
      <ErrorNote error={error} />
      {preview && !job && (
        <div data-testid="import-preview">
          <h3>{preview.truncated ? `Preview of the first ${n(preview.rows)} rows (nothing written yet)` : 'Preview (nothing written yet)'}</h3>
          <p>{summaryOf(preview, true)}</p>
          <table>
            <thead><tr><th>Column</th><th>Imports as</th></tr></thead>
            <tbody>
              {headers.map((h) => (
                <tr key={h}>
                  <td><label htmlFor={`map-${h}`}>{h}</label></td>
                  <td>
                    <select id={`map-${h}`} value={effective(h)} onChange={(e) => setMapping((m) => ({ ...m, [h]: e.target.value }))}>
                      <option value="ignore">(do not import)</option>
                      {[...new Set([...(preview.fields ?? []), effective(h)])].filter((f) => f !== 'ignore').map((f) => <option key={f} value={f}>{f}</option>)}
                      <option value={`custom.${h.replace(/\W+/g, '_')}`}>custom.{h.replace(/\W+/g, '_')}</option>
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {Object.keys(mapping).length > 0 && <button className="secondary" onClick={runPreview}>Preview again with this mapping</button>}
          {preview.errorsSample.length > 0 && (
            <>
              <h4>Rows that would be rejected</h4>
              <ul>{preview.errorsSample.map((e) => <li key={e.row}>Line {e.row}: {e.error}</li>)}</ul>
              {preview.errorsCsv && <a href={previewErrors(preview)} download="import-preview-errors.csv">Download the rows that would be rejected (CSV)</a>}
            </>
          )}
          <ImportDetails report={preview} preview />
        </div>
      )}
      {job && running && <JobProgress job={job} onCancel={cancel} />}
      {result && job && (
        <div role="status" data-testid="import-result">
          <h3>Imported</h3>
          <p>{summaryOf(result, false)}</p>
          <ImportDetails report={result} preview={false} />
          {job.hasErrorsFile && <a href={`/imports/${job.id}/errors.csv`} download="import-errors.csv">Download the error report (CSV)</a>}
        </div>
      )}
      {job && (job.status === 'failed' || job.status === 'cancelled') && (
        <div role="status" data-testid="import-result">
          <h3>{job.status === 'failed' ? 'The import stopped' : 'Import cancelled'}</h3>
          <p>{job.status === 'failed' ? job.error : `Cancelled after ${n(job.rowsDone)} rows: ${n(job.created)} created, ${n(job.merged)} merged, ${n(job.rejected)} rejected. Those stay imported.`}</p>
          {job.hasErrorsFile && <a href={`/imports/${job.id}/errors.csv`} download="import-errors.csv">Download the error report (CSV)</a>}
        </div>
      )}
    </Card>
  );
}
