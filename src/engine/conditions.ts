import { isScoreField, type Condition } from './definition.ts';

/** Reads a dotted path ("contact.customFields.unit") from a plain object. */
export function readPath(data: Record<string, unknown>, path: string): unknown {
  let cur: unknown = data;
  for (const part of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
const norm = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);
const eq = (a: unknown, b: unknown): boolean => norm(a) === norm(b);

/**
 * A condition field's value. Score fields (contact.scores.*, contact.relationship.*)
 * come from the scores the facts loader computed for the conditions it was told
 * about; reading one it was not told about is a wiring mistake, not a blank
 * (a blank would quietly send every contact down the same branch).
 */
export function readField(facts: Record<string, unknown>, field: string): unknown {
  if (!isScoreField(field)) return readPath(facts, field);
  const signals = facts.signals as Record<string, { value: unknown } | undefined> | undefined;
  const signal = signals?.[field];
  if (!signal) throw new Error(`${field} was not computed for this condition (the facts were loaded without it)`);
  return signal.value;
}

/**
 * Evaluates a condition against the facts of an enrolment (contact, event,
 * job, deal, vars, computed scores). Pure: same facts, same answer. String
 * comparison ignores case; `contains` on a list (tags) means membership.
 */
export function evaluate(cond: Condition, facts: Record<string, unknown>): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluate(c, facts));
  if ('any' in cond) return cond.any.some((c) => evaluate(c, facts));
  if ('not' in cond) return !evaluate(cond.not, facts);
  const actual = readField(facts, cond.field);
  const expected = cond.value;
  switch (cond.op) {
    case 'exists':
      return actual !== undefined && actual !== null && actual !== '' && !(Array.isArray(actual) && actual.length === 0);
    case 'not_exists':
      return !evaluate({ ...cond, op: 'exists' }, facts);
    case 'eq':
      return Array.isArray(actual) ? actual.some((a) => eq(a, expected)) : eq(actual, expected);
    case 'neq':
      return !evaluate({ ...cond, op: 'eq' }, facts);
    case 'in':
      return asArray(expected).some((e) => (Array.isArray(actual) ? actual.some((a) => eq(a, e)) : eq(actual, e)));
    case 'not_in':
      return !evaluate({ ...cond, op: 'in' }, facts);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((a) => eq(a, expected));
      return typeof actual === 'string' && typeof expected === 'string' && actual.toLowerCase().includes(expected.toLowerCase());
    case 'not_contains':
      return !evaluate({ ...cond, op: 'contains' }, facts);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = typeof actual === 'string' && !Number.isNaN(Number(actual)) ? Number(actual) : actual;
      const b = typeof expected === 'string' && !Number.isNaN(Number(expected)) ? Number(expected) : expected;
      if (a === undefined || a === null || b === undefined || b === null) return false;
      if (typeof a !== typeof b) return false;
      const x = a as number | string;
      const y = b as number | string;
      return cond.op === 'gt' ? x > y : cond.op === 'gte' ? x >= y : cond.op === 'lt' ? x < y : x <= y;
    }
  }
}
