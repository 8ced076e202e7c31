import { useState, type ChangeEvent } from 'react';
import { Link } from 'react-router';
import { post } from '../api.ts';
import { Card, ErrorNote } from '../ui.tsx';

interface ImportReport {
  rows: number; created: number; merged: number; rejected: number; mapping: Record<string, string>; unmappedColumns: string[]; dryRun: boolean;
  errorsSample: Array<{ row: number; error: string }>; errorsCsv: string | null; fields: string[];
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

export function ImportPanel() {
  const [csv, setCsv] = useState('');
  const [fileName, setFileName] = useState('');
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [preview, setPreview] = useState<ImportReport | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);
  const [stage, setStage] = useState<'idle' | 'previewing' | 'importing'>('idle');
  const [error, setError] = useState<unknown>(null);
  const [updateExisting, setUpdateExisting] = useState(false);
  const headers = csv ? csv.split(/\r?\n/, 1)[0].split(',').map((h) => h.trim().replace(/^"|"$/g, '')) : [];

  const onFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    if (!f) return;
    setFileName(f.name);
    setCsv(await f.text());
    setPreview(null);
    setResult(null);
    setMapping({});
  };
  const send = async (dryRun: boolean) => {
    setError(null);
    setStage(dryRun ? 'previewing' : 'importing');
    try {
      const explicit = Object.fromEntries(Object.entries(mapping).filter(([, v]) => v !== ''));
      const report = await post<ImportReport>('/imports/contacts', { csv, dryRun, updateExisting, mapping: Object.keys(explicit).length ? explicit : undefined });
      if (dryRun) setPreview(report);
      else setResult(report);
    } catch (err) {
      setError(err);
    } finally {
      setStage('idle');
    }
  };
  const effective = (h: string) => mapping[h] ?? preview?.mapping[h] ?? 'ignore';
  const downloadErrors = (report: ImportReport) => URL.createObjectURL(new Blob([report.errorsCsv ?? ''], { type: 'text/csv' }));

  return (
    <Card title="Import contacts from CSV">
      <label htmlFor="import-file">CSV file (first row: column names)</label>
      <input id="import-file" type="file" accept=".csv,text/csv" onChange={onFile} />
      {csv && (
        <p className="muted">{fileName}: {csv.split(/\r?\n/).filter(Boolean).length - 1} data rows, columns {headers.join(', ')}</p>
      )}
      <label>
        <input type="checkbox" checked={updateExisting} onChange={(e) => setUpdateExisting(e.target.checked)} /> Replace values existing contacts already have (otherwise only empty ones are filled)
      </label>
      <div className="actions">
        <button disabled={!csv || stage !== 'idle'} onClick={() => send(true)}>Preview</button>
        <button disabled={!preview || stage !== 'idle'} onClick={() => send(false)}>Import</button>
      </div>
      {stage !== 'idle' && <progress aria-label={stage === 'previewing' ? 'Checking the file' : 'Importing'} />}
      <ErrorNote error={error} />
      {preview && (
        <div data-testid="import-preview">
          <h3>Preview (nothing written yet)</h3>
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
          {Object.keys(mapping).length > 0 && <button className="secondary" onClick={() => send(true)}>Preview again with this mapping</button>}
          {preview.errorsSample.length > 0 && (
            <>
              <h4>Rows that would be rejected</h4>
              <ul>{preview.errorsSample.map((e) => <li key={e.row}>Line {e.row}: {e.error}</li>)}</ul>
            </>
          )}
          <ImportDetails report={preview} preview />
        </div>
      )}
      {result && (
        <div role="status" data-testid="import-result">
          <h3>Imported</h3>
          <p>{summaryOf(result, false)}</p>
          <ImportDetails report={result} preview={false} />
          {result.errorsCsv && <a href={downloadErrors(result)} download="import-errors.csv">Download the error report (CSV)</a>}
        </div>
      )}
    </Card>
  );
}
