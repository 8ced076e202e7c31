import { useState } from 'react';
import { conditionFields, conditionOps, fieldInfo, formatConditionValue, parseConditionValue, takesValue } from '../lib/condition-fields.ts';

/** A single comparison: the shape the field / comparison / value inputs edit. */
export type Comparison = { field: string; op: string; value?: unknown };
export const isComparison = (c: unknown): c is Comparison =>
  typeof c === 'object' && c !== null && typeof (c as Comparison).field === 'string' && typeof (c as Comparison).op === 'string' && Object.keys(c).every((k) => k === 'field' || k === 'op' || k === 'value');

export const FIELD_LIST_ID = 'condition-field-suggestions';

/** The known condition fields (contact fields and AI scores), offered by every condition field input. */
export function FieldSuggestions() {
  return (
    <datalist id={FIELD_LIST_ID}>
      {conditionFields.map((f) => <option key={f.field} value={f.field} label={f.label} />)}
    </datalist>
  );
}

const placeholders: Record<string, string> = { probability: 'e.g. 0.6', strength: 'e.g. 50', boolean: 'true or false', list: 'e.g. vip', text: 'e.g. referral' };

/** Field (typed, or picked from the known fields), comparison and value of one condition. */
export function ConditionInputs({ idBase, label, cond, onChange }: { idBase: string; label: string; cond: Comparison; onChange: (c: Comparison) => void }) {
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
          <input id={`${idBase}-field`} list={FIELD_LIST_ID} value={cond.field} onChange={(e) => setField(e.target.value)} aria-describedby={hintId} autoComplete="off" spellCheck={false} placeholder="contact.source" size={30} />
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

/**
 * A condition: one comparison as inputs, or — for a combined condition (all / any / not) —
 * its JSON, the advanced view. A single comparison can be switched to JSON to combine it.
 */
export function ConditionEditor({ idBase, label, cond, onChange }: { idBase: string; label: string; cond: unknown; onChange: (c: unknown) => void }) {
  const [asJson, setAsJson] = useState(!isComparison(cond));
  if (!asJson && isComparison(cond)) {
    return (
      <div>
        <ConditionInputs idBase={idBase} label={label} cond={cond} onChange={onChange} />
        <button type="button" className="secondary small" onClick={() => setAsJson(true)} aria-label={`${label}: combine conditions (JSON)`}>Combine conditions (JSON)</button>
      </div>
    );
  }
  return <ConditionJson idBase={idBase} label={label} cond={cond} onChange={onChange} onSimple={isComparison(cond) ? () => setAsJson(false) : undefined} />;
}

function ConditionJson({ idBase, label, cond, onChange, onSimple }: { idBase: string; label: string; cond: unknown; onChange: (c: unknown) => void; onSimple?: () => void }) {
  const [text, setText] = useState(JSON.stringify(cond, null, 2));
  const [bad, setBad] = useState('');
  return (
    <div className="condition">
      <label htmlFor={`${idBase}-json`}>{label} (combined condition as JSON: {'{ "all": [ … ] }'}, {'{ "any": [ … ] }'} or {'{ "not": … }'} around comparisons)</label>
      <textarea
        id={`${idBase}-json`}
        rows={5}
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onChange(JSON.parse(e.target.value) as unknown);
            setBad('');
          } catch (err) {
            setBad((err as Error).message);
          }
        }}
      />
      {bad && <p className="error" role="alert">{bad}</p>}
      {onSimple && <button type="button" className="secondary small" onClick={onSimple}>Back to a single comparison</button>}
    </div>
  );
}
