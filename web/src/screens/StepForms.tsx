import { useState, type ReactNode } from 'react';
import { useApi } from '../hooks.ts';
import { durationInWords, durationUnits, parseDuration, timeInWords, toIsoDuration, type DurationUnit } from '../lib/durations.ts';
import { ConditionEditor } from './ConditionEditor.tsx';

export type Step = { type: string } & Record<string, unknown>;
type Obj = Record<string, unknown>;

/** What every step form gets: the step, where its change goes, and the words and ids its inputs are labelled with. */
export interface StepFormProps {
  step: Step;
  onChange: (s: Step) => void;
  /** "Step 2" or "Step 1 › yes 1": the start of every label. */
  name: string;
  /** Unique prefix of the inputs' ids. */
  idBase: string;
}

const roles = ['owner', 'manager', 'technician', 'agent'] as const;
const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'business_day'] as const;

/** Sets or (for '' / undefined) removes one key. */
function put<T extends Obj>(o: T, key: string, v: unknown): T {
  const out: Obj = { ...o };
  if (v === undefined || v === '') delete out[key];
  else out[key] = v;
  return out as T;
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      {children}
    </div>
  );
}

function Text({ id, label, value, onChange, multiline = false, placeholder }: { id: string; label: string; value: unknown; onChange: (v: string) => void; multiline?: boolean; placeholder?: string }) {
  return (
    <Field id={id} label={label}>
      {multiline ? (
        <textarea id={id} rows={3} value={String(value ?? '')} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input id={id} value={String(value ?? '')} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}

function Choice({ id, label, value, options, onChange }: { id: string; label: string; value: string; options: ReadonlyArray<readonly [string, string]>; onChange: (v: string) => void }) {
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {!options.some(([v]) => v === value) && <option value={value}>{value}</option>}
        {options.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
    </Field>
  );
}

const unitWords: Record<DurationUnit, string> = { minutes: 'minutes', hours: 'hours', days: 'days', weeks: 'weeks', months: 'months' };

/**
 * A length of time as a number and a unit (2 hours), stored as ISO-8601 (PT2H). A stored
 * value with no single unit (PT1M30S) is shown as it is, to be retyped.
 */
export function DurationInput({ id, label, value, onChange }: { id: string; label: string; value: string | undefined; onChange: (iso: string | undefined) => void }) {
  const parsed = parseDuration(value);
  const [amount, setAmount] = useState(parsed ? String(parsed.amount) : value ? '' : '1');
  const [unit, setUnit] = useState<DurationUnit>(parsed?.unit ?? 'hours');
  const odd = Boolean(value) && !parsed && amount === '';
  const emit = (a: string, u: DurationUnit) => {
    const n = Number(a);
    onChange(a.trim() !== '' && Number.isInteger(n) && n > 0 ? toIsoDuration({ amount: n, unit: u }) : undefined);
  };
  const bad = amount.trim() !== '' && !(Number.isInteger(Number(amount)) && Number(amount) > 0);
  return (
    <div className="duration">
      <div>
        <label htmlFor={`${id}-amount`}>{label}</label>
        <input
          id={`${id}-amount`}
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          value={amount}
          aria-invalid={bad || undefined}
          onChange={(e) => {
            setAmount(e.target.value);
            emit(e.target.value, unit);
          }}
        />
      </div>
      <div>
        <label htmlFor={`${id}-unit`}>{label} unit</label>
        <select
          id={`${id}-unit`}
          value={unit}
          onChange={(e) => {
            setUnit(e.target.value as DurationUnit);
            emit(amount, e.target.value as DurationUnit);
          }}
        >
          {durationUnits.map((u) => <option key={u} value={u}>{unitWords[u]}</option>)}
        </select>
      </div>
      {bad && <p className="error">A whole number of at least 1.</p>}
      {odd && <p className="muted hint">Stored as {value}; type a number and a unit to replace it.</p>}
    </div>
  );
}

/** Signed offset from a date (24 hours before / 2 hours after), stored as -PT24H / PT2H. */
function OffsetInput({ id, label, value, onChange }: { id: string; label: string; value: string | undefined; onChange: (v: string | undefined) => void }) {
  const before = (value ?? '').startsWith('-');
  const magnitude = value ? value.replace(/^-/, '') : undefined;
  return (
    <div className="condition-inputs">
      <DurationInput id={id} label={label} value={magnitude} onChange={(iso) => onChange(iso ? `${before ? '-' : ''}${iso}` : undefined)} />
      <Choice id={`${id}-side`} label={`${label}: before or after`} value={before ? 'before' : 'after'} options={[['before', 'before'], ['after', 'after']]} onChange={(s) => magnitude && onChange(`${s === 'before' ? '-' : ''}${magnitude}`)} />
    </div>
  );
}

/** A wait in words: "2 hours, then until the next 9:00 (contact's time)". */
export function describeWait(s: Step): string {
  const parts: string[] = [];
  const at = s.at as { field?: string; offset?: string } | undefined;
  if (at?.field) parts.push(at.offset ? `until ${durationInWords(at.offset.replace(/^-/, ''))} ${at.offset.startsWith('-') ? 'before' : 'after'} ${at.field}` : `until ${at.field}`);
  if (s.duration) parts.push(durationInWords(String(s.duration)));
  const until = s.until as { time?: string; zone?: string; weekdaysOnly?: boolean } | undefined;
  if (until?.time) parts.push(`until the next ${until.weekdaysOnly ? 'weekday ' : ''}${timeInWords(until.time)} (${until.zone === 'business' ? "business's" : "contact's"} time)`);
  if (s.businessHours) parts.push('until business hours');
  if (s.bestTime) parts.push("to the contact's best hour");
  const ev = s.forEvent as { event?: string; timeout?: string } | undefined;
  if (ev?.event) parts.push(`for ${ev.event}${ev.timeout ? ` (at most ${durationInWords(ev.timeout)})` : ''}`);
  return parts.length ? `Waits ${parts.join(', then ')}.` : 'Waits for nothing yet: choose at least one below.';
}

/** Every part a wait may have, each switched on by a checkbox; the parts apply in the order shown. */
export function WaitForm({ step, onChange, name, idBase }: StepFormProps) {
  const events = useApi<{ data: Array<{ type: string }> }>('/events/catalog').data?.data.map((e) => e.type) ?? [];
  const until = step.until as { time: string; zone?: string; weekdaysOnly?: boolean } | undefined;
  const at = step.at as { field: string; offset?: string; ifPast?: string } | undefined;
  const forEvent = step.forEvent as { event: string; timeout?: string } | undefined;
  const toggle = (key: string, on: boolean, initial: unknown) => onChange(put(step, key, on ? initial : undefined));
  const box = (key: string, label: string, initial: unknown) => (
    <label className="switch" htmlFor={`${idBase}-${key}-on`}>
      <input id={`${idBase}-${key}-on`} type="checkbox" checked={step[key] !== undefined && step[key] !== false} onChange={(e) => toggle(key, e.target.checked, initial)} />
      {label}
    </label>
  );
  return (
    <div className="wait">
      <p className="muted" data-testid={`${idBase}-summary`}>{describeWait(step)}</p>
      {box('at', `${name}: from a date on the record (e.g. before the appointment)`, { field: 'job.scheduledStart', offset: '-PT24H', ifPast: 'continue' })}
      {at && (
        <div className="condition-inputs indent">
          <Text id={`${idBase}-at-field`} label={`${name} date field`} value={at.field} placeholder="job.scheduledStart" onChange={(v) => onChange({ ...step, at: { ...at, field: v } })} />
          <OffsetInput id={`${idBase}-at-offset`} label={`${name} how long`} value={at.offset} onChange={(v) => onChange({ ...step, at: put(at, 'offset', v) })} />
          <Choice id={`${idBase}-at-past`} label={`${name} if that moment has passed`} value={at.ifPast ?? 'continue'} options={[['continue', 'go on now'], ['skip_next', 'skip the next step (too late)']]} onChange={(v) => onChange({ ...step, at: { ...at, ifPast: v } })} />
        </div>
      )}
      {box('duration', `${name}: a length of time`, 'PT1H')}
      {typeof step.duration === 'string' && (
        <div className="indent">
          <DurationInput id={`${idBase}-duration`} label={`${name} wait for`} value={step.duration} onChange={(iso) => onChange({ ...step, duration: iso ?? '' })} />
        </div>
      )}
      {box('until', `${name}: until a time of day (e.g. next morning 9:00)`, { time: '09:00', zone: 'contact' })}
      {until && (
        <div className="condition-inputs indent">
          <Field id={`${idBase}-until-time`} label={`${name} until the next`}>
            <input id={`${idBase}-until-time`} type="time" value={until.time} onChange={(e) => onChange({ ...step, until: { ...until, time: e.target.value } })} />
          </Field>
          <Choice id={`${idBase}-until-zone`} label={`${name} in whose time`} value={until.zone ?? 'contact'} options={[['contact', "the contact's time zone"], ['business', "the business's time zone"]]} onChange={(v) => onChange({ ...step, until: { ...until, zone: v } })} />
          <label className="switch" htmlFor={`${idBase}-until-weekdays`}>
            <input id={`${idBase}-until-weekdays`} type="checkbox" checked={Boolean(until.weekdaysOnly)} onChange={(e) => onChange({ ...step, until: put(until, 'weekdaysOnly', e.target.checked || undefined) })} />
            weekdays only
          </label>
        </div>
      )}
      {box('businessHours', `${name}: until the business is open`, true)}
      {box('bestTime', `${name}: then to the contact's best hour to be reached`, true)}
      {box('forEvent', `${name}: until something happens (e.g. a reply)`, { event: 'message.received', timeout: 'P1D' })}
      {forEvent && (
        <div className="condition-inputs indent">
          <Choice id={`${idBase}-event`} label={`${name} event`} value={forEvent.event} options={(events.length ? events : [forEvent.event]).map((e) => [e, e] as const)} onChange={(v) => onChange({ ...step, forEvent: { ...forEvent, event: v } })} />
          <DurationInput id={`${idBase}-event-timeout`} label={`${name} give up after`} value={forEvent.timeout} onChange={(iso) => onChange({ ...step, forEvent: put(forEvent, 'timeout', iso) })} />
        </div>
      )}
    </div>
  );
}

/** A/B variants of a message: two to five, each with a short label (a, b), a body and, for email, a subject. */
function Variants({ step, onChange, name, idBase, email }: StepFormProps & { email: boolean }) {
  const variants = step.variants as Array<{ id: string; body: string; subject?: string }> | undefined;
  const on = Array.isArray(variants);
  const set = (vs: Array<{ id: string; body: string; subject?: string }>) => onChange({ ...step, variants: vs });
  return (
    <div>
      <label className="switch" htmlFor={`${idBase}-ab`}>
        <input
          id={`${idBase}-ab`}
          type="checkbox"
          checked={on}
          onChange={(e) => {
            const { body, subject, variants: _, ...rest } = step;
            if (e.target.checked) onChange({ ...rest, variants: [{ id: 'a', body: String(body ?? ''), ...(email && { subject: String(subject ?? '') }) }, { id: 'b', body: '', ...(email && { subject: '' }) }] } as Step);
            else onChange({ ...rest, body: variants?.[0]?.body ?? '', ...(email && { subject: variants?.[0]?.subject ?? '' }) } as Step);
          }}
        />
        {name}: A/B test (each contact gets one version)
      </label>
      {on && variants.map((v, i) => (
        <fieldset key={i} className="variant">
          <legend>{name} version {v.id || i + 1}</legend>
          <Text id={`${idBase}-v${i}-id`} label={`${name} version ${i + 1} label`} value={v.id} onChange={(id) => set(variants.map((x, j) => (j === i ? { ...x, id } : x)))} />
          {email && <Text id={`${idBase}-v${i}-subject`} label={`${name} version ${i + 1} subject`} value={v.subject} onChange={(subject) => set(variants.map((x, j) => (j === i ? { ...x, subject } : x)))} />}
          <Text id={`${idBase}-v${i}-body`} label={`${name} version ${i + 1} ${email ? 'body' : 'text'}`} value={v.body} multiline onChange={(body) => set(variants.map((x, j) => (j === i ? { ...x, body } : x)))} />
          {variants.length > 2 && <button type="button" className="secondary small" onClick={() => set(variants.filter((_, j) => j !== i))}>Remove version {i + 1}</button>}
        </fieldset>
      ))}
      {on && variants.length < 5 && <button type="button" className="secondary small" onClick={() => set([...variants, { id: String.fromCharCode(97 + variants.length), body: '', ...(email && { subject: '' }) }])}>Add a version</button>}
    </div>
  );
}

const purposeChoice = (p: StepFormProps) => (
  <Choice id={`${p.idBase}-purpose`} label={`${p.name} kind of message`} value={String(p.step.purpose ?? '')} options={[['', "the automation's purpose"], ['transactional', 'transactional (service message)'], ['marketing', 'marketing (needs consent)']]} onChange={(v) => p.onChange(put(p.step, 'purpose', v))} />
);

export function SmsForm(p: StepFormProps) {
  const { step, onChange, name, idBase } = p;
  return (
    <>
      {!step.variants && <Text id={`${idBase}-body`} label={`${name} text message`} value={step.body} multiline placeholder="Hi {{ contact.firstName }}, …" onChange={(v) => onChange({ ...step, body: v })} />}
      <Variants {...p} email={false} />
      {purposeChoice(p)}
    </>
  );
}

export function EmailForm(p: StepFormProps) {
  const { step, onChange, name, idBase } = p;
  return (
    <>
      {!step.variants && (
        <>
          <Text id={`${idBase}-subject`} label={`${name} email subject`} value={step.subject} onChange={(v) => onChange({ ...step, subject: v })} />
          <Text id={`${idBase}-body`} label={`${name} email body`} value={step.body} multiline onChange={(v) => onChange({ ...step, body: v })} />
        </>
      )}
      <Variants {...p} email />
      {purposeChoice(p)}
    </>
  );
}

function useTeam() {
  return useApi<{ data: Array<{ id: string; name: string; role: string }> }>('/users').data?.data ?? [];
}

const assigneeRules: ReadonlyArray<readonly [string, string]> = [['contact_owner', "the contact's owner"], ['role', 'someone with a role'], ['round_robin', 'the next in turn with a role'], ['on_call', 'whoever is on call'], ['user', 'a named person']];

export function TaskForm({ step, onChange, name, idBase }: StepFormProps) {
  const team = useTeam();
  const a = (step.assignee ?? { rule: 'contact_owner' }) as { rule: string; userId?: string; role?: string; fallbackRole?: string };
  const due = step.due as { in?: string; next?: string; at?: string } | undefined;
  const dueKind = !due ? 'none' : due.in !== undefined ? 'in' : 'next';
  const setRule = (rule: string) =>
    onChange({ ...step, assignee: rule === 'user' ? { rule, userId: team[0]?.id ?? '' } : rule === 'role' ? { rule, role: 'manager' } : rule === 'round_robin' ? { rule, role: 'agent' } : rule === 'contact_owner' ? { rule, fallbackRole: 'owner' } : { rule } });
  return (
    <>
      <Text id={`${idBase}-title`} label={`${name} task title`} value={step.title} onChange={(v) => onChange({ ...step, title: v })} />
      <Text id={`${idBase}-description`} label={`${name} task details (optional)`} value={step.description} multiline onChange={(v) => onChange(put(step, 'description', v))} />
      <div className="condition-inputs">
        <Choice id={`${idBase}-assignee`} label={`${name} assign to`} value={a.rule} options={assigneeRules} onChange={setRule} />
        {a.rule === 'user' && <Choice id={`${idBase}-user`} label={`${name} person`} value={a.userId ?? ''} options={team.map((u) => [u.id, `${u.name} (${u.role})`] as const)} onChange={(userId) => onChange({ ...step, assignee: { rule: 'user', userId } })} />}
        {(a.rule === 'role' || a.rule === 'round_robin') && <Choice id={`${idBase}-role`} label={`${name} role`} value={a.role ?? 'agent'} options={roles.map((r) => [r, r] as const)} onChange={(role) => onChange({ ...step, assignee: { rule: a.rule, role } })} />}
        {a.rule === 'contact_owner' && <Choice id={`${idBase}-fallback`} label={`${name} when the contact has no owner`} value={a.fallbackRole ?? 'owner'} options={roles.map((r) => [r, `someone with the role ${r}`] as const)} onChange={(fallbackRole) => onChange({ ...step, assignee: { rule: 'contact_owner', fallbackRole } })} />}
      </div>
      <div className="condition-inputs">
        <Choice id={`${idBase}-due`} label={`${name} due`} value={dueKind} options={[['none', 'no due date'], ['in', 'after a length of time'], ['next', 'on the next day at a time']]} onChange={(k) => onChange(put(step, 'due', k === 'in' ? { in: 'PT4H' } : k === 'next' ? { next: 'business_day', at: '09:00' } : undefined))} />
        {dueKind === 'in' && <DurationInput id={`${idBase}-due-in`} label={`${name} due in`} value={due?.in} onChange={(iso) => onChange({ ...step, due: { in: iso ?? '' } })} />}
        {dueKind === 'next' && (
          <>
            <Choice id={`${idBase}-due-day`} label={`${name} due next`} value={due?.next ?? 'business_day'} options={weekdays.map((d) => [d, d === 'business_day' ? 'business day' : d[0].toUpperCase() + d.slice(1)] as const)} onChange={(next) => onChange({ ...step, due: { ...due, next } })} />
            <Field id={`${idBase}-due-at`} label={`${name} due at`}>
              <input id={`${idBase}-due-at`} type="time" value={due?.at ?? '09:00'} onChange={(e) => onChange({ ...step, due: { ...due, at: e.target.value } })} />
            </Field>
          </>
        )}
      </div>
      <Text id={`${idBase}-kind`} label={`${name} kind (optional, e.g. cold_lead)`} value={step.kind} onChange={(v) => onChange(put(step, 'kind', v))} />
    </>
  );
}

export function NotifyForm({ step, onChange, name, idBase }: StepFormProps) {
  const team = useTeam();
  const to = (step.to ?? { role: 'manager' }) as { userId?: string; role?: string; onCall?: boolean; escalateAfterMinutes?: number; contactOwner?: boolean };
  const kind = to.userId !== undefined ? 'user' : to.onCall ? 'onCall' : to.contactOwner ? 'contactOwner' : 'role';
  return (
    <>
      <div className="condition-inputs">
        <Choice id={`${idBase}-to`} label={`${name} tell`} value={kind} options={[['role', 'everyone with a role'], ['onCall', 'whoever is on call'], ['contactOwner', "the contact's owner"], ['user', 'a named person']]} onChange={(k) => onChange({ ...step, to: k === 'user' ? { userId: team[0]?.id ?? '' } : k === 'onCall' ? { onCall: true } : k === 'contactOwner' ? { contactOwner: true } : { role: 'manager' } })} />
        {kind === 'role' && <Choice id={`${idBase}-to-role`} label={`${name} role`} value={to.role ?? 'manager'} options={roles.map((r) => [r, r] as const)} onChange={(role) => onChange({ ...step, to: { role } })} />}
        {kind === 'user' && <Choice id={`${idBase}-to-user`} label={`${name} person`} value={to.userId ?? ''} options={team.map((u) => [u.id, `${u.name} (${u.role})`] as const)} onChange={(userId) => onChange({ ...step, to: { userId } })} />}
        {kind === 'onCall' && (
          <Field id={`${idBase}-to-escalate`} label={`${name} escalate after (minutes, optional)`}>
            <input id={`${idBase}-to-escalate`} type="number" min={1} max={240} value={to.escalateAfterMinutes ?? ''} onChange={(e) => onChange({ ...step, to: put({ onCall: true, ...(to.escalateAfterMinutes !== undefined && { escalateAfterMinutes: to.escalateAfterMinutes }) }, 'escalateAfterMinutes', e.target.value === '' ? undefined : Number(e.target.value)) })} />
          </Field>
        )}
        <Choice id={`${idBase}-channel`} label={`${name} by`} value={String(step.channel ?? 'sms')} options={[['sms', 'text'], ['email', 'email']]} onChange={(channel) => onChange({ ...step, channel })} />
      </div>
      {step.channel === 'email' && <Text id={`${idBase}-subject`} label={`${name} email subject (optional)`} value={step.subject} onChange={(v) => onChange(put(step, 'subject', v))} />}
      <Text id={`${idBase}-body`} label={`${name} message to staff`} value={step.body} multiline onChange={(v) => onChange({ ...step, body: v })} />
    </>
  );
}

export function RouteForm({ step, onChange, name, idBase }: StepFormProps) {
  return (
    <>
      <div className="condition-inputs">
        <Choice id={`${idBase}-mode`} label={`${name} route to`} value={String(step.mode ?? 'on_call')} options={[['on_call', 'page whoever is on call (escalates)'], ['round_robin', 'the next person in turn (becomes the owner)']]} onChange={(mode) => onChange(mode === 'on_call' ? put({ ...step, mode }, 'role', undefined) : put({ ...step, mode }, 'escalateAfterMinutes', undefined))} />
        {step.mode === 'round_robin' && <Choice id={`${idBase}-role`} label={`${name} role`} value={String(step.role ?? 'agent')} options={roles.map((r) => [r, r] as const)} onChange={(role) => onChange({ ...step, role })} />}
        {step.mode !== 'round_robin' && (
          <Field id={`${idBase}-escalate`} label={`${name} escalate after (minutes, optional)`}>
            <input id={`${idBase}-escalate`} type="number" min={1} max={240} value={step.escalateAfterMinutes === undefined ? '' : String(step.escalateAfterMinutes)} onChange={(e) => onChange(put(step, 'escalateAfterMinutes', e.target.value === '' ? undefined : Number(e.target.value)))} />
          </Field>
        )}
      </div>
      {step.mode !== 'round_robin' && <Text id={`${idBase}-message`} label={`${name} page text (optional)`} value={step.message} multiline onChange={(v) => onChange(put(step, 'message', v))} />}
    </>
  );
}

const listText = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');
const listOf = (t: string) => t.split(',').map((s) => s.trim()).filter(Boolean);

export function UpdateForm({ step, onChange, name, idBase }: StepFormProps) {
  const set = (step.set ?? {}) as { lifecycleStage?: string; source?: string; customFields?: Record<string, string | number | boolean | null> };
  const setSet = (next: Obj) => onChange(put(step, 'set', Object.keys(next).length ? next : undefined));
  const custom = Object.entries(set.customFields ?? {});
  const setCustom = (rows: Array<[string, string | number | boolean | null]>) => setSet(put(set, 'customFields', rows.length ? Object.fromEntries(rows) : undefined));
  return (
    <>
      <div className="condition-inputs">
        <Choice id={`${idBase}-stage`} label={`${name} lifecycle stage`} value={set.lifecycleStage ?? ''} options={[['', 'leave as it is'], ['lead', 'lead'], ['customer', 'customer'], ['dormant', 'dormant'], ['lost', 'lost']]} onChange={(v) => setSet(put(set, 'lifecycleStage', v))} />
        <Text id={`${idBase}-source`} label={`${name} lead source (optional)`} value={set.source} onChange={(v) => setSet(put(set, 'source', v))} />
      </div>
      <div className="condition-inputs">
        <Text id={`${idBase}-add-tags`} label={`${name} add tags (comma-separated)`} value={listText(step.addTags)} onChange={(v) => onChange(put(step, 'addTags', listOf(v).length ? listOf(v) : undefined))} />
        <Text id={`${idBase}-remove-tags`} label={`${name} remove tags (comma-separated)`} value={listText(step.removeTags)} onChange={(v) => onChange(put(step, 'removeTags', listOf(v).length ? listOf(v) : undefined))} />
      </div>
      {custom.map(([k, v], i) => (
        <div className="condition-inputs" key={i}>
          <Text id={`${idBase}-cf${i}-key`} label={`${name} custom field ${i + 1} name`} value={k} onChange={(nk) => setCustom(custom.map((r, j) => (j === i ? [nk, r[1]] : r)))} />
          <Text id={`${idBase}-cf${i}-value`} label={`${name} custom field ${i + 1} value`} value={v ?? ''} onChange={(nv) => setCustom(custom.map((r, j) => (j === i ? [r[0], nv] : r)))} />
          <button type="button" className="secondary small" onClick={() => setCustom(custom.filter((_, j) => j !== i))}>Remove field {i + 1}</button>
        </div>
      ))}
      <button type="button" className="secondary small" onClick={() => setCustom([...custom, [`field_${custom.length + 1}`, '']])}>Set a custom field</button>
    </>
  );
}

export function WebhookForm({ step, onChange, name, idBase }: StepFormProps) {
  const payload = (step.payload ?? {}) as Record<string, unknown>;
  const rows = Object.entries(payload);
  const flat = rows.every(([, v]) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  const setRows = (r: Array<[string, unknown]>) => onChange(put(step, 'payload', r.length ? Object.fromEntries(r) : undefined));
  return (
    <>
      <Text id={`${idBase}-url`} label={`${name} address (https://…)`} value={step.url} onChange={(v) => onChange({ ...step, url: v })} />
      {flat ? (
        <>
          {rows.map(([k, v], i) => (
            <div className="condition-inputs" key={i}>
              <Text id={`${idBase}-p${i}-key`} label={`${name} data ${i + 1} name`} value={k} onChange={(nk) => setRows(rows.map((r, j) => (j === i ? [nk, r[1]] : r)))} />
              <Text id={`${idBase}-p${i}-value`} label={`${name} data ${i + 1} value`} value={v} onChange={(nv) => setRows(rows.map((r, j) => (j === i ? [r[0], nv] : r)))} />
              <button type="button" className="secondary small" onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove data {i + 1}</button>
            </div>
          ))}
          <button type="button" className="secondary small" onClick={() => setRows([...rows, [`key_${rows.length + 1}`, '']])}>Add data to send</button>
        </>
      ) : (
        <p className="muted">Extra data: <code>{JSON.stringify(payload)}</code> (nested; kept as it is)</p>
      )}
    </>
  );
}

export function ApprovalForm({ step, onChange, name, idBase }: StepFormProps) {
  const amount = step.amountCents;
  const fromField = typeof amount === 'string';
  return (
    <>
      <Text id={`${idBase}-title`} label={`${name} approval title`} value={step.title} onChange={(v) => onChange({ ...step, title: v })} />
      <div className="condition-inputs">
        <Choice id={`${idBase}-amount-kind`} label={`${name} amount`} value={amount === undefined ? 'none' : fromField ? 'field' : 'fixed'} options={[['none', 'no amount'], ['fixed', 'a fixed amount'], ['field', 'from the record (e.g. deal.amountCents)']]} onChange={(k) => onChange(put(step, 'amountCents', k === 'fixed' ? 0 : k === 'field' ? 'deal.amountCents' : undefined))} />
        {amount !== undefined && !fromField && (
          <Field id={`${idBase}-amount`} label={`${name} amount ($)`}>
            <input id={`${idBase}-amount`} type="number" min={0} step="0.01" value={Number(amount) / 100} onChange={(e) => onChange({ ...step, amountCents: Math.round(Number(e.target.value) * 100) })} />
          </Field>
        )}
        {fromField && <Text id={`${idBase}-amount-field`} label={`${name} amount field (in cents)`} value={amount} onChange={(v) => onChange({ ...step, amountCents: v })} />}
        <Choice id={`${idBase}-approver`} label={`${name} who approves`} value={String(step.approverRole ?? 'manager')} options={[['manager', 'a manager'], ['owner', 'the owner']]} onChange={(approverRole) => onChange({ ...step, approverRole })} />
      </div>
      <label className="switch" htmlFor={`${idBase}-auto`}>
        <input id={`${idBase}-auto`} type="checkbox" checked={step.autoApproveIf !== undefined} onChange={(e) => onChange(put(step, 'autoApproveIf', e.target.checked ? { field: 'vars.amountCents', op: 'lt', value: 50000 } : undefined))} />
        {name}: approve by itself when a condition holds
      </label>
      {step.autoApproveIf !== undefined && <ConditionEditor idBase={`${idBase}-auto`} label={`${name} auto-approve`} cond={step.autoApproveIf} onChange={(c) => onChange({ ...step, autoApproveIf: c })} />}
    </>
  );
}

export function StopForm({ step, onChange, name, idBase }: StepFormProps) {
  return <Text id={`${idBase}-reason`} label={`${name} reason (optional)`} value={step.reason} onChange={(v) => onChange(put(step, 'reason', v))} />;
}

export function UpdateJobForm({ step, onChange, name, idBase }: StepFormProps) {
  const value = step.status ? String(step.status) : step.confirm === false ? 'unconfirm' : 'confirm';
  return <Choice id={`${idBase}-job`} label={`${name} the job`} value={value} options={[['confirm', 'mark confirmed'], ['unconfirm', 'mark not confirmed'], ['no_show', 'mark a no-show'], ['cancelled', 'cancel it']]} onChange={(v) => onChange(v === 'confirm' || v === 'unconfirm' ? { type: step.type, ...(step.id !== undefined && { id: step.id }), confirm: v === 'confirm' } : { type: step.type, ...(step.id !== undefined && { id: step.id }), status: v })} />;
}

export function ReviewForm({ step, onChange, name, idBase }: StepFormProps) {
  return <Choice id={`${idBase}-platform`} label={`${name} review site`} value={String(step.platform ?? '')} options={[['', 'Google (the default)'], ['facebook', 'Facebook'], ['yelp', 'Yelp'], ['nextdoor', 'Nextdoor'], ['angi', 'Angi'], ['internal', 'our own form'], ['other', 'other']]} onChange={(v) => onChange(put(step, 'platform', v))} />;
}
