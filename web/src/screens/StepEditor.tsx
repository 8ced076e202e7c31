import { useId, useState } from 'react';
import { useApi } from '../hooks.ts';
import { conditionFields, conditionOps, fieldInfo, formatConditionValue, parseConditionValue, takesValue } from '../lib/condition-fields.ts';
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
      {trig.type !== 'manual' && <TriggerFilter trigger={trig} onChange={(trigger) => set({ trigger })} />}
      <FieldSuggestions />
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
    case 'branch':
      return <BranchStep index={index} step={step} onChange={onChange} head={head} />;
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

/** A single comparison: the shape the field / comparison / value inputs edit. */
type Comparison = { field: string; op: string; value?: unknown };
const isComparison = (c: unknown): c is Comparison =>
  typeof c === 'object' && c !== null && typeof (c as Comparison).field === 'string' && typeof (c as Comparison).op === 'string' && Object.keys(c).every((k) => k === 'field' || k === 'op' || k === 'value');

const FIELD_LIST_ID = 'condition-field-suggestions';

/** The known condition fields (contact fields and AI scores), offered by every condition field input. */
function FieldSuggestions() {
  return (
    <datalist id={FIELD_LIST_ID}>
      {conditionFields.map((f) => <option key={f.field} value={f.field} label={f.label} />)}
    </datalist>
  );
}

const placeholders: Record<string, string> = { probability: 'e.g. 0.6', strength: 'e.g. 50', boolean: 'true or false', list: 'e.g. vip', text: 'e.g. referral' };

/** Field (typed, or picked from the known fields), comparison and value of one condition. */
function ConditionInputs({ idBase, label, cond, onChange }: { idBase: string; label: string; cond: Comparison; onChange: (c: Comparison) => void }) {
  const [valueText, setValueText] = useState(formatConditionValue(cond.value));
  const info = fieldInfo(cond.field);
  const hintId = `${idBase}-hint`;
  const emit = (field: string, op: string, text: string) => {
    const next: Comparison = { field, op };
    if (takesValue(op) && text.trim() !== '') next.value = parseConditionValue(text, op, field);
    onChange(next);
  };
  const setField = (field: string) => {
    const before = fieldInfo(cond.field)?.kind ?? 'text';
    const picked = fieldInfo(field);
    // A field of another kind (a score after a text field): start from its usual comparison and an empty value.
    if (picked && picked.kind !== before) {
      setValueText('');
      emit(field, picked.op ?? 'eq', '');
    } else {
      emit(field, cond.op, valueText);
    }
  };
  const n = typeof cond.value === 'number' ? cond.value : null;
  const range = n === null ? null : info?.kind === 'probability' && (n < 0 || n > 1) ? 'Scores run from 0 to 1 (60% is 0.6).' : info?.kind === 'strength' && (n < 0 || n > 100) ? 'Relationship strength runs from 0 to 100.' : null;
  return (
    <div className="condition" role="group" aria-label={label}>
      <div className="condition-inputs">
        <div>
          <label htmlFor={`${idBase}-field`}>{label} field</label>
          <input
            id={`${idBase}-field`}
            list={FIELD_LIST_ID}
            value={cond.field}
            onChange={(e) => setField(e.target.value)}
            aria-describedby={hintId}
            autoComplete="off"
            spellCheck={false}
            placeholder="contact.source"
            size={30}
          />
        </div>
        <div>
          <label htmlFor={`${idBase}-op`}>{label} comparison</label>
          <select id={`${idBase}-op`} value={cond.op} onChange={(e) => emit(cond.field, e.target.value, valueText)}>
            {!conditionOps.some((o) => o.op === cond.op) && <option value={cond.op}>{cond.op}</option>}
            {conditionOps.map((o) => <option key={o.op} value={o.op}>{o.label}</option>)}
          </select>
        </div>
        {takesValue(cond.op) && (
          <div>
            <label htmlFor={`${idBase}-value`}>{label} value</label>
            <input
              id={`${idBase}-value`}
              value={valueText}
              inputMode={info?.kind === 'probability' || info?.kind === 'strength' ? 'decimal' : undefined}
              placeholder={placeholders[info?.kind ?? 'text']}
              aria-describedby={hintId}
              onChange={(e) => {
                setValueText(e.target.value);
                emit(cond.field, cond.op, e.target.value);
              }}
            />
          </div>
        )}
      </div>
      <p id={hintId} className="muted hint" data-testid={`${idBase}-hint`}>
        {info ? <><strong>{info.label}</strong>{info.hint ? `. ${info.hint}` : ''}</> : 'Pick a field from the list, or type a path under contact., event., job., deal., vars. or business.'}
      </p>
      {range && <p className="error" data-testid={`${idBase}-range`}>{range}</p>}
    </div>
  );
}

/** "Only contacts where…": the trigger's optional filter, a single comparison (a compound filter is kept as it is). */
function TriggerFilter({ trigger, onChange }: { trigger: Definition['trigger']; onChange: (t: Definition['trigger']) => void }) {
  const { filter, ...rest } = trigger;
  const id = useId();
  return (
    <div className="trigger-filter">
      <label className="switch" htmlFor={id}>
        <input id={id} type="checkbox" checked={filter !== undefined} onChange={(e) => onChange(e.target.checked ? { ...rest, filter: { field: 'contact.source', op: 'eq' } } : rest)} />
        Only contacts where a condition holds
      </label>
      {filter !== undefined && (isComparison(filter) ? (
        <ConditionInputs idBase="trigger-filter" label="Trigger filter" cond={filter} onChange={(c) => onChange({ ...rest, filter: c })} />
      ) : (
        <p className="muted">Filter: <code>{JSON.stringify(filter)}</code> (a combined condition, kept as it is)</p>
      ))}
    </div>
  );
}

/** A branch on one comparison, its two step lists as JSON; a combined condition (all / any / not) is edited as JSON. */
function BranchStep({ index, step, onChange, head }: { index: number; step: Step; onChange: (s: Step) => void; head: React.ReactNode }) {
  const [asJson, setAsJson] = useState(!isComparison(step.if));
  if (asJson || !isComparison(step.if)) return <JsonStep index={index} step={step} onChange={onChange} head={head} />;
  const n = index + 1;
  return (
    <div>
      {head}{' '}
      <button type="button" className="secondary small" onClick={() => setAsJson(true)} aria-label={`Edit step ${n} as JSON`}>Edit as JSON</button>
      <ConditionInputs idBase={`step-${index}-if`} label={`Step ${n} condition`} cond={step.if} onChange={(c) => onChange({ ...step, if: c })} />
      <StepListJson id={`step-${index}-then`} label={`Step ${n}: steps when the condition holds (JSON list)`} value={step.then} onChange={(v) => onChange({ ...step, then: v ?? [] })} />
      <StepListJson
        id={`step-${index}-else`}
        label={`Step ${n}: steps otherwise (JSON list, may be empty)`}
        value={step.else}
        onChange={(v) => {
          const { else: _, ...without } = step;
          onChange(v && v.length > 0 ? { ...without, else: v } : (without as Step));
        }}
      />
    </div>
  );
}

function StepListJson({ id, label, value, onChange }: { id: string; label: string; value: unknown; onChange: (v: Step[] | undefined) => void }) {
  const [text, setText] = useState(JSON.stringify(value ?? [], null, 2));
  const [bad, setBad] = useState('');
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            onChange(undefined);
            setBad('');
            return;
          }
          try {
            const parsed = JSON.parse(e.target.value) as unknown;
            if (!Array.isArray(parsed)) throw new Error('must be a list of steps: [ { "type": "send_sms", … } ]');
            onChange(parsed as Step[]);
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
