import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { post, put, type Page } from '../api.ts';
import { useApi } from '../hooks.ts';
import { Card, ErrorNote, issuesOf, Load } from '../ui.tsx';
import { cleanDefinition, emptyStep, StepEditor, type Definition } from './StepEditor.tsx';
import { SimulationView } from './Simulation.tsx';

interface Automation {
  id: string; name: string; status: string; version: number; playbook: string | null; definition: Definition;
  enrollmentCounts?: Record<string, number>; enrollments?: Record<string, number>;
}
interface Playbook { name: string; title: string; description: string; installed: boolean; automationId: string | null; enabled: boolean }

const counts = (a: Automation) => a.enrollmentCounts ?? a.enrollments ?? null;

export function Automations() {
  const list = useApi<Page<Automation>>('/automations?limit=100');
  const playbooks = useApi<{ data: Playbook[] }>('/playbooks');
  const [editing, setEditing] = useState<Automation | 'new' | null>(null);
  const [simulating, setSimulating] = useState<Automation | null>(null);
  const [error, setError] = useState<unknown>(null);

  const toggle = async (a: Automation) => {
    setError(null);
    try {
      await post(`/automations/${a.id}/${a.status === 'enabled' ? 'disable' : 'enable'}`);
      list.reload();
      playbooks.reload();
    } catch (err) {
      setError(err);
    }
  };
  const install = async (p: Playbook) => {
    setError(null);
    try {
      await post(`/playbooks/${p.name}/install`, { enable: true });
      playbooks.reload();
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <h1>Automations</h1>
      <ErrorNote error={error} />
      <Card title="Playbooks">
        <Load state={playbooks} what="Playbooks">
          {(p) => (
            <ul className="list">
              {p.data.map((pb) => (
                <li key={pb.name} className="item">
                  <div className="grow"><strong>{pb.title}</strong><div className="muted">{pb.description}</div></div>
                  {pb.installed ? <span className="tag ok">{pb.enabled ? 'installed, on' : 'installed, off'}</span> : <button onClick={() => install(pb)}>Install and turn on</button>}
                </li>
              ))}
            </ul>
          )}
        </Load>
      </Card>
      <Card title="Automations" actions={<button onClick={() => { setEditing('new'); setSimulating(null); }}>New automation</button>}>
        <Load state={list} what="Automations">
          {(page) =>
            page.data.length === 0 ? <p className="muted">No automations yet.</p> : (
              <div className="table-wrap">
                <table data-testid="automations-table">
                  <thead><tr><th>Name</th><th>Trigger</th><th>Enrolments</th><th>On</th><th>Actions</th></tr></thead>
                  <tbody>
                    {page.data.map((a) => (
                      <tr key={a.id}>
                        <td>{a.name}{a.playbook && <span className="tag">playbook</span>} <span className="muted">v{a.version}</span></td>
                        <td>{a.definition.trigger.type === 'event' ? a.definition.trigger.event : a.definition.trigger.type === 'segment' ? `segment: ${String(a.definition.trigger.segment?.kind)}` : a.definition.trigger.type}</td>
                        <td>{counts(a) ? Object.entries(counts(a)!).map(([k, v]) => `${v} ${k}`).join(', ') || '0' : '–'}</td>
                        <td>
                          <label className="switch">
                            <input type="checkbox" checked={a.status === 'enabled'} onChange={() => toggle(a)} aria-label={`${a.name} on`} />
                            {a.status === 'enabled' ? 'On' : 'Off'}
                          </label>
                        </td>
                        <td className="actions">
                          <button className="secondary" onClick={() => { setEditing(a); setSimulating(null); }}>Edit</button>
                          <button className="secondary" onClick={() => { setSimulating(a); setEditing(null); }} aria-label={`Simulate ${a.name}`}>Simulate</button>
                          <Link to={`/campaigns?automationId=${a.id}`}>Funnel</Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Load>
      </Card>
      {editing && (
        <Editor
          key={editing === 'new' ? 'new' : editing.id}
          automation={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(a) => { list.reload(); setEditing(null); setSimulating(a); }}
        />
      )}
      {simulating && <SimulationView automation={simulating} onClose={() => setSimulating(null)} />}
    </>
  );
}

const blank: Definition = { name: '', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [emptyStep('send_sms')] };

function Editor({ automation, onClose, onSaved }: { automation: Automation | null; onClose: () => void; onSaved: (a: Automation) => void }) {
  const [def, setDef] = useState<Definition>(automation?.definition ?? blank);
  const [error, setError] = useState<unknown>(null);
  const [valid, setValid] = useState('');
  const [busy, setBusy] = useState(false);
  const top = useRef<HTMLDivElement>(null);
  // Opening the editor takes the reader (and the keyboard focus) to it.
  useEffect(() => {
    top.current?.scrollIntoView({ block: 'start' });
    top.current?.querySelector('input')?.focus();
  }, []);
  const clean = cleanDefinition;
  const validate = async () => {
    setError(null);
    setValid('');
    try {
      await post('/automations/validate', clean(def));
      setValid('The automation is valid.');
    } catch (err) {
      setError(err);
    }
  };
  const save = async () => {
    setError(null);
    setBusy(true);
    try {
      const saved = automation ? await put<Automation>(`/automations/${automation.id}`, { definition: clean(def) }) : await post<Automation>('/automations', { definition: clean(def) });
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={automation ? `Edit ${automation.name}` : 'New automation'} id="automation-editor">
      <div ref={top}>
        <StepEditor value={def} onChange={setDef} issues={issuesOf(error)} />
      </div>
      <ErrorNote error={error} />
      {valid && <p role="status" className="ok">{valid}</p>}
      <div className="actions">
        <button className="secondary" onClick={validate}>Check</button>
        <button onClick={save} disabled={busy}>{automation ? 'Save new version' : 'Create automation'}</button>
        <button className="secondary" onClick={onClose}>Cancel</button>
      </div>
    </Card>
  );
}
