import type { z } from 'zod';
import type { Executor } from '../../db/database.ts';
import { interactionInputSchema, interactionRow } from '../interactions/interactions.ts';

/** The contact is resolved per batch, after the row is read. */
const withoutContact = <T extends { contact_id: unknown }>({ contact_id: _contact, ...rest }: T) => rest;
import { jobInputSchema, jobStatuses } from '../jobs/jobs.ts';
import { readContactDraft, RowCells, RowError, type ContactDraft } from './contact-draft.ts';
import type { PhoneNormaliser } from './phones.ts';
import {
  channelSynonyms,
  directionSynonyms,
  interactionKindSynonyms,
  jobStatusSynonyms,
  parseCents,
  parseDurationSeconds,
  parseInstant,
  parseMoneyCents,
  splitList,
  synonym,
} from './values.ts';

/** The business's users, to turn a technician/user cell (email or name) into a user id. */
export class UserDirectory {
  private constructor(
    private readonly byEmail: Map<string, string>,
    private readonly byName: Map<string, string[]>,
  ) {}

  static async load(trx: Executor, businessId: string): Promise<UserDirectory> {
    const users = await trx.selectFrom('users').select(['id', 'email', 'name']).where('business_id', '=', businessId).execute();
    const byName = new Map<string, string[]>();
    for (const u of users) byName.set(u.name.trim().toLowerCase(), [...(byName.get(u.name.trim().toLowerCase()) ?? []), u.id]);
    return new UserDirectory(new Map(users.map((u) => [u.email.toLowerCase(), u.id])), byName);
  }

  find(text: string, header: string): string {
    const key = text.trim().toLowerCase();
    const byEmail = this.byEmail.get(key);
    if (byEmail) return byEmail;
    const named = this.byName.get(key) ?? [];
    if (named.length === 1) return named[0];
    if (named.length > 1) throw new RowError(`${header}: "${text}" matches ${named.length} users; use their email instead`);
    throw new RowError(`${header}: "${text.slice(0, 60)}" is not a user of this business (give their email or name, or map the column to "ignore")`);
  }
}

/** One job or interaction row, validated: the contact it names and the columns to store. */
export interface ActivityDraft {
  line: number;
  contactId: string | null;
  contact: ContactDraft | null;
  externalId: string | null;
  /** The exporting tool's id of the customer (see the shape's customerIdField), to find the contact imported from its customers export. */
  vendorCustomerId?: string | null;
  /** Values of this row that could not be used and were left out, each naming its column (vendor exports only). */
  warnings?: string[];
  /** Table columns other than id, business_id, contact_id and the row timestamps. */
  values: Record<string, string | number | null>;
  /** When the contact was last touched by this row (non-note interactions, completed jobs); null: not a touch. */
  touchedAt: string | null;
  completed: boolean;
}

export interface ActivityReadEnv {
  zone: string;
  monthFirst: boolean;
  phones: PhoneNormaliser;
  users: UserDirectory;
  importId: string;
  /** Fallback time for rows that carry none (now). */
  now: string;
  /** A vendor's job statuses → Kinetic's, checked before the built-in synonyms. */
  jobStatusSynonyms?: Record<string, string>;
  /**
   * A vendor export's technicians and statuses are the other tool's words: one that
   * Kinetic does not know is left out with a warning instead of rejecting the job.
   */
  lenient?: boolean;
}

const contactCells = ['name', 'firstName', 'lastName', 'phone', 'email'];

export function readContactReference(cells: RowCells, env: ActivityReadEnv): { contactId: string | null; contact: ContactDraft | null; vendorCustomerId: string | null } {
  const contactId = cells.get('contactId');
  const vendorCustomerId = cells.get('vendorCustomerId');
  const contact = contactCells.some((f) => cells.get(f) !== null) ? readContactDraft(cells, env.phones) : null;
  if (contact) {
    // Only who the contact is comes from an activity row; its notes column belongs to the job/interaction.
    contact.notes = [];
  }
  if (!contactId && !vendorCustomerId && (!contact || (contact.phones.length === 0 && contact.emails.length === 0))) {
    throw new RowError(`no contact: give a ${['contactId', 'vendorCustomerId', 'phone', 'email'].filter((f) => cells.plan.byField.has(f)).map((f) => cells.header(f)).join(' or ')} to find or create the contact`);
  }
  return { contactId, contact, vendorCustomerId };
}

function describe(cells: RowCells, issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, columnOf: Record<string, string>): string {
  return issues
    .map((i) => {
      const field = String(i.path[0] ?? '');
      const column = columnOf[field] ? cells.header(columnOf[field]) : field;
      return column ? `${column}: ${i.message}` : i.message;
    })
    .join('; ');
}

const joined = (cells: RowCells, field: string): string | undefined => {
  const parts = cells.all(field).map((c) => c.value);
  return parts.length ? parts.join('\n\n') : undefined;
};

const instantOf = (cells: RowCells, field: string, env: ActivityReadEnv): string | undefined =>
  cells.parse(field, (t) => parseInstant(t, env.zone, env.monthFirst)) ?? undefined;

function required(cells: RowCells, field: string, what: string): string {
  const v = cells.get(field);
  if (v === null) throw new RowError(`${cells.header(field)}: is empty; every ${what}`);
  return v;
}

/** A jobs row, validated with the jobs API schema (jobInputSchema). */
export function readJob(cells: RowCells, env: ActivityReadEnv): ActivityDraft {
  const ref = readContactReference(cells, env);
  const serviceType = required(cells, 'serviceType', 'job needs a service type');
  const warnings: string[] = [];
  const status = jobStatus(cells, env, warnings);
  const input = {
    serviceType,
    ...(status !== null && { status }),
    scheduledStart: instantOf(cells, 'scheduledStart', env),
    scheduledEnd: instantOf(cells, 'scheduledEnd', env),
    completedAt: instantOf(cells, 'completedAt', env),
    amountCents: cells.parse('amount', parseMoneyCents) ?? cells.parse('amountCents', parseCents) ?? undefined,
    technicianUserId: technicianOf(cells, env, warnings),
    notes: joined(cells, 'notes'),
    externalId: cells.get('externalId') ?? undefined,
  };
  const parsed = jobInputSchema.safeParse(input);
  if (!parsed.success) {
    const amountColumn = cells.plan.byField.has('amount') ? 'amount' : 'amountCents';
    throw new RowError(describe(cells, parsed.error.issues, { serviceType: 'serviceType', status: 'status', scheduledStart: 'scheduledStart', scheduledEnd: 'scheduledEnd', completedAt: 'completedAt', amountCents: amountColumn, technicianUserId: 'technician', notes: 'notes', externalId: 'externalId' }));
  }
  const d: z.output<typeof jobInputSchema> = parsed.data;
  const completed = d.status === 'completed';
  // History has no "now": a completed job without a completion time is dated by its schedule.
  const completedAt = d.completedAt ?? (completed ? (d.scheduledEnd ?? d.scheduledStart ?? env.now) : null);
  return {
    line: cells.row.line,
    ...ref,
    externalId: d.externalId ?? null,
    values: {
      service_type: d.serviceType,
      status: d.status,
      scheduled_start: d.scheduledStart ?? null,
      scheduled_end: d.scheduledEnd ?? null,
      completed_at: completedAt,
      amount_cents: d.amountCents ?? null,
      technician_user_id: d.technicianUserId ?? null,
      notes: d.notes ?? null,
      external_id: d.externalId ?? null,
    },
    touchedAt: completed ? completedAt : null,
    completed,
    ...(warnings.length > 0 && { warnings }),
  };
}

/** The row's job status in Kinetic's words (a vendor's statuses first); null: the column is empty (or, in a vendor export, unknown). */
function jobStatus(cells: RowCells, env: ActivityReadEnv, warnings: string[]): string | null {
  const text = cells.get('status');
  if (text === null) return null;
  const status = synonym(text, { ...jobStatusSynonyms, ...env.jobStatusSynonyms });
  if (!env.lenient || (jobStatuses as readonly string[]).includes(status)) return status;
  warnings.push(`${cells.header('status')}: "${text.slice(0, 40)}" is not a job status (${jobStatuses.join(', ')}); the job is imported as scheduled`);
  return null;
}

/** The technician's user id; in a vendor export several names may share the cell (the first on the team is taken), and one not on the team is a warning. */
function technicianOf(cells: RowCells, env: ActivityReadEnv, warnings: string[]): string | undefined {
  const text = cells.get('technician');
  if (text === null) return undefined;
  const header = cells.header('technician');
  if (!env.lenient) return cells.parse('technician', (t) => env.users.find(t, header)) ?? undefined;
  const names = [text, ...splitList(text)];
  for (const name of names) {
    try {
      return env.users.find(name, header);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
    }
  }
  warnings.push(`${header}: "${text.slice(0, 60)}" is not a user of this business; the job is imported without a technician`);
  return undefined;
}

/** Same defaults as the interactions API (src/crm/interactions). */

/** An interactions row, validated with the interactions API schema (interactionInputSchema). */
export function readInteraction(cells: RowCells, env: ActivityReadEnv): ActivityDraft {
  const ref = readContactReference(cells, env);
  const kind = required(cells, 'kind', 'interaction needs a kind (call, sms, email, note, meeting, site_visit)');
  const direction = cells.get('direction');
  const channel = cells.get('channel');
  const outcome = cells.get('outcome');
  const input = {
    contactId: ref.contactId ?? 'pending', // resolved per batch; the schema only needs it present
    kind: synonym(kind, interactionKindSynonyms),
    ...(direction !== null && { direction: synonym(direction, directionSynonyms) }),
    ...(channel !== null && { channel: synonym(channel, channelSynonyms) }),
    subject: cells.get('subject') ?? undefined,
    body: joined(cells, 'body'),
    outcome: outcome ?? undefined,
    durationSeconds: cells.parse('duration', parseDurationSeconds) ?? undefined,
    userId: cells.parse('user', (t) => env.users.find(t, cells.header('user'))) ?? undefined,
    externalId: cells.get('externalId') ?? undefined,
    occurredAt: instantOf(cells, 'occurredAt', env),
  };
  const parsed = interactionInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new RowError(describe(cells, parsed.error.issues, { kind: 'kind', direction: 'direction', channel: 'channel', subject: 'subject', body: 'body', outcome: 'outcome', durationSeconds: 'duration', userId: 'user', externalId: 'externalId', occurredAt: 'occurredAt' }));
  }
  const d = parsed.data;
  const occurredAt = d.occurredAt ?? env.now;
  return {
    line: cells.row.line,
    ...ref,
    externalId: d.externalId ?? null,
    values: withoutContact(interactionRow({ ...d, metadata: { importId: env.importId, line: cells.row.line }, occurredAt }, env.now)),
    // Internal notes are not a touch (same rule as refreshLastInteraction).
    touchedAt: d.kind === 'note' ? null : occurredAt,
    completed: false,
  };
}
