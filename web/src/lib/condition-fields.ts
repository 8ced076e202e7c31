/**
 * Condition fields the step editor suggests, with a short label and, for the
 * AI score fields, what values they take (docs/automations.md, "Scores in
 * conditions"). Suggestions only: any field the API accepts can be typed.
 */
export type FieldValueKind = 'text' | 'list' | 'probability' | 'strength' | 'boolean';

export interface ConditionField {
  field: string;
  label: string;
  kind: FieldValueKind;
  /** Shown under the inputs when the field is picked. */
  hint?: string;
  /** The comparison to start with when the field is picked. */
  op?: string;
}

export const conditionFields: readonly ConditionField[] = [
  { field: 'contact.source', label: 'Lead source (e.g. referral, google_ads)', kind: 'text' },
  { field: 'contact.tags', label: 'Contact tags', kind: 'list', op: 'contains' },
  { field: 'contact.lifecycleStage', label: 'Lifecycle stage (lead, customer, dormant, lost)', kind: 'text' },
  { field: 'contact.preferredChannel', label: 'Channel the contact uses (sms or email)', kind: 'text' },
  { field: 'contact.phone', label: 'Phone number', kind: 'text', op: 'exists' },
  { field: 'contact.email', label: 'Email address', kind: 'text', op: 'exists' },
  {
    field: 'contact.scores.leadConversion',
    label: 'Lead conversion score (0–1)',
    kind: 'probability',
    op: 'gte',
    hint: 'Probability from 0 to 1 that the lead books a job within 14 days, e.g. at least 0.6. Blank (the else path) unless the contact is a lead or asked in the last 30 days.',
  },
  {
    field: 'contact.scores.churn',
    label: 'Churn score (0–1)',
    kind: 'probability',
    op: 'gte',
    hint: 'Probability from 0 to 1 that the customer goes 12 months without another job, e.g. at least 0.7. Blank (the else path) until the contact has a completed job.',
  },
  {
    field: 'contact.scores.dealStall',
    label: 'Deal stall score (0–1)',
    kind: 'probability',
    op: 'gte',
    hint: 'Probability from 0 to 1 that the deal does not close as won within 45 days. Blank (the else path) without an open deal.',
  },
  {
    field: 'contact.scores.prior',
    label: 'Scores still on a model prior (list)',
    kind: 'list',
    op: 'contains',
    hint: 'The names of the scores that came from a model’s prior rather than a trained model: leadConversion, churn or dealStall. Use “contains”.',
  },
  {
    field: 'contact.relationship.strength',
    label: 'Relationship strength (0–100)',
    kind: 'strength',
    op: 'gte',
    hint: 'The business’s relationship strength with the contact, from 0 to 100.',
  },
  {
    field: 'contact.relationship.cooling',
    label: 'Relationship cooling (true or false)',
    kind: 'boolean',
    op: 'eq',
    hint: 'true when the relationship has gone quiet for well over its own rhythm.',
  },
];

export const fieldInfo = (field: string): ConditionField | undefined => conditionFields.find((f) => f.field === field.trim());

/** The comparisons the API accepts (src/engine/definition.ts conditionOps), in words. */
export const conditionOps: ReadonlyArray<{ op: string; label: string }> = [
  { op: 'eq', label: 'is' },
  { op: 'neq', label: 'is not' },
  { op: 'gte', label: 'is at least' },
  { op: 'gt', label: 'is more than' },
  { op: 'lte', label: 'is at most' },
  { op: 'lt', label: 'is less than' },
  { op: 'contains', label: 'contains' },
  { op: 'not_contains', label: 'does not contain' },
  { op: 'in', label: 'is one of (comma-separated)' },
  { op: 'not_in', label: 'is none of (comma-separated)' },
  { op: 'exists', label: 'has a value' },
  { op: 'not_exists', label: 'is blank' },
];

export const takesValue = (op: string) => op !== 'exists' && op !== 'not_exists';

const scalar = (text: string, kind: FieldValueKind | undefined, numeric: boolean): unknown => {
  const t = text.trim();
  if (kind === 'boolean' && (t === 'true' || t === 'false')) return t === 'true';
  if ((numeric || kind === 'probability' || kind === 'strength') && t !== '' && !Number.isNaN(Number(t))) return Number(t);
  return t;
};

/** The condition value for what was typed: numbers for scores and comparisons, a list for in / not in, true/false for a yes/no field. */
export function parseConditionValue(text: string, op: string, field: string): unknown {
  const kind = fieldInfo(field)?.kind;
  const numeric = op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte';
  if (op === 'in' || op === 'not_in') return text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => scalar(s, kind, numeric));
  return scalar(text, kind, numeric);
}

export const formatConditionValue = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(', ') : value === undefined || value === null ? '' : String(value));
