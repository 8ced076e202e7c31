/** Reading messy cell values: blanks, "N/A", "$1,200", "12%", "Yes"/"No", dates. Pure functions. */
export type RawValue = string | number | boolean | null | undefined;

const missingWords = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', 'nil', '?', '-', '--', 'missing', 'undefined', '#n/a']);
const trueWords = new Set(['yes', 'y', 'true', 't']);
const falseWords = new Set(['no', 'n', 'false', 'f']);

export function isMissing(v: RawValue): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v);
  if (typeof v === 'boolean') return false;
  return missingWords.has(v.trim().toLowerCase());
}

/** A number from a cell: "1,200", "$1,200.50", "12%", "(300)" (accounting negative), " 42 ". NaN when not a number. */
export function parseNumber(v: RawValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return NaN;
  let s = v.trim();
  if (s === '') return NaN;
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  s = s.replace(/^[$€£¥]\s*/, '').replace(/\s*(%|usd|eur|gbp)$/i, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  if (!/^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return NaN;
  const n = Number(s);
  return negative ? -n : n;
}

/** true/false from yes/no/true/false/y/n/t/f (any case); null when the word is not one of those. */
export function parseBoolean(v: RawValue): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (trueWords.has(s)) return true;
  if (falseWords.has(s)) return false;
  return null;
}

const isoDate = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const usDate = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** Milliseconds since the epoch for ISO dates (2026-03-02, 2026-03-02T10:00:00Z) and US dates (3/2/2026); NaN otherwise. */
export function parseDate(v: RawValue): number {
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  if (isoDate.test(s)) return Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s.replace(' ', 'T'));
  const m = usDate.exec(s);
  if (m) return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]));
  return NaN;
}

/** The label of a row as 1/0, given the positive value; null when the label is blank. */
export function labelValue(v: RawValue, positive: string | null): 0 | 1 | null {
  if (isMissing(v)) return null;
  if (positive !== null) return String(v).trim().toLowerCase() === positive.toLowerCase() ? 1 : 0;
  const b = parseBoolean(v);
  if (b !== null) return b ? 1 : 0;
  const n = parseNumber(v);
  return n === 1 ? 1 : 0;
}

/** The distinct non-blank values of a label column, and whether they read as yes/no (yes/no, true/false, 1/0). */
export function labelClasses(values: RawValue[]): { classes: string[]; yesNo: boolean } {
  const classes = [...new Set(values.filter((v) => !isMissing(v)).map((v) => String(v).trim()))];
  const yesNo = classes.every((c) => parseBoolean(c) !== null || c === '1' || c === '0');
  return { classes, yesNo };
}
