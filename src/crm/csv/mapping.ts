import { AppError } from '../../lib/errors.ts';
import {
  contactReferenceFields,
  entityFields,
  fieldForHeader,
  ignoreValues,
  multiColumnFields,
  overflowField,
  resolveFieldName,
  type ImportEntity,
} from './fields.ts';

/** One CSV column and the field it feeds (null: not imported). */
export interface ColumnPlan {
  index: number;
  header: string;
  field: string | null;
}

export interface ResolvedMapping {
  /** header → field, for the columns that are imported. */
  mapping: Record<string, string>;
  /** Headers of the columns that are not imported (neither auto-mapped nor explicitly mapped). */
  unmapped: string[];
  columns: ColumnPlan[];
  /** field → the column indexes feeding it, in file order. */
  byField: Map<string, number[]>;
}

/** A printable name for a header cell (blank headers get their position). */
export const headerLabel = (header: string, index: number): string => (header.trim() === '' ? `(column ${index + 1})` : header);

/** Assigns a field to a column unless it is taken: a second phone/email column overflows into phones/emails. */
function claim(field: string | null, taken: Set<string>): string | null {
  if (field === null) return null;
  if (!taken.has(field) || multiColumnFields.has(field)) return field;
  const overflow = overflowField[field];
  return overflow && (!taken.has(overflow) || multiColumnFields.has(overflow)) ? overflow : null;
}

/**
 * The automatic mapping for a header row: each header matched against the
 * entity's synonyms (pure; explicit overrides are applied by resolveMapping).
 */
export function suggestMapping(entity: ImportEntity, headers: string[]): { mapping: Record<string, string>; unmapped: string[] } {
  const mapping: Record<string, string> = {};
  const unmapped: string[] = [];
  const taken = new Set<string>();
  headers.forEach((header, index) => {
    const label = headerLabel(header, index);
    const field = header.trim() === '' ? null : claim(fieldForHeader(entity, header), taken);
    if (field === null) unmapped.push(label);
    else {
      taken.add(field);
      mapping[label] = field;
    }
  });
  return { mapping, unmapped };
}

function assertDistinctHeaders(headers: string[]): void {
  const seen = new Map<string, number>();
  headers.forEach((header, index) => {
    const key = header.trim().toLowerCase();
    if (key === '') return;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new AppError('BAD_REQUEST', `the header row (line 1) has the column "${header.trim()}" twice (columns ${first + 1} and ${index + 1}); rename one so each column has its own name`, {
        line: 1,
        columns: [first + 1, index + 1],
      });
    }
    seen.set(key, index);
  });
}

/** Applies an explicit mapping (header → field, '' or 'ignore' to skip) over the automatic one, and checks the result is importable. */
export function resolveMapping(entity: ImportEntity, headers: string[], override: Record<string, string> = {}): ResolvedMapping {
  if (headers.length === 0 || headers.every((h) => h.trim() === '')) {
    throw new AppError('BAD_REQUEST', 'the file has no header row: line 1 must name the columns (e.g. "First Name,Phone,Email")', { line: 1 });
  }
  assertDistinctHeaders(headers);
  const explicit = new Map<number, string | null>();
  const fieldList = () => [...entityFields[entity], ...(entity === 'contacts' ? ['custom.<name>'] : [])].join(', ');
  for (const [name, value] of Object.entries(override)) {
    const index = headers.findIndex((h) => h.trim().toLowerCase() === name.trim().toLowerCase());
    if (index < 0) {
      throw new AppError('VALIDATION_FAILED', `the mapping names the column "${name}", which is not in the file; its columns are: ${headers.map(headerLabel).join(', ')}`, {
        issues: [{ field: `mapping.${name}`, message: 'no such column in the file' }],
      });
    }
    const trimmed = (value ?? '').trim();
    if (ignoreValues.has(trimmed.toLowerCase())) {
      explicit.set(index, null);
      continue;
    }
    const field = resolveFieldName(entity, trimmed);
    if (!field) {
      throw new AppError('VALIDATION_FAILED', `the mapping sends "${name}" to "${value}", which is not a ${entity} field; use one of: ${fieldList()}, or "ignore"`, {
        issues: [{ field: `mapping.${name}`, message: `unknown field "${value}"` }],
      });
    }
    explicit.set(index, field);
  }

  const columns: ColumnPlan[] = headers.map((header, index) => ({ index, header: headerLabel(header, index), field: null }));
  const taken = new Set<string>();
  // Explicit choices first, so an automatic match never steals a field someone asked for.
  for (const [index, wanted] of [...explicit].sort((a, b) => a[0] - b[0])) {
    if (wanted === null) continue;
    const field = claim(wanted, taken);
    if (field === null) {
      const other = columns.find((c) => c.field === wanted);
      throw new AppError('VALIDATION_FAILED', `the mapping sends both "${other?.header}" and "${columns[index].header}" to ${wanted}; a ${entity} row has one ${wanted}`, {
        issues: [{ field: `mapping.${columns[index].header}`, message: `${wanted} is already mapped` }],
      });
    }
    columns[index].field = field;
    taken.add(field);
  }
  for (const column of columns) {
    if (explicit.has(column.index) || headers[column.index].trim() === '') continue;
    const field = claim(fieldForHeader(entity, headers[column.index]), taken);
    if (field !== null) {
      column.field = field;
      taken.add(field);
    }
  }

  const mapping: Record<string, string> = {};
  const unmapped: string[] = [];
  const byField = new Map<string, number[]>();
  for (const c of columns) {
    if (c.field === null) {
      if (!explicit.has(c.index)) unmapped.push(c.header);
      continue;
    }
    mapping[c.header] = c.field;
    byField.set(c.field, [...(byField.get(c.field) ?? []), c.index]);
  }
  if (byField.size === 0) {
    throw new AppError('BAD_REQUEST', `none of the columns (${headers.map(headerLabel).join(', ')}) could be matched to a ${entity} field; map them explicitly (e.g. "Cell=phone")`, { line: 1 });
  }
  assertRequiredColumns(entity, byField);
  return { mapping, unmapped, columns, byField };
}

function assertRequiredColumns(entity: ImportEntity, byField: Map<string, number[]>): void {
  const missing = (message: string, field: string) => new AppError('VALIDATION_FAILED', message, { issues: [{ field: `mapping.${field}`, message: 'no column is mapped to it' }] });
  if (entity === 'contacts') {
    if (!['name', 'firstName', 'lastName', 'phone', 'phones', 'email', 'emails'].some((f) => byField.has(f))) {
      throw missing('no column holds a name, phone or email; a contact needs at least one of them (map one explicitly, e.g. "Customer=name")', 'name');
    }
    return;
  }
  const what = { jobs: 'job', interactions: 'interaction', deals: 'deal' }[entity];
  if (!contactReferenceFields.some((f) => byField.has(f))) {
    throw missing(`no column says which contact each ${what} belongs to: map a contact_id, phone or email column`, 'contactId');
  }
  const required = { jobs: 'serviceType', interactions: 'kind', deals: 'title' }[entity];
  if (!byField.has(required)) {
    throw missing(
      {
        jobs: 'no column holds the service type of each job (map one explicitly, e.g. "Job=serviceType")',
        interactions: 'no column holds the kind of each interaction (call, sms, email, note, meeting, site_visit); map one explicitly, e.g. "Type=kind"',
        deals: 'no column holds the title of each deal (map one explicitly, e.g. "Deal Name=title")',
      }[entity],
      required,
    );
  }
}
