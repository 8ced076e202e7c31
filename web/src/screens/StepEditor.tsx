import { useId, useState } from 'react';
import { useApi } from '../hooks.ts';
import type { Issue } from '../ui.tsx';
import { ConditionEditor, FieldSuggestions } from './ConditionEditor.tsx';
import { ApprovalForm, EmailForm, NotifyForm, ReviewForm, RouteForm, SmsForm, StopForm, TaskForm, UpdateForm, UpdateJobForm, WaitForm, WebhookForm, type Step, type StepFormProps } from './StepForms.tsx';

export type { Step } from './StepForms.tsx';
export interface Definition {
  name: string;
  trigger: { type: string; event?: string; segment?: Record<string, unknown>; filter?: unknown };
  purpose?: string;
  exitOn?: string[];
  steps: Step[];
  [k: string]: unknown;
}

/** Every step type of the automation document format (src/engine/definition.ts), in words. */
export const stepTypes: ReadonlyArray<readonly [string, string]> = [
  ['send_sms', 'Send a text'],
  ['send_email', 'Send an email'],
  ['wait', 'Wait'],
  ['branch', 'If / otherwise'],
  ['create_task', 'Create a task'],
  ['notify_staff', 'Tell the team'],
  ['route', 'Route (on call or in turn)'],
  ['approval', 'Ask for approval'],
  ['update', 'Update the contact'],
  ['update_job', 'Update the job'],
  ['request_review', 'Ask for a review'],
  ['record_review', 'Record the review from the reply'],
  ['webhook', 'Call a webhook'],
  ['stop', 'Stop'],
];
const typeLabel = (t: string) => stepTypes.find(([k]) => k === t)?.[1] ?? t;

export function emptyStep(type: string): Step {
  switch (type) {
    case 'send_sms': return { type, body: '' };
    case 'send_email': return { type, subject: '', body: '' };
    case 'wait': return { type, duration: 'PT1H' };
    case 'create_task': return { type, title: '', assignee: { rule: 'contact_owner', fallbackRole: 'owner' } };
    case 'notify_staff': return { type, to: { role: 'manager' }, channel: 'sms', body: '' };
    case 'approval': return { type, title: '', approverRole: 'manager' };
    case 'route': return { type, mode: 'on_call' };
    case 'branch': return { type, if: { field: 'contact.source', op: 'eq', value: 'referral' }, then: [] };
    case 'update': return { type, addTags: [] };
    case 'update_job': return { type, confirm: true };
    case 'webhook': return { type, url: 'https://' };
    default: return { type };
  }
}

/** Drops empty optional fields, in nested branches too, so the API validates what the person actually filled in. */
export function cleanStep(step: Step): Step {
  const out: Step = { type: step.type };
  for (const [k, v] of Object.entries(step)) {
    if (v === '' || v === undefined) continue;
    if ((k === 'then' || k === 'else') && Array.isArray(v)) out[k] = (v as Step[]).map(cleanStep);
    else out[k] = v;
  }
  return out;
}
export const cleanDefinition = (d: Definition): Definition => ({ ...d, steps: d.steps.map(cleanStep) });

const segmentKinds: ReadonlyArray<readonly [string, string]> = [['last_job_older_than', 'last job longer ago than'], ['no_interaction_for', 'no contact for'], ['lifecycle_stage', 'in a lifecycle stage']];

/** Edits an automation document: trigger, purpose and its steps, every step type with its own inputs. The API has the last word (Check / Save). */
export function StepEditor({ value, onChange, issues = [] }: { value: Definition; onChange: (d: Definition) => void; issues?: Issue[] }) {
  const catalog = useApi<{ data: Array<{ type: string }> }>('/events/catalog');
  const events = catalog.data?.data.map((e) => e.type) ?? ['lead.created'];
  const set = (patch: Partial<Definition>) => onChange({ ...value, ...patch });
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
              <select id="auto-segment" value={String(seg.kind)} onChange={(e) => set({ trigger: { ...trig, type: 'segment', segment: e.target.value === 'lifecycle_stage' ? { kind: e.target.value, stage: 'dormant' } : { kind: e.target.value, days: 30 } } })}>
                {segmentKinds.map(([k, l]) => <option key={k} value={k}>{l}</option>)}
              </select>
            </div>
            {seg.kind === 'lifecycle_stage' ? (
              <div>
                <label htmlFor="auto-seg-stage">Stage</label>
                <select id="auto-seg-stage" value={String(seg.stage)} onChange={(e) => set({ trigger: { ...trig, segment: { ...seg, stage: e.target.value } } })}>
                  {['lead', 'customer', 'dormant', 'lost'].map((s) => <option key={s}>{s}</option>)}
                </select>
              </div>
            ) : (
              <div>
                <label htmlFor="auto-seg-days">Days</label>
                <input id="auto-seg-days" type="number" min={1} value={Number(seg.days ?? 0)} onChange={(e) => set({ trigger: { ...trig, segment: { ...seg, days: Number(e.target.value) } } })} />
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
      {trig.type !== 'manual' && <TriggerFilter trigger={trig} onChange={(trigger) => set({ trigger })} />}
      <FieldSuggestions />
      <h3>Steps</h3>
      <StepList steps={value.steps} onChange={(steps) => set({ steps })} path="steps" name="Step" idBase="step" issues={issues} />
    </div>
  );
}

/**
 * A list of steps: the automation's own, or a branch's "if yes" / "otherwise" list, edited the same
 * way. `name` starts each step's labels ("Step" → "Step 2"; "Step 1 › yes" → "Step 1 › yes 2"),
 * `path` is where the API reports its problems (steps.0.then.1.body).
 */
function StepList({ steps, onChange, path, name, idBase, issues, addLabel = 'Add a step' }: { steps: Step[]; onChange: (s: Step[]) => void; path: string; name: string; idBase: string; issues: Issue[]; addLabel?: string }) {
  const setStep = (i: number, step: Step) => onChange(steps.map((s, j) => (j === i ? step : s)));
  const move = (i: number, by: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    next.splice(i + by, 0, s);
    onChange(next);
  };
  return (
    <>
      <ol className="steps">
        {steps.map((s, i) => {
          const n = `${name} ${i + 1}`;
          const at = `${path}.${i}`;
          // Problems of this step itself; those of a nested step are shown on that step.
          const own = issues.filter((x) => (x.field === at || x.field.startsWith(`${at}.`)) && !/^\.(then|else)\.\d+/.test(x.field.slice(at.length)));
          return (
            <li key={i} className="step" data-testid={`${idBase}-${i}`}>
              <strong>{n}: {typeLabel(s.type)}</strong>
              <StepFields step={s} onChange={(st) => setStep(i, st)} name={n} idBase={`${idBase}-${i}`} path={at} issues={issues} />
              {own.map((x, k) => (
                <p key={k} className="error" data-testid={`${idBase}-${i}-issue`}>
                  {x.field === at ? '' : `${x.field.slice(at.length + 1)}: `}{x.message}
                </p>
              ))}
              <div className="actions">
                <button type="button" className="secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move ${n.toLowerCase()} up`}>↑</button>
                <button type="button" className="secondary" disabled={i === steps.length - 1} onClick={() => move(i, 1)} aria-label={`Move ${n.toLowerCase()} down`}>↓</button>
                <button type="button" className="secondary" onClick={() => onChange(steps.filter((_, j) => j !== i))} aria-label={`Remove ${n.toLowerCase()}`}>Remove</button>
              </div>
            </li>
          );
        })}
      </ol>
      <AddStep id={`${idBase}-add`} label={addLabel} onAdd={(type) => onChange([...steps, emptyStep(type)])} />
    </>
  );
}

function AddStep({ id, label, onAdd }: { id: string; label: string; onAdd: (type: string) => void }) {
  const [type, setType] = useState('send_sms');
  return (
    <div className="actions">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={type} onChange={(e) => setType(e.target.value)}>
        {stepTypes.map(([t, l]) => <option key={t} value={t}>{l}</option>)}
      </select>
      <button type="button" className="secondary" onClick={() => onAdd(type)} aria-label={label === 'Add a step' ? 'Add step' : `${label}: add`}>Add step</button>
    </div>
  );
}

function StepFields(p: StepFormProps & { path: string; issues: Issue[] }) {
  switch (p.step.type) {
    case 'send_sms': return <SmsForm {...p} />;
    case 'send_email': return <EmailForm {...p} />;
    case 'wait': return <WaitForm {...p} />;
    case 'create_task': return <TaskForm {...p} />;
    case 'notify_staff': return <NotifyForm {...p} />;
    case 'route': return <RouteForm {...p} />;
    case 'approval': return <ApprovalForm {...p} />;
    case 'update': return <UpdateForm {...p} />;
    case 'update_job': return <UpdateJobForm {...p} />;
    case 'request_review': return <ReviewForm {...p} />;
    case 'webhook': return <WebhookForm {...p} />;
    case 'stop': return <StopForm {...p} />;
    case 'branch': return <BranchStep {...p} />;
    case 'record_review': return <p className="muted">Reads the rating from the contact's reply and records the review.</p>;
    default: return <p className="error">Unknown step type {p.step.type}.</p>;
  }
}

/** A branch: its condition, and the steps for each outcome as nested step lists. */
function BranchStep({ step, onChange, name, idBase, path, issues }: StepFormProps & { path: string; issues: Issue[] }) {
  const thenSteps = (step.then as Step[] | undefined) ?? [];
  const elseSteps = (step.else as Step[] | undefined) ?? [];
  return (
    <div className="branch">
      <ConditionEditor idBase={`${idBase}-if`} label={`${name} condition`} cond={step.if} onChange={(c) => onChange({ ...step, if: c })} />
      <div className="branch-arm" role="group" aria-label={`${name}: if the condition holds`}>
        <h4>If it holds</h4>
        <StepList steps={thenSteps} onChange={(then) => onChange({ ...step, then })} path={`${path}.then`} name={`${name} › yes`} idBase={`${idBase}-then`} issues={issues} addLabel={`${name}: add a step if it holds`} />
      </div>
      <div className="branch-arm" role="group" aria-label={`${name}: otherwise`}>
        <h4>Otherwise</h4>
        <StepList
          steps={elseSteps}
          onChange={(next) => {
            const { else: _, ...without } = step;
            onChange(next.length > 0 ? { ...without, else: next } : (without as Step));
          }}
          path={`${path}.else`}
          name={`${name} › no`}
          idBase={`${idBase}-else`}
          issues={issues}
          addLabel={`${name}: add a step otherwise`}
        />
      </div>
    </div>
  );
}

/** "Only contacts where…": the trigger's optional filter. */
function TriggerFilter({ trigger, onChange }: { trigger: Definition['trigger']; onChange: (t: Definition['trigger']) => void }) {
  const { filter, ...rest } = trigger;
  const id = useId();
  return (
    <div className="trigger-filter">
      <label className="switch" htmlFor={id}>
        <input id={id} type="checkbox" checked={filter !== undefined} onChange={(e) => onChange(e.target.checked ? { ...rest, filter: { field: 'contact.source', op: 'eq' } } : rest)} />
        Only contacts where a condition holds
      </label>
      {filter !== undefined && <ConditionEditor idBase="trigger-filter" label="Trigger filter" cond={filter} onChange={(c) => onChange({ ...rest, filter: c })} />}
    </div>
  );
}
