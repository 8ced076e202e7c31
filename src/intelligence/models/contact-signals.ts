import type { Executor } from '../../db/database.ts';
import { touchesOf } from '../relationships/graph.ts';
import { relationshipStrength } from '../relationships/strength.ts';
import { loadScorersFrom, scoreIndexed, type ContactScore } from './builtin.ts';
import { indexHistory } from './builtin-features.ts';
import { loadHistoryAt } from './builtin-history.ts';

/** What automations can branch on for one contact: the built-in models' scores and the business's relationship strength with them. */
export interface ContactSignals {
  /** As GET /contacts/:id/scores returns them (the newest model version, or its prior); null when not asked for. */
  scores: ContactScore[] | null;
  relationship: { strength: number; cooling: boolean } | null;
}

let computed = 0;

/** How many contacts this process has scored for automations: automations that read no score never add to it. */
export const contactSignalsComputed = (): number => computed;

/**
 * Scores one contact at `now` through the caller's executor (an automation
 * run's transaction: on SQLite a second connection would wait on it), with the
 * same history, model versions and code as the API.
 */
export async function contactSignalsAt(db: Executor, businessId: string, contactId: string, now: Date, want: { scores: boolean; relationship: boolean }): Promise<ContactSignals> {
  computed++;
  const [h, scorers] = await Promise.all([loadHistoryAt(db, businessId, now.getTime(), { contactId }), want.scores ? loadScorersFrom(db, businessId) : null]);
  const scores = scorers ? scoreIndexed(indexHistory(h), scorers, contactId) : null;
  let relationship: ContactSignals['relationship'] = null;
  if (want.relationship) {
    const s = relationshipStrength(touchesOf(h).byContact.get(contactId) ?? [], h.now);
    relationship = { strength: s.strength, cooling: s.cooling };
  }
  return { scores, relationship };
}
