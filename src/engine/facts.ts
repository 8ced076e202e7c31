import { PostgresAdapter } from 'kysely';
import { wakeWorkersOnCommit, type Executor } from '../db/database.ts';
import { loadContact } from '../crm/contacts/contacts.ts';
import { deals } from '../crm/deals/deals.ts';
import { jobs } from '../crm/jobs/jobs.ts';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { contactSignalsAt, type ContactSignals } from '../intelligence/models/contact-signals.ts';
import { isScoreField, scoreFields, type Condition, type Instruction, type ScoreField } from './definition.ts';

/** What conditions and templates can see: the contact, the business, the triggering event, its job or deal, and the enrolment's variables. */
export interface Facts extends Record<string, unknown> {
  contact: Record<string, unknown>;
  business: Business;
  event: Record<string, unknown>;
  job?: Record<string, unknown>;
  deal?: Record<string, unknown>;
  vars: Record<string, unknown>;
  /** Score fields (contact.scores.*, contact.relationship.*) computed for this contact, only those the automation reads. */
  signals?: Signals;
}

/** One computed score field and where it came from, as recorded in the run's log. */
export interface Signal {
  value: number | boolean | string[] | null;
  /** Built-in model scores only: which model and version gave the value, and whether it was the model's prior. */
  model?: string;
  version?: number;
  prior?: boolean;
}
export type Signals = Partial<Record<ScoreField, Signal>>;

/** What the caller will evaluate, so that scores are computed only when a condition reads them. */
export interface FactReads {
  /** Score fields the conditions read (signalFieldsIn / signalFieldsOfProgram); none: nothing is scored. */
  fields: readonly ScoreField[];
  /** The moment to score at: the run's clock. */
  now: Date;
}

export async function loadFacts(trx: Executor, businessId: string, contactId: string, event: Record<string, unknown>, vars: Record<string, unknown>, business?: Business, reads?: FactReads): Promise<Facts> {
  const [contact, biz] = await Promise.all([loadContact(trx, businessId, contactId), business ?? loadBusiness(trx, businessId)]);
  // "The channel the customer uses": the one they last wrote to us on, else text when there is a number, else email.
  const lastInbound = await trx
    .selectFrom('interactions')
    .select('kind')
    .where('business_id', '=', businessId)
    .where('contact_id', '=', contactId)
    .where('direction', '=', 'inbound')
    .where('kind', 'in', ['sms', 'email'])
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const preferredChannel = lastInbound?.kind ?? (contact.phone ? 'sms' : contact.email ? 'email' : null);
  const facts: Facts = { contact: { ...contact, preferredChannel }, business: biz, event, vars };
  if (typeof event.jobId === 'string') {
    const row = await trx.selectFrom('jobs').selectAll().where('business_id', '=', businessId).where('id', '=', event.jobId).executeTakeFirst();
    // serviceName: the business's own name for the service ("Maintenance tune-up"), for messages.
    if (row) facts.job = { ...jobs.toApiRow(row), serviceName: biz.services.find((s) => s.key === row.service_type)?.name ?? row.service_type.replace(/_/g, ' ') };
  }
  if (typeof event.dealId === 'string') {
    const row = await trx.selectFrom('deals').selectAll().where('business_id', '=', businessId).where('id', '=', event.dealId).executeTakeFirst();
    if (row) facts.deal = { ...deals.toApiRow(row) };
  }
  return reads ? withSignals(trx, facts, reads) : facts;
}

/** The score fields a condition (or several) reads. Pure. */
export function signalFieldsIn(...conds: Array<Condition | undefined>): ScoreField[] {
  const out = new Set<ScoreField>();
  const visit = (c: Condition): void => {
    if ('all' in c) c.all.forEach(visit);
    else if ('any' in c) c.any.forEach(visit);
    else if ('not' in c) visit(c.not);
    else if (isScoreField(c.field)) out.add(c.field);
  };
  for (const c of conds) if (c) visit(c);
  return [...out];
}

const programFields = new WeakMap<Instruction[], ScoreField[]>();

/** The score fields any branch or auto-approval rule of a compiled program reads (worked out once per program). */
export function signalFieldsOfProgram(program: Instruction[]): ScoreField[] {
  let fields = programFields.get(program);
  if (!fields) {
    fields = signalFieldsIn(...program.map((ins) => (ins.op === 'branch' ? ins.if : ins.op === 'step' && ins.step.type === 'approval' ? ins.step.autoApproveIf : undefined)));
    programFields.set(program, fields);
  }
  return fields;
}

const scoreKeys = { lead_conversion: 'contact.scores.leadConversion', churn: 'contact.scores.churn', deal_stall: 'contact.scores.dealStall' } as const;

/**
 * Score fields from what the models say about a contact. A model that does not
 * apply to the contact (churn before a first completed job, lead conversion
 * for a non-lead with no inquiry in 30 days, deal stall without an open deal)
 * gives null. Deal stall is the enrolment's deal when it is open, else the
 * contact's riskiest open deal. Pure.
 */
export function signalsFrom(s: ContactSignals, dealId?: string): Signals {
  const out: Signals = {};
  if (s.scores) {
    for (const [model, field] of Object.entries(scoreKeys)) {
      const all = s.scores.filter((x) => x.model === model);
      const pick = all.find((x) => dealId !== undefined && x.dealId === dealId) ?? all.reduce<(typeof all)[number] | undefined>((best, x) => (!best || x.probability > best.probability ? x : best), undefined);
      out[field] = pick ? { value: pick.probability, model, version: pick.version, prior: pick.prior } : { value: null, model };
    }
    const prior = Object.entries(scoreKeys)
      .filter(([, field]) => out[field]?.prior === true)
      .map(([, field]) => field.split('.').pop()!);
    out['contact.scores.prior'] = { value: prior };
  }
  if (s.relationship) {
    out['contact.relationship.strength'] = { value: s.relationship.strength };
    out['contact.relationship.cooling'] = { value: s.relationship.cooling };
  }
  return out;
}

/** Adds the score fields in `reads` that the facts lack (one history load for all of them); a no-op when nothing reads a score. */
export async function withSignals(trx: Executor, facts: Facts, reads: FactReads): Promise<Facts> {
  const missing = reads.fields.filter((f) => !facts.signals?.[f]);
  if (!missing.length) return facts;
  const want = { scores: missing.some((f) => scoreFields[f] !== 'relationship'), relationship: missing.some((f) => scoreFields[f] === 'relationship') };
  const contactId = facts.contact.id as string;
  const computed = await contactSignalsAt(trx, facts.business.id, contactId, reads.now, want);
  const dealId = typeof facts.deal?.id === 'string' ? facts.deal.id : typeof facts.event.dealId === 'string' ? facts.event.dealId : undefined;
  facts.signals = { ...facts.signals, ...signalsFrom(computed, dealId) };
  return facts;
}

export type SignalEvidence = Array<{ field: ScoreField } & Signal>;

/** The score fields a branch or filter read, with their values and model versions, for the run's log (empty when it read none). */
export function signalEvidence(cond: Condition, facts: Facts): { scores?: SignalEvidence } {
  const fields = signalFieldsIn(cond);
  if (!fields.length) return {};
  return { scores: fields.map((field) => ({ field, ...(facts.signals?.[field] ?? { value: null }) })) };
}

export const isPostgres = (trx: Executor): boolean => trx.getExecutor().adapter instanceof PostgresAdapter;

/** Wakes the workers when the transaction commits: this process's at once, other processes' through PostgreSQL NOTIFY. */
export async function notifyWorkers(trx: Executor): Promise<void> {
  await wakeWorkersOnCommit(trx, { remote: 'always' });
}
