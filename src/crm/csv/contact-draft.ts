import type { z } from 'zod';
import type { PostalAddress } from '../businesses/schema.ts';
import { normalizeEmail } from '../contacts/normalize.ts';
import { contactInputSchema, lifecycleStages, type ConsentChannel, type LifecycleStage } from '../contacts/schema.ts';
import { customPrefix } from './fields.ts';
import type { ResolvedMapping } from './mapping.ts';
import type { PhoneNormaliser } from './phones.ts';
import type { CsvRow } from './reader.ts';
import { CellError, cellText, enumKey, lifecycleSynonyms, parseConsent, parseInstant, splitList, splitValues, synonym } from './values.ts';

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
  /** E.164 number → its label ("mobile", "work ext. 12"), from the column it came from. */
  phoneLabels?: Record<string, string>;
  emails: string[];
  address: PostalAddress;
  timeZone: string | null;
  source: string | null;
  lifecycleStage: LifecycleStage | null;
  tags: string[];
  customFields: Record<string, string>;
  consent: Partial<Record<ConsentChannel, 'granted' | 'revoked'>>;
  notes: string[];
  /** When the business first saw this person (the export's created date), UTC ISO. */
  firstSeenAt?: string | null;
  ownerUserId?: string | null;
  /** Values of this row that could not be used and were left out, each naming its column. */
  warnings?: string[];
}

/** What reading a contact row needs besides the row: phone parsing, and optional value maps. */
export interface ContactReadEnv {
  phones: PhoneNormaliser;
  /** The business's time zone: dates without an offset are read in it. */
  zone?: string;
  monthFirst?: boolean;
  /** Extra stage spellings (a vendor's lifecycle stages), checked before the built-in synonyms. */
  stageSynonyms?: Record<string, string>;
  /** Lead-status spellings → stage, used when the row has no lifecycle stage. */
  leadStatusSynonyms?: Record<string, string>;
  /** A vendor's source spellings → the source to store. */
  sourceSynonyms?: Record<string, string>;
  /** Spells a source the way the business already does (case, spacing). */
  vocabulary?: { source(text: string): string };
  /** Finds a team member by email or name (the owner column). */
  users?: { find(text: string, header: string): string };
}

const addressParts = { addressLine1: 'line1', addressLine2: 'line2', city: 'city', region: 'region', postalCode: 'postalCode', country: 'country' } as const;
const countryNames: Record<string, string> = {
  usa: 'US', 'u.s.': 'US', 'u.s.a.': 'US', us: 'US', 'united states': 'US', 'united states of america': 'US', america: 'US',
  canada: 'CA', mexico: 'MX', méxico: 'MX', 'united kingdom': 'GB', uk: 'GB', 'great britain': 'GB', england: 'GB', australia: 'AU', 'new zealand': 'NZ', ireland: 'IE',
  germany: 'DE', france: 'FR', spain: 'ES', españa: 'ES', italy: 'IT', netherlands: 'NL', 'puerto rico': 'PR',
};

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

function issueColumn(cells: RowCells, path: ReadonlyArray<PropertyKey>): string {
  const [head, second] = path.map(String);
  if (head === 'address') {
    const field = Object.entries(addressParts).find(([, part]) => part === second)?.[0];
    return field ? cells.header(field) : 'address';
  }
  if (head === 'customFields') return second ? cells.header(`${customPrefix}${second}`) : 'custom fields';
  if (head === 'tags') return cells.header('tags');
  if (head === undefined) return '';
  return cells.header(head);
}

function setPresent(input: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== null && value !== undefined) input[key] = value;
}

/** Drops the value an issue is about from the input; false when it cannot be dropped (the row itself is unusable). */
function dropAt(input: Record<string, unknown>, path: ReadonlyArray<PropertyKey>): boolean {
  const [head, second] = path;
  if (head === undefined) return false;
  const key = String(head);
  if (second !== undefined && (key === 'address' || key === 'customFields')) {
    const inner = input[key] as Record<string, unknown> | undefined;
    if (inner) delete inner[String(second)];
    return true;
  }
  if (second !== undefined && key === 'tags' && Array.isArray(input.tags)) {
    (input.tags as unknown[])[Number(second)] = undefined;
    return true;
  }
  if (!(key in input)) return false;
  delete input[key];
  return true;
}

const phoneLabelWords: Array<[RegExp, string]> = [
  [/\b(mobile|cell|cellular)\b/, 'mobile'],
  [/\bhome\b/, 'home'],
  [/\b(work|office|business)\b/, 'work'],
  [/\bfax\b/, 'fax'],
];

/** The label a phone column's header implies ("Mobile Phone Number" → mobile). */
export function phoneLabelFor(header: string): string | undefined {
  const key = header.toLowerCase();
  for (const [re, label] of phoneLabelWords) if (re.test(key)) return label;
  return undefined;
}

/** One number as written: "tel:+1-512-555-0100;ext=12", "512-555-0100 x23", "(cell) 512 555 0100". */
export function splitPhoneText(text: string): { number: string; ext?: string; label?: string } {
  let rest = text.trim().replace(/^tel:/i, '');
  let label: string | undefined;
  const tagged = /^\(?\s*(mobile|cell|home|work|office|fax)\s*\)?\s*[:\-]?\s*(.+)$/i.exec(rest) ?? null;
  if (tagged && /\d/.test(tagged[2])) {
    label = phoneLabelFor(tagged[1]);
    rest = tagged[2];
  } else {
    const trailing = /^(.*\d)\s*\(?\s*(mobile|cell|home|work|office|fax)\s*\)?$/i.exec(rest);
    if (trailing) {
      label = phoneLabelFor(trailing[2]);
      rest = trailing[1];
    }
  }
  let ext: string | undefined;
  const extension = /^(.*?\d[\d\s().\-]*?)\s*(?:;ext=|,?\s*(?:ext\.?|extension|x|#)\s*)(\d{1,7})$/i.exec(rest);
  if (extension) {
    rest = extension[1];
    ext = extension[2];
  }
  return { number: rest.trim(), ...(ext && { ext }), ...(label && { label }) };
}

/** Several numbers in one cell: "512-555-0100 / 512-555-0101", "… or …", "…; …". */
export function splitPhoneCell(text: string): string[] {
  return text
    .split(/[,;|\n]|\s+\/\s+|\s+(?:or|and|&)\s+/i)
    .map((s) => s.trim())
    .filter(Boolean);
}

function stageFrom(text: string, env: ContactReadEnv): string {
  const key = enumKey(text).replace(/_/g, '');
  const vendor = env.stageSynonyms?.[key] ?? env.stageSynonyms?.[enumKey(text)];
  return vendor ?? synonym(text, lifecycleSynonyms);
}

/**
 * Turns one row into a contact draft, validated with the same schema as the
 * API (contactInputSchema) and normalised with the same functions.
 *
 * A value that cannot be used — an unknown stage, a bad date, a second phone
 * that is not a number, a custom field too long — is left out with a warning
 * naming its column; the person is still imported. Only a row with no usable
 * name, phone or email throws RowError (with every reason).
 */
export function readContactDraft(cells: RowCells, phonesOrEnv: PhoneNormaliser | ContactReadEnv): ContactDraft {
  const env: ContactReadEnv = 'normalise' in phonesOrEnv ? { phones: phonesOrEnv } : phonesOrEnv;
  const warnings: string[] = [...(cells.row.warnings ?? [])];
  const warn = (column: string, message: string) => warnings.push(column ? `${column}: ${message}` : message);

  // Phones: every phone column, several numbers per cell, labels from the column or the text.
  const normalisedPhones: string[] = [];
  const phoneLabels: Record<string, string> = {};
  for (const c of [...cells.all('phone'), ...cells.all('phones')]) {
    for (const raw of splitPhoneCell(c.value)) {
      const parts = splitPhoneText(raw);
      let e164: string;
      try {
        e164 = env.phones.normalise(parts.number, c.header);
      } catch {
        warn(c.header, `"${raw.slice(0, 40)}" is not a valid phone number`);
        continue;
      }
      if (normalisedPhones.includes(e164) || normalisedPhones.length >= 10) continue;
      normalisedPhones.push(e164);
      const label = [parts.label ?? phoneLabelFor(c.header), parts.ext && `ext. ${parts.ext}`].filter(Boolean).join(' ').slice(0, 30);
      if (label) phoneLabels[e164] = label;
    }
  }
  const normalisedEmails: string[] = [];
  for (const c of [...cells.all('email'), ...cells.all('emails')]) {
    for (const raw of splitValues(c.value)) {
      let address: string;
      try {
        address = normalizeEmail(raw, c.header);
      } catch {
        warn(c.header, `"${raw.slice(0, 60)}" is not a valid email address`);
        continue;
      }
      if (!normalisedEmails.includes(address) && normalisedEmails.length < 10) normalisedEmails.push(address);
    }
  }

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
  // Only the keys the row has: the schema then validates exactly what the file says.
  const input: Record<string, unknown> = {};
  setPresent(input, 'firstName', cells.get('firstName'));
  setPresent(input, 'lastName', cells.get('lastName'));
  setPresent(input, 'name', cells.get('name'));
  setPresent(input, 'phone', normalisedPhones[0]);
  if (normalisedPhones.length > 1) input.phones = normalisedPhones.slice(1);
  setPresent(input, 'email', normalisedEmails[0]);
  if (normalisedEmails.length > 1) input.emails = normalisedEmails.slice(1);
  if (Object.keys(address).length) input.address = address;
  setPresent(input, 'timeZone', cells.get('timeZone'));
  const source = cells.get('source');
  if (source !== null) {
    const vendorSource = env.sourceSynonyms?.[enumKey(source)] ?? source;
    input.source = env.vocabulary ? env.vocabulary.source(vendorSource) : vendorSource;
  }
  const stage = cells.get('lifecycleStage');
  if (stage !== null) {
    const value = stageFrom(stage, env);
    if ((lifecycleStages as readonly string[]).includes(value)) input.lifecycleStage = value;
    else warn(cells.header('lifecycleStage'), `"${stage.slice(0, 40)}" is not a lifecycle stage (lead, customer, dormant, lost); the contact gets the default`);
  }
  const leadStatus = cells.get('leadStatus');
  if (leadStatus !== null && input.lifecycleStage === undefined) {
    const value = env.leadStatusSynonyms?.[enumKey(leadStatus)] ?? synonym(leadStatus, lifecycleSynonyms);
    if ((lifecycleStages as readonly string[]).includes(value)) input.lifecycleStage = value;
  }
  if (leadStatus !== null) customFields.leadStatus ??= leadStatus;
  const tags = cells.all('tags').flatMap((t) => splitList(t.value));
  if (tags.length) input.tags = tags;
  if (Object.keys(customFields).length) input.customFields = customFields;

  let data: z.output<typeof contactInputSchema> | null = null;
  for (let attempt = 0; attempt < 20 && data === null; attempt++) {
    const parsed = contactInputSchema.safeParse(input);
    if (parsed.success) {
      data = parsed.data;
      break;
    }
    const issues: readonly ZodIssueLike[] = parsed.error.issues;
    let dropped = false;
    for (const issue of issues) {
      if (dropAt(input, issue.path)) {
        dropped = true;
        warn(issueColumn(cells, issue.path), issue.message);
      }
    }
    if (Array.isArray(input.tags)) input.tags = (input.tags as unknown[]).filter((t) => t !== undefined);
    if (!dropped) {
      const reasons = [...warnings, ...issues.filter((i) => i.path.length === 0).map((i) => i.message)];
      throw new RowError(warnings.length ? warnings.join('; ') : reasons.join('; '));
    }
  }
  if (data === null) throw new RowError(warnings.join('; ') || 'the row cannot be read');

  const consent: ContactDraft['consent'] = {};
  for (const channel of ['sms', 'email', 'voice'] as const) {
    try {
      const answer = cells.parse(`consent.${channel}`, parseConsent);
      if (answer) consent[channel] = answer;
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      warnings.push(err.message);
    }
  }
  let firstSeenAt: string | null = null;
  try {
    firstSeenAt = cells.parse('createdAt', (t) => parseInstant(t, env.zone ?? 'UTC', env.monthFirst ?? true));
  } catch (err) {
    if (!(err instanceof RowError)) throw err;
    warnings.push(err.message);
  }
  let ownerUserId: string | null = null;
  if (env.users) {
    try {
      ownerUserId = cells.parse('owner', (t) => env.users!.find(t, cells.header('owner')));
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      warnings.push(err.message);
    }
  }
  const notes = cells.all('notes').map((n) => n.value);
  const keptCustom = Object.fromEntries(Object.entries(data.customFields ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    line: cells.row.line,
    firstName: data.firstName || null,
    lastName: data.lastName || null,
    name: data.name || null,
    phones: normalisedPhones,
    phoneLabels,
    emails: normalisedEmails,
    address: (data.address ?? {}) as PostalAddress,
    timeZone: data.timeZone ?? null,
    source: data.source || null,
    lifecycleStage: data.lifecycleStage ?? null,
    tags: [...new Set(data.tags ?? [])],
    customFields: keptCustom,
    consent,
    notes: notes.length ? [notes.join('\n\n')] : [],
    firstSeenAt,
    ownerUserId,
    warnings,
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
  into.phoneLabels = { ...(from.phoneLabels ?? {}), ...(into.phoneLabels ?? {}) };
  if (from.firstSeenAt && (!into.firstSeenAt || from.firstSeenAt < into.firstSeenAt)) into.firstSeenAt = from.firstSeenAt;
  into.ownerUserId ??= from.ownerUserId;
}

export { addressEmpty };
