import { DateTime } from 'luxon';
import { dealStages, type DealStage } from '../deals/deals.ts';
import { readContactReference, type ActivityReadEnv } from './activity-rows.ts';
import { readContactDraft, RowCells, RowError } from './contact-draft.ts';
import type { ContactReference } from './contact-links.ts';
import { resolveMapping } from './mapping.ts';
import { enumKey, parseCents, parseInstant, parseMoneyCents, synonym } from './values.ts';

/** One deals row, validated: who it is with, and the deal's columns. */
export interface DealDraft extends ContactReference {
  line: number;
  /** The export's created date (UTC ISO): the deal's created_at, and part of how a re-import finds it. */
  createdAt: string | null;
  values: {
    title: string;
    pipeline: string;
    stage: DealStage;
    status: 'open' | 'won' | 'lost';
    amount_cents: number | null;
    expected_close_date: string | null;
    closed_at: string | null;
    close_reason: string | null;
    owner_user_id: string | null;
  };
  warnings?: string[];
}

export interface DealReadEnv extends ActivityReadEnv {
  /** A vendor's stage names and internal values → Kinetic's stages, checked before the built-in ones. */
  dealStageSynonyms?: Record<string, string>;
}

/** Stage spellings any CRM export may use (HubSpot's defaults among them), → new, qualified, quote_sent, negotiation, won, lost. */
export const dealStageSynonyms: Record<string, string> = {
  new: 'new', new_lead: 'new', lead: 'new', open: 'new', appointmentscheduled: 'new', appointment_scheduled: 'new', inquiry: 'new',
  qualified: 'qualified', qualifiedtobuy: 'qualified', qualified_to_buy: 'qualified', contacted: 'qualified', appointment_booked: 'qualified', estimate_scheduled: 'qualified',
  quote_sent: 'quote_sent', quoted: 'quote_sent', proposal_sent: 'quote_sent', estimate_sent: 'quote_sent', presentationscheduled: 'quote_sent', presentation_scheduled: 'quote_sent', proposal: 'quote_sent',
  negotiation: 'negotiation', negotiating: 'negotiation', decisionmakerboughtin: 'negotiation', decision_maker_bought_in: 'negotiation', contractsent: 'negotiation', contract_sent: 'negotiation',
  won: 'won', closedwon: 'won', closed_won: 'won', sold: 'won',
  lost: 'lost', closedlost: 'lost', closed_lost: 'lost', abandoned: 'lost', dead: 'lost',
};

/** A deal's status column (GoHighLevel's open/won/lost/abandoned): it overrides the stage for closed deals. */
const statusStages: Record<string, DealStage | null> = { open: null, won: 'won', lost: 'lost', abandoned: 'lost', closed_won: 'won', closed_lost: 'lost' };

/** "Maria Lopez (maria.lopez@example.com)" or "maria@example.com; …": the first contact of the cell. */
const labelPlan = resolveMapping('contacts', ['Name', 'Email']);
function readContactLabel(cells: RowCells, env: ActivityReadEnv) {
  const text = cells.get('contactLabel');
  if (text === null) return null;
  const first = text.split(/[;|]/)[0].trim();
  const m = /^(.*?)\s*[(<]\s*([^()<>\s]+@[^()<>\s]+)\s*[)>]\s*$/.exec(first);
  const [name, email] = m ? [m[1], m[2]] : first.includes('@') ? ['', first] : [first, ''];
  try {
    const draft = readContactDraft(new RowCells(labelPlan, { line: cells.row.line, values: [name, email] }), env.phones);
    draft.notes = [];
    return draft;
  } catch (err) {
    if (err instanceof RowError) return null;
    throw err;
  }
}

/**
 * A deals row. Only the title and a way to find the contact are required; a
 * stage, amount, date or owner that cannot be used is left out with a warning
 * (an unknown open stage imports as "new"), so no deal is lost over one cell.
 */
export function readDeal(cells: RowCells, env: DealReadEnv): DealDraft {
  const warnings: string[] = [];
  const title = cells.get('title');
  if (title === null) throw new RowError(`${cells.header('title')}: is empty; every deal needs a title`);
  const labelled = readContactLabel(cells, env);
  const ref = (() => {
    try {
      return readContactReference(cells, env);
    } catch (err) {
      if (err instanceof RowError && labelled) return { contactId: null, contact: labelled, vendorCustomerId: null };
      throw err;
    }
  })();
  if (ref.contact === null && labelled) ref.contact = labelled;
  if (ref.contact !== null && ref.contact.phones.length === 0 && ref.contact.emails.length === 0 && labelled) ref.contact = labelled;

  const optional = <T>(field: string, parse: (text: string) => T): T | null => {
    try {
      return cells.parse(field, parse);
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      warnings.push(err.message);
      return null;
    }
  };
  const instant = (t: string) => parseInstant(t, env.zone, env.monthFirst);
  const stage = dealStage(cells, env, warnings);
  const status = stage === 'won' ? 'won' : stage === 'lost' ? 'lost' : 'open';
  const createdAt = optional('createdAt', instant);
  const closeDate = optional('expectedCloseDate', instant);
  const closedAt = status === 'open' ? null : (optional('closedAt', instant) ?? closeDate ?? createdAt);
  const pipeline = (cells.get('pipeline') ?? 'default').slice(0, 60);
  const amount = optional('amount', parseMoneyCents) ?? optional('amountCents', parseCents);
  const ownerText = cells.get('owner');
  let owner: string | null = null;
  if (ownerText !== null) {
    try {
      owner = env.users.find(ownerText, cells.header('owner'));
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      warnings.push(`${err.message.replace(/ \(give their email.*$/, '')}; the deal is imported without an owner`);
    }
  }
  return {
    line: cells.row.line,
    ...ref,
    createdAt,
    values: {
      title: title.slice(0, 200),
      pipeline,
      stage,
      status,
      amount_cents: amount,
      expected_close_date: closeDate ? DateTime.fromISO(closeDate, { zone: 'utc' }).setZone(env.zone).toISODate() : null,
      closed_at: closedAt,
      close_reason: status === 'lost' ? (cells.get('closeReason')?.slice(0, 500) ?? null) : null,
      owner_user_id: owner,
    },
    ...(warnings.length > 0 && { warnings }),
  };
}

function dealStage(cells: RowCells, env: DealReadEnv, warnings: string[]): DealStage {
  const statusText = cells.get('status');
  if (statusText !== null) {
    const closed = statusStages[enumKey(statusText)];
    if (closed) return closed;
    if (closed === undefined) warnings.push(`${cells.header('status')}: "${statusText.slice(0, 40)}" is not a deal status (open, won, lost, abandoned)`);
  }
  const text = cells.get('stage');
  if (text === null) return 'new';
  const stage = synonym(text, { ...dealStageSynonyms, ...env.dealStageSynonyms });
  if ((dealStages as readonly string[]).includes(stage)) return stage as DealStage;
  warnings.push(`${cells.header('stage')}: "${text.slice(0, 40)}" is not a deal stage Kinetic knows (${dealStages.join(', ')}); the deal is imported as new`);
  return 'new';
}

