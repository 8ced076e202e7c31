import type { AppContext, Scope } from '../../context.ts';
import { validationError } from '../../lib/errors.ts';
import { DAY, dealRecord, indexHistory, leadMoments, leadRecord, type Indexed } from '../models/builtin-features.ts';
import { loadHistory } from '../models/builtin-history.ts';
import { loadScorers, type BuiltinModel, type Scorer } from '../models/builtin.ts';
import type { Prediction } from '../models/model.ts';
import { dollars, expectedValueCents, typicalTickets } from './expected-value.ts';

export interface QueueItem {
  contactId: string;
  name: string;
  kind: 'lead' | 'deal';
  dealId: string | null;
  expectedValueCents: number;
  probability: number;
  reasons: string[];
  ownerUserId: string | null;
  prior: boolean;
}

/** A lead loses half its value every 3 days of waiting; an open deal every 30 days of age. */
export const LEAD_HALF_LIFE_DAYS = 3;
export const DEAL_HALF_LIFE_DAYS = 30;
const LEAD_LOOKBACK_DAYS = 30;

const modelReasons = (p: Prediction) => p.reasons.map((r) => `${r.text} (${r.effect} the odds)`);
const ago = (days: number) => (days < 1 ? 'today' : `${Math.round(days)} day${Math.round(days) === 1 ? '' : 's'} ago`);

/** Every open lead and open deal with its expected value, from the business's history and current models. Pure given the scorers. */
export function buildQueue(ix: Indexed, scorers: Record<BuiltinModel, Scorer>): QueueItem[] {
  const now = ix.h.now;
  const tickets = typicalTickets(ix.h.jobs);
  const items: QueueItem[] = [];
  const latestLead = new Map<string, ReturnType<typeof leadMoments>[number]>();
  for (const m of leadMoments(ix)) if (m.at <= now && m.at > now - LEAD_LOOKBACK_DAYS * DAY && (latestLead.get(m.contactId)?.at ?? -Infinity) < m.at) latestLead.set(m.contactId, m);
  const leads = [...latestLead.values()].filter((m) => {
    const c = ix.contacts.get(m.contactId)!;
    // Booked since the inquiry: no longer a lead to call.
    const booked = (ix.jobs.get(m.contactId) ?? []).some((j) => j.createdAt >= m.at - 3_600_000 && j.status !== 'cancelled');
    return c.stage !== 'lost' && !booked;
  });
  const leadPreds = scorers.lead_conversion.score(leads.map((m) => leadRecord(ix, m, now)));
  leads.forEach((m, i) => {
    const c = ix.contacts.get(m.contactId)!;
    const p = leadPreds[i];
    const ticket = (m.service && tickets.byService.get(m.service)) || tickets.overall;
    const age = (now - m.at) / DAY;
    items.push({
      contactId: c.id,
      name: c.name,
      kind: 'lead',
      dealId: null,
      expectedValueCents: expectedValueCents(p.probability, ticket, age, LEAD_HALF_LIFE_DAYS),
      probability: Number(p.probability.toFixed(4)),
      reasons: [`${Math.round(p.probability * 100)}% likely to book`, `inquired ${ago(age)}${m.service ? ` about ${m.service.replace(/_/g, ' ')}` : ''}`, `typical ticket ${dollars(ticket)}`, ...modelReasons(p)],
      ownerUserId: c.ownerUserId,
      prior: scorers.lead_conversion.prior,
    });
  });
  const open = ix.h.deals.filter((d) => d.status === 'open' && d.contactId && ix.contacts.has(d.contactId));
  const dealPreds = scorers.deal_stall.score(open.map((d) => dealRecord(ix, d, now)));
  open.forEach((d, i) => {
    const c = ix.contacts.get(d.contactId!)!;
    const stall = dealPreds[i];
    const win = 1 - stall.probability;
    const ticket = d.amountCents ?? tickets.overall;
    const age = (now - d.createdAt) / DAY;
    items.push({
      contactId: c.id,
      name: c.name,
      kind: 'deal',
      dealId: d.id,
      expectedValueCents: expectedValueCents(win, ticket, age, DEAL_HALF_LIFE_DAYS),
      probability: Number(win.toFixed(4)),
      reasons: [`open deal "${d.title}" worth ${dollars(ticket)}`, `${Math.round(win * 100)}% likely to close won`, `opened ${ago(age)}`, ...stall.reasons.map((r) => `${r.text} (${r.effect} stall risk)`)],
      ownerUserId: d.ownerUserId ?? c.ownerUserId,
      prior: scorers.deal_stall.prior,
    });
  });
  return items.sort((a, b) => b.expectedValueCents - a.expectedValueCents || a.contactId.localeCompare(b.contactId));
}

/** GET /queue?userId=: who to call first. With a rep, their own leads and deals plus unassigned ones. */
export async function callQueue(ctx: AppContext, scope: Scope, query: unknown): Promise<{ data: QueueItem[] }> {
  const q = (query ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(q).filter((k) => k !== 'userId' && k !== 'limit');
  if (unknown.length) throw validationError(unknown.map((k) => ({ field: k, message: 'unknown query parameter (use userId, limit)' })));
  if (q.userId !== undefined && (typeof q.userId !== 'string' || q.userId === '')) throw validationError([{ field: 'userId', message: 'must be a user id' }]);
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw validationError([{ field: 'limit', message: 'must be a whole number from 1 to 500' }]);
  const [h, scorers] = await Promise.all([loadHistory(ctx, scope), loadScorers(ctx, scope)]);
  const userId = q.userId as string | undefined;
  const items = buildQueue(indexHistory(h), scorers).filter((i) => !userId || i.ownerUserId === userId || i.ownerUserId === null);
  return { data: items.slice(0, limit) };
}
