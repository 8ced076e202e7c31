import type { PostalAddress } from '../businesses/schema.ts';
import { normalizeEmail } from '../contacts/normalize.ts';
import { contactInputSchema, type ConsentChannel, type LifecycleStage } from '../contacts/schema.ts';
import { customPrefix } from './fields.ts';
import type { ResolvedMapping } from './mapping.ts';
import type { PhoneNormaliser } from './phones.ts';
import type { CsvRow } from './reader.ts';
import { CellError, cellText, lifecycleSynonyms, parseConsent, splitList, splitValues, synonym } from './values.ts';

/** A rejected row: the reason, naming the CSV column where there is one. */
export class RowError extends Error {
  override name = 'RowError';
}

/** What one CSV row says about a contact, validated and normalised (phones E.164, emails lower-case). */
export interface ContactDraft {
  line: number;
  firstName: string | null;
  lastName: string | null;
  name: string | null;
  phones: string[];
  emails: string[];
  address: PostalAddress;
  timeZone: string | null;
  source: string | null;
  lifecycleStage: LifecycleStage | null;
  tags: string[];
  customFields: Record<string, string>;
  consent: Partial<Record<ConsentChannel, 'granted' | 'revoked'>>;
  notes: string[];
}

const addressParts = { addressLine1: 'line1', addressLine2: 'line2', city: 'city', region: 'region', postalCode: 'postalCode', country: 'country' } as const;
const countryNames: Record<string, string> = { usa: 'US', 'u.s.': 'US', 'u.s.a.': 'US', 'united states': 'US', 'united states of america': 'US', canada: 'CA', mexico: 'MX', 'united kingdom': 'GB', uk: 'GB' };

/** Reads the cells of one row through the column plan. */
export class RowCells {
  constructor(
    readonly plan: ResolvedMapping,
    readonly row: CsvRow,
  ) {}

  header(field: string): string {
    const index = this.plan.byField.get(field)?.[0];
    return index === undefined ? field : this.plan.columns[index].header;
  }

  /** The first non-empty cell of a field's columns, or null. */
  get(field: string): string | null {
    const indexes = this.plan.byField.get(field);
    if (!indexes) return null;
    for (const i of indexes) {
      const v = cellText(this.row.values[i]);
      if (v !== '') return v;
    }
    return null;
  }

  /** Every non-empty cell of a field's columns, with the header it came from. */
  all(field: string): Array<{ value: string; header: string }> {
    const out: Array<{ value: string; header: string }> = [];
    for (const i of this.plan.byField.get(field) ?? []) {
      const v = cellText(this.row.values[i]);
      if (v !== '') out.push({ value: v, header: this.plan.columns[i].header });
    }
    return out;
  }

  /** Runs a cell parser, turning its complaint into a row error that names the column. */
  parse<T>(field: string, parser: (text: string) => T): T | null {
    const text = this.get(field);
    if (text === null) return null;
    try {
      return parser(text);
    } catch (err) {
      if (err instanceof CellError) throw new RowError(`${this.header(field)}: ${err.message}`);
      throw err;
    }
  }
}

type ZodIssueLike = { path: ReadonlyArray<PropertyKey>; message: string };

function issueColumn(cells: RowCells, path: ReadonlyArray<PropertyKey>, phoneHeaders: string[], emailHeaders: string[]): string {
  const [head, second] = path.map(String);
  if (head === 'address') {
    const field = Object.entries(addressParts).find(([, part]) => part === second)?.[0];
    return field ? cells.header(field) : 'address';
  }
  if (head === 'customFields') return second ? cells.header(`${customPrefix}${second}`) : 'custom fields';
  if (head === 'phone') return phoneHeaders[0] ?? 'phone';
  if (head === 'phones') return phoneHeaders[Number(second) + 1] ?? phoneHeaders[0] ?? 'phones';
  if (head === 'email') return emailHeaders[0] ?? 'email';
  if (head === 'emails') return emailHeaders[Number(second) + 1] ?? emailHeaders[0] ?? 'emails';
  if (head === undefined) return '';
  return cells.header(head);
}

const describeIssues = (cells: RowCells, issues: readonly ZodIssueLike[], phoneHeaders: string[], emailHeaders: string[]): string =>
  issues
    .map((i) => {
      const column = issueColumn(cells, i.path, phoneHeaders, emailHeaders);
      return column ? `${column}: ${i.message}` : i.message;
    })
    .join('; ');

function setPresent(input: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== null && value !== undefined) input[key] = value;
}

/**
 * Turns one row into a contact draft, validated with the same schema as the
 * API (contactInputSchema) and normalised with the same functions. Throws
 * RowError naming the column at fault.
 */
export function readContactDraft(cells: RowCells, phones: PhoneNormaliser): ContactDraft {
  const phoneCells = [...cells.all('phone'), ...cells.all('phones')].flatMap((c) => splitValues(c.value).map((value) => ({ value, header: c.header })));
  const emailCells = [...cells.all('email'), ...cells.all('emails')].flatMap((c) => splitValues(c.value).map((value) => ({ value, header: c.header })));
  const address: Record<string, string> = {};
  for (const [field, part] of Object.entries(addressParts)) {
    const v = cells.get(field);
    if (v !== null) address[part] = part === 'country' ? (countryNames[v.toLowerCase()] ?? v) : v;
  }
  const customFields: Record<string, string> = {};
  for (const [field, indexes] of cells.plan.byField) {
    if (!field.startsWith(customPrefix)) continue;
    const v = cellText(cells.row.values[indexes[0]]);
    if (v !== '') customFields[field.slice(customPrefix.length)] = v;
  }
  const stage = cells.get('lifecycleStage');
  // Only the keys the row has: the schema then validates exactly what the file says.
  const input: Record<string, unknown> = {};
  setPresent(input, 'firstName', cells.get('firstName'));
  setPresent(input, 'lastName', cells.get('lastName'));
  setPresent(input, 'name', cells.get('name'));
  setPresent(input, 'phone', phoneCells[0]?.value);
  if (phoneCells.length > 1) input.phones = phoneCells.slice(1).map((p) => p.value);
  setPresent(input, 'email', emailCells[0]?.value);
  if (emailCells.length > 1) input.emails = emailCells.slice(1).map((e) => e.value);
  if (Object.keys(address).length) input.address = address;
  setPresent(input, 'timeZone', cells.get('timeZone'));
  setPresent(input, 'source', cells.get('source'));
  setPresent(input, 'lifecycleStage', stage === null ? null : synonym(stage, lifecycleSynonyms));
  const tags = cells.all('tags').flatMap((t) => splitList(t.value));
  if (tags.length) input.tags = tags;
  if (Object.keys(customFields).length) input.customFields = customFields;

  const parsed = contactInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new RowError(describeIssues(cells, parsed.error.issues, phoneCells.map((p) => p.header), emailCells.map((e) => e.header)));
  }
  const data = parsed.data;
  const normalisedPhones: string[] = [];
  for (const p of phoneCells) {
    let e164: string;
    try {
      e164 = phones.normalise(p.value, p.header);
    } catch {
      throw new RowError(`${p.header}: "${p.value.slice(0, 40)}" is not a valid phone number`);
    }
    if (!normalisedPhones.includes(e164)) normalisedPhones.push(e164);
  }
  const normalisedEmails: string[] = [];
  for (const e of emailCells) {
    let address: string;
    try {
      address = normalizeEmail(e.value, e.header);
    } catch {
      throw new RowError(`${e.header}: "${e.value.slice(0, 60)}" is not a valid email address`);
    }
    if (!normalisedEmails.includes(address)) normalisedEmails.push(address);
  }
  const consent: ContactDraft['consent'] = {};
  for (const channel of ['sms', 'email', 'voice'] as const) {
    const answer = cells.parse(`consent.${channel}`, parseConsent);
    if (answer) consent[channel] = answer;
  }
  const notes = cells.all('notes').map((n) => n.value);
  return {
    line: cells.row.line,
    firstName: data.firstName || null,
    lastName: data.lastName || null,
    name: data.name || null,
    phones: normalisedPhones,
    emails: normalisedEmails,
    address: (data.address ?? {}) as PostalAddress,
    timeZone: data.timeZone ?? null,
    source: data.source || null,
    lifecycleStage: data.lifecycleStage ?? null,
    tags: [...new Set(data.tags ?? [])],
    customFields,
    consent,
    notes: notes.length ? [notes.join('\n\n')] : [],
  };
}

const union = <T>(a: T[], b: T[]): T[] => {
  const out = [...a];
  for (const x of b) if (!out.includes(x)) out.push(x);
  return out;
};
const addressEmpty = (a: { [K in keyof PostalAddress]?: string | null }): boolean => !a.line1 && !a.line2 && !a.city && !a.region && !a.postalCode && !a.country;

/**
 * Folds a later row into an earlier one for the same contact: empty fields
 * are filled, lists unioned, existing values kept. A revoked consent wins
 * over a granted one (the safe answer for messaging).
 */
export function mergeDraft(into: ContactDraft, from: ContactDraft): void {
  into.firstName ??= from.firstName;
  into.lastName ??= from.lastName;
  into.name ??= from.name;
  into.phones = union(into.phones, from.phones).slice(0, 10);
  into.emails = union(into.emails, from.emails).slice(0, 10);
  if (addressEmpty(into.address)) into.address = from.address;
  into.timeZone ??= from.timeZone;
  into.source ??= from.source;
  into.lifecycleStage ??= from.lifecycleStage;
  into.tags = union(into.tags, from.tags).slice(0, 100);
  for (const [k, v] of Object.entries(from.customFields)) if (!(k in into.customFields)) into.customFields[k] = v;
  for (const [channel, status] of Object.entries(from.consent) as Array<[ConsentChannel, 'granted' | 'revoked']>) {
    if (into.consent[channel] !== 'revoked') into.consent[channel] = status;
  }
  into.notes = union(into.notes, from.notes);
}

export { addressEmpty };
