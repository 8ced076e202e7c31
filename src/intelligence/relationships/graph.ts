import { UndirectedGraph } from 'graphology';
import { dijkstra } from 'graphology-shortest-path';
import type { History } from '../models/builtin-history.ts';
import { relationshipStrength, type Strength, type Touch } from './strength.ts';

/** Touches per contact and per team member ↔ contact: interactions, plus completed jobs as an in-person visit by the technician. */
export function touchesOf(h: History): { byContact: Map<string, Touch[]>; byPair: Map<string, Touch[]> } {
  const byContact = new Map<string, Touch[]>();
  const byPair = new Map<string, Touch[]>();
  const add = (map: Map<string, Touch[]>, key: string, t: Touch) => {
    const list = map.get(key);
    if (list) list.push(t);
    else map.set(key, [t]);
  };
  for (const i of h.interactions) {
    if (i.channel === 'internal' || i.kind === 'note') continue;
    const t: Touch = { at: i.at, direction: i.direction === 'inbound' || i.direction === 'outbound' ? i.direction : null, channel: i.kind === 'site_visit' || i.kind === 'meeting' ? 'in_person' : i.channel };
    add(byContact, i.contactId, t);
    if (i.userId) add(byPair, `${i.userId}|${i.contactId}`, t);
  }
  for (const j of h.jobs) {
    if (j.status !== 'completed' || !j.contactId || j.completedAt === null) continue;
    const t: Touch = { at: j.completedAt, direction: null, channel: 'in_person' };
    add(byContact, j.contactId, t);
    if (j.technicianUserId) add(byPair, `${j.technicianUserId}|${j.contactId}`, t);
  }
  return { byContact, byPair };
}

export interface RelationshipGraph {
  graph: UndirectedGraph;
  pairs: Map<string, Strength>;
}

/** Team, contacts and companies as one graph: member–contact edges weighted by strength, contact–company edges for who works where. */
export function buildRelationshipGraph(h: History): RelationshipGraph {
  const graph = new UndirectedGraph();
  const names = new Map(h.contacts.map((c) => [c.id, c.name]));
  for (const u of h.users) graph.addNode(`user:${u.id}`, { kind: 'user', id: u.id, name: u.name });
  for (const c of h.companies) graph.addNode(`company:${c.id}`, { kind: 'company', id: c.id, name: c.name });
  const pairs = new Map<string, Strength>();
  const contactNode = (id: string) => {
    const key = `contact:${id}`;
    if (!graph.hasNode(key)) graph.addNode(key, { kind: 'contact', id, name: names.get(id) ?? id });
    return key;
  };
  for (const [pair, touches] of touchesOf(h).byPair) {
    const [userId, contactId] = pair.split('|');
    const s = relationshipStrength(touches, h.now);
    pairs.set(pair, s);
    if (s.strength <= 0 || !graph.hasNode(`user:${userId}`)) continue;
    graph.addEdge(`user:${userId}`, contactNode(contactId), { strength: s.strength, cost: 100 / s.strength, user: userId });
  }
  for (const l of h.companyLinks) {
    if (!graph.hasNode(`company:${l.companyId}`)) continue;
    const node = contactNode(l.contactId);
    if (!graph.hasEdge(node, `company:${l.companyId}`)) graph.addEdge(node, `company:${l.companyId}`, { strength: 100, cost: 1 });
  }
  return { graph, pairs };
}

export interface IntroPath {
  userId: string;
  userName: string;
  path: Array<{ type: 'user' | 'contact' | 'company'; id: string; name: string }>;
  /** The weakest link along the path (0–100): an introduction is only as warm as its coldest hop. */
  strength: number;
}

/** "Who on our team knows someone at company X": each member's best (cheapest by 100/strength) path to the company, strongest first. */
export function warmIntroPaths(rg: RelationshipGraph, companyId: string): IntroPath[] {
  const target = `company:${companyId}`;
  const { graph } = rg;
  if (!graph.hasNode(target) || graph.degree(target) === 0) return [];
  const out: IntroPath[] = [];
  graph.forEachNode((node, attrs) => {
    if (attrs.kind !== 'user') return;
    // A path must not pass through another team member: that is their introduction, listed for them.
    const me = attrs.id as string;
    const path = dijkstra.bidirectional(graph, node, target, (_e, a) => (a.user && a.user !== me ? Infinity : (a.cost as number)));
    if (!path || path.length < 2) return;
    let strength = 100;
    for (let i = 1; i < path.length; i++) {
      const e = graph.edge(path[i - 1], path[i]);
      if (e) strength = Math.min(strength, graph.getEdgeAttribute(e, 'strength') as number);
    }
    out.push({
      userId: attrs.id as string,
      userName: attrs.name as string,
      path: path.map((n) => ({ type: graph.getNodeAttribute(n, 'kind'), id: graph.getNodeAttribute(n, 'id'), name: graph.getNodeAttribute(n, 'name') })),
      strength,
    });
  });
  return out.sort((a, b) => b.strength - a.strength || a.path.length - b.path.length);
}
