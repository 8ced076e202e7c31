import type { AppContext, Scope } from '../../context.ts';
import { notFound, validationError } from '../../lib/errors.ts';
import { loadHistory } from '../models/builtin-history.ts';
import { buildRelationshipGraph, touchesOf, warmIntroPaths, type IntroPath } from './graph.ts';
import { relationshipStrength, type Strength } from './strength.ts';

export interface ContactRelationship extends Strength {
  contactId: string;
  team: Array<{ userId: string; name: string } & Strength>;
}

/** GET /contacts/:id/relationship: the business's tie to a contact and each team member's, strongest first. */
export async function contactRelationship(ctx: AppContext, scope: Scope, contactId: string): Promise<{ data: ContactRelationship }> {
  const h = await loadHistory(ctx, scope, { contactId });
  if (!h.contacts.length) throw notFound('contact', contactId);
  const { byContact, byPair } = touchesOf(h);
  const names = new Map(h.users.map((u) => [u.id, u.name]));
  const team = [...byPair.entries()]
    .map(([pair, touches]) => ({ userId: pair.split('|')[0], touches }))
    .filter((p) => names.has(p.userId))
    .map((p) => ({ userId: p.userId, name: names.get(p.userId)!, ...relationshipStrength(p.touches, h.now) }))
    .sort((a, b) => b.strength - a.strength);
  return { data: { contactId, ...relationshipStrength(byContact.get(contactId) ?? [], h.now), team } };
}

/** GET /relationships/intro?companyId=: who on the team can reach someone at the company, best path and strength each. An unknown company has no paths. */
export async function introPaths(ctx: AppContext, scope: Scope, query: unknown): Promise<{ data: IntroPath[] }> {
  const companyId = (query as { companyId?: unknown } | null)?.companyId;
  if (typeof companyId !== 'string' || companyId.trim() === '') throw validationError([{ field: 'companyId', message: 'required: the company to find an introduction to' }]);
  const h = await loadHistory(ctx, scope);
  return { data: warmIntroPaths(buildRelationshipGraph(h), companyId) };
}

/** Contacts whose relationship with the business has gone quiet for much longer than its own rhythm. */
export function coolingContacts(h: Awaited<ReturnType<typeof loadHistory>>): Array<{ contactId: string; strength: Strength }> {
  const { byContact } = touchesOf(h);
  const out: Array<{ contactId: string; strength: Strength }> = [];
  for (const [contactId, touches] of byContact) {
    const s = relationshipStrength(touches, h.now);
    if (s.cooling) out.push({ contactId, strength: s });
  }
  return out;
}
