import { isMissing, parseBoolean, parseDate, parseNumber, type RawValue } from './values.ts';

/** A table of raw cells as read from a CSV or assembled from the CRM. */
export interface Table {
  columns: string[];
  rows: RawValue[][];
}

export type FeatureSpec =
  | { name: string; column: string; kind: 'numeric' | 'boolean' | 'month' | 'weekday' }
  | { name: string; column: string; kind: 'categorical'; categories: string[] };

export type ColumnType = 'numeric' | 'boolean' | 'categorical' | 'date' | 'ignored';
export interface ColumnReport {
  column: string;
  type: ColumnType;
  note?: string;
}

const OTHER = '(other)';
const maxCategories = 40;

/** What a column holds, judged from its non-blank values (a few stray words in a numeric column are read as blanks). */
export function inferColumnType(values: RawValue[]): { type: ColumnType; note?: string } {
  const present = values.filter((v) => !isMissing(v));
  if (present.length === 0) return { type: 'ignored', note: 'always blank' };
  if (present.every((v) => parseBoolean(v) !== null)) return { type: 'boolean' };
  const numeric = present.filter((v) => !Number.isNaN(parseNumber(v))).length;
  if (numeric >= 0.95 * present.length) return { type: 'numeric', ...(numeric < present.length && { note: `${present.length - numeric} non-numeric values read as blank` }) };
  const dates = present.filter((v) => !Number.isNaN(parseDate(v))).length;
  if (dates >= 0.95 * present.length) return { type: 'date' };
  const distinct = new Set(present.map((v) => String(v).trim())).size;
  if (distinct > 50 && distinct > 0.5 * present.length) return { type: 'ignored', note: 'mostly unique text (an id or free text)' };
  if (distinct < 2) return { type: 'ignored', note: 'the same value in every row' };
  return { type: 'categorical' };
}

/** Feature specs for the given columns, learned from the given rows (the training rows only, so nothing leaks from held-out rows). */
export function inferFeatures(table: Table, use: string[], rows: number[]): { features: FeatureSpec[]; columns: ColumnReport[]; dateColumn: string | null } {
  const features: FeatureSpec[] = [];
  const columns: ColumnReport[] = [];
  let dateColumn: string | null = null;
  for (const column of use) {
    const ci = table.columns.indexOf(column);
    const values = rows.map((r) => table.rows[r][ci]);
    const { type, note } = inferColumnType(values);
    columns.push({ column, type, ...(note && { note }) });
    if (type === 'numeric' || type === 'boolean') features.push({ name: column, column, kind: type });
    else if (type === 'date') {
      dateColumn ??= column;
      features.push({ name: `${column} (month)`, column, kind: 'month' }, { name: `${column} (weekday)`, column, kind: 'weekday' });
    } else if (type === 'categorical') {
      const counts = new Map<string, number>();
      for (const v of values) if (!isMissing(v)) counts.set(String(v).trim(), (counts.get(String(v).trim()) ?? 0) + 1);
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const kept = ranked.filter(([, n], i) => i < maxCategories && n >= 2).map(([c]) => c);
      if (kept.length < ranked.length) kept.push(OTHER);
      features.push({ name: column, column, kind: 'categorical', categories: kept });
    }
  }
  return { features, columns, dateColumn };
}

/** One feature's value for one raw cell: a number, a category code, or NaN for missing. */
export function encodeValue(f: FeatureSpec, v: RawValue): number {
  if (isMissing(v)) return NaN;
  switch (f.kind) {
    case 'numeric':
      return parseNumber(v);
    case 'boolean': {
      const b = parseBoolean(v);
      return b === null ? parseNumber(v) : b ? 1 : 0;
    }
    case 'month':
    case 'weekday': {
      const t = parseDate(v);
      if (Number.isNaN(t)) return NaN;
      const d = new Date(t);
      return f.kind === 'month' ? d.getUTCMonth() + 1 : ((d.getUTCDay() + 6) % 7) + 1;
    }
    case 'categorical': {
      const i = f.categories.indexOf(String(v).trim());
      if (i >= 0) return i;
      const other = f.categories.indexOf(OTHER);
      return other >= 0 ? other : NaN;
    }
  }
}

/** The feature matrix, column-major: one Float64Array per feature (NaN = missing). */
export function encodeTable(features: FeatureSpec[], table: Table, rows?: number[]): Float64Array[] {
  const idx = rows ?? table.rows.map((_, i) => i);
  return features.map((f) => {
    const ci = table.columns.indexOf(f.column);
    const out = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = ci < 0 ? NaN : encodeValue(f, table.rows[idx[k]][ci]);
    return out;
  });
}

/** How a feature value reads in a reason: "contract is Month-to-month", "tenure is 2", "plan is blank". */
export function describeValue(f: FeatureSpec, x: number): string {
  if (Number.isNaN(x)) return 'blank';
  if (f.kind === 'categorical') return f.categories[x] ?? 'unknown';
  if (f.kind === 'boolean') return x ? 'yes' : 'no';
  if (f.kind === 'month') return ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][x - 1] ?? String(x);
  if (f.kind === 'weekday') return ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][x - 1] ?? String(x);
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(4)));
}
