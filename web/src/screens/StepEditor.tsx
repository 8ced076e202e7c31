import { useState } from 'react';
import { useApi } from '../hooks.ts';
import type { Issue } from '../ui.tsx';

export type Step = { type: string } & Record<string, unknown>;
export interface Definition {
  name: string;
  trigger: { type: string; event?: string; segment?: Record<string, unknown>; filter?: unknown };
  purpose?: string;
  exitOn?: string[];
  steps: Step[];
  [k: string]: unknown;
}

const simpleTypes = ['send_sms', 'send_email', 'wait', 'create_task', 'notify_staff', 'approval', 'request_review', 'stop'];
const advancedTypes = ['branch', 'route', 'update', 'webhook', 'update_job', 'record_review'];

export function emptyStep(type: string): Step {
  switch (type) {
    case 'send_sms': return { type, body: '' };
    case 'send_email': return { type, subject: '', body: '' };
    case 'wait': return { type, duration: 'PT1H' };
    case 'create_task': return { type, title: '', assignee: { rule: 'contact_owner' } };
    case 'notify_staff': return { type, to: { role: 'manager' }, channel: 'sms', body: '' };
    case 'approval': return { type, title: '', approverRole: 'manager' };
    case 'route': return { type, mode: 'on_call' };
    case 'branch': return { type, if: { field: 'contact.source', op: 'eq', value: 'referral' }, then: [] };
    case 'update': return { type, addTags: [] };
    case 'webhook': return { type, url: 'https://' };
    default: return { type };
  }
}

const segmentKinds = ['last_job_older_than', 'no_interaction_for', 'lifecycle_stage'];

/** Edits an automation document: trigger, purpose and a list of steps; complex steps as JSON. The API has the last word (Check / Save). */
export function StepEditor({ value, onChange, issues = [] }: { value: Definition; onChange: (d: Definition) => void; issues?: Issue[] }) {
  const catalog = useApi<{ data: Array<{ type: string }> }>('/events/catalog');
  const events = catalog.data?.data.map((e) => e.type) ?? ['lead.created'];
  const set = (patch: Partial<Definition>) => onChange({ ...value, ...patch });
  const setStep = (i: number, step: Step) => set({ steps: value.steps.map((s, j) => (j === i ? step : s)) });
  const move = (i: number, by: number) => {
    const steps = [...value.steps];
    const [s] = steps.splice(i, 1);
    steps.splice(i + by, 0, s);
    set({ steps });
  };
  const trig = value.trigger;
  const seg = (trig.segment ?? {}) as Record<string, unknown>;
  return (
    <div className="editor">
      <div className="filters">
        <div>
          <label htmlFor="auto-name">Name</label>
          <input id="auto-name" value={value.name} onChange={(e) => set({ name: e.target.value })} />
        </div>
        <div>
          <label htmlFor="auto-trigger">Starts when</label>
          <select id="auto-trigger" value={trig.type} onChange={(e) => set({ trigger: e.target.value === 'segment' ? { type: 'segment', segment: { kind: 'last_job_older_than', days: 335 } } : e.target.value === 'event' ? { type: 'event', event: 'lead.created' } : { type: 'manual' } })}>
            <option value="event">an event happens</option>
            <option value="segment">a contact enters a segment</option>
            <option value="manual">enrolled by hand</option>
          </select>
        </div>
        {trig.type === 'event' && (
          <div>
            <label htmlFor="auto-event">Event</label>
            <select id="auto-event" value={trig.event} onChange={(e) => set({ trigger: { ...trig, event: e.target.value } })}>
              {events.map((e) => <option key={e}>{e}</option>)}
            </select>
          </div>
        )}
        {trig.type === 'segment' && (
          <>
            <div>
              <label htmlFor="auto-segment">Segment</label>
              <select id="auto-segment" value={String(seg.kind)} onChange={(e) => set({ trigger: { type: 'segment', segment: e.target.value === 'lifecycle_stage' ? { kind: e.target.value, stage: 'dormant' } : { kind: e.target.value, days: 30 } } })}>
                {segmentKinds.map((k) => <option key={k}>{k}</option>)}
              </select>
            </div>
            {seg.kind === 'lifecycle_stage' ? (
              <div>
                <label htmlFor="auto-seg-stage">Stage</label>
                <select id="auto-seg-stage" value={String(seg.stage)} onChange={(e) => set({ trigger: { type: 'segment', segment: { ...seg, stage: e.target.value } } })}>
                  {['lead', 'customer', 'dormant', 'lost'].map((s) => <option key={s}>{s}</option>)}
                </select>
              </div>
            ) : (
              <div>
                <label htmlFor="auto-seg-days">Days</label>
                <input id="auto-seg-days" type="number" min={1} value={Number(seg.days ?? 0)} onChange={(e) => set({ trigger: { type: 'segment', segment: { ...seg, days: Number(e.target.value) } } })} />
              </div>
            )}
          </>
        )}
        <div>
          <label htmlFor="auto-purpose">Purpose</label>
          <select id="auto-purpose" value={value.purpose ?? 'transactional'} onChange={(e) => set({ purpose: e.target.value })}>
            <option value="transactional">transactional (service messages)</option>
            <option value="marketing">marketing (needs consent, caps apply)</option>
          </select>
        </div>
      </div>
      <h3>Steps</h3>
      <ol className="steps">
        {value.steps.map((s, i) => (
          <li key={i} className="step">
            <StepFields index={i} step={s} onChange={(st) => setStep(i, st)} />
            {issues
              .filter((x) => x.field === `steps.${i}` || x.field.startsWith(`steps.${i}.`))
              .map((x, n) => (
                <p key={n} className="error" data-testid={`step-${i}-issue`}>
                  {x.field === `steps.${i}` ? '' : `${x.field.slice(`steps.${i}.`.length)}: `}{x.message}
                </p>
              ))}
            <div className="actions">
              <button type="button" className="secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move step ${i + 1} up`}>↑</button>
              <button type="button" className="secondary" disabled={i === value.steps.length - 1} onClick={() => move(i, 1)} aria-label={`Move step ${i + 1} down`}>↓</button>
              <button type="button" className="secondary" onClick={() => set({ steps: value.steps.filter((_, j) => j !== i) })} aria-label={`Remove step ${i + 1}`}>Remove</button>
            </div>
          </li>
        ))}
      </ol>
      <AddStep onAdd={(type) => set({ steps: [...value.steps, emptyStep(type)] })} />
    </div>
  );
}

function AddStep({ onAdd }: { onAdd: (type: string) => void }) {
  const [type, setType] = useState('send_sms');
  return (
    <div className="actions">
      <label htmlFor="add-step-type">Add a step</label>
      <select id="add-step-type" value={type} onChange={(e) => setType(e.target.value)}>
        {[...simpleTypes, ...advancedTypes].map((t) => <option key={t}>{t}</option>)}
      </select>
      <button type="button" className="secondary" onClick={() => onAdd(type)}>Add step</button>
    </div>
  );
}

function StepFields({ index, step, onChange }: { index: number; step: Step; onChange: (s: Step) => void }) {
  const id = (f: string) => `step-${index}-${f}`;
  const text = (field: string, label: string, multiline = false) => (
    <div>
      <label htmlFor={id(field)}>{label}</label>
      {multiline ? (
        <textarea id={id(field)} rows={2} value={String(step[field] ?? '')} onChange={(e) => onChange({ ...step, [field]: e.target.value })} />
      ) : (
        <input id={id(field)} value={String(step[field] ?? '')} onChange={(e) => onChange({ ...step, [field]: e.target.value })} />
      )}
    </div>
  );
  const head = <strong>Step {index + 1}: {step.type}</strong>;
  switch (step.type) {
    case 'send_sms':
      return <div>{head}{text('body', `Step ${index + 1} text message`, true)}</div>;
    case 'send_email':
      return <div>{head}{text('subject', `Step ${index + 1} email subject`)}{text('body', `Step ${index + 1} email body`, true)}</div>;
    case 'wait':
      return <div>{head}{text('duration', `Step ${index + 1} wait for (ISO 8601, e.g. PT1H, P2D)`)}</div>;
    case 'create_task':
      return <div>{head}{text('title', `Step ${index + 1} task title`)}</div>;
    case 'notify_staff':
      return <div>{head}{text('body', `Step ${index + 1} message to staff`, true)}</div>;
    case 'approval':
      return (
        <div>
          {head}
          {text('title', `Step ${index + 1} approval title`)}
          <label htmlFor={id('amount')}>Step {index + 1} amount (cents)</label>
          <input id={id('amount')} type="number" value={step.amountCents === undefined ? '' : String(step.amountCents)} onChange={(e) => onChange({ ...step, amountCents: e.target.value === '' ? undefined : Number(e.target.value) })} />
        </div>
      );
    case 'stop':
    case 'request_review':
    case 'record_review':
      return <div>{head}</div>;
    default:
      return <JsonStep index={index} step={step} onChange={onChange} head={head} />;
  }
}

function JsonStep({ index, step, onChange, head }: { index: number; step: Step; onChange: (s: Step) => void; head: React.ReactNode }) {
  const [text, setText] = useState(JSON.stringify(step, null, 2));
  const [bad, setBad] = useState('');
  return (
    <div>
      {head}
      <label htmlFor={`step-${index}-json`}>Step {index + 1} as JSON (see the automation document format)</label>
      <textarea
        id={`step-${index}-json`}
        rows={5}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value) as Step);
            setBad('');
          } catch (err) {
            setBad((err as Error).message);
          }
        }}
      />
      {bad && <p className="error" role="alert">{bad}</p>}
    </div>
  );
}
