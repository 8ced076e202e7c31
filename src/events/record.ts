import type { Actor } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { newId } from '../lib/ids.ts';
import { eventCatalog, eventSubject, type EventPayload, type EventType } from './catalog.ts';

export interface PendingEvent<T extends EventType = EventType> {
  type: T;
  payload: EventPayload<T>;
}

export const event = <T extends EventType>(type: T, payload: EventPayload<T>): PendingEvent<T> => ({ type, payload });

/** An event as written to the log. */
export interface StoredEvent {
  id: string;
  businessId: string;
  type: EventType;
  payload: Record<string, unknown>;
  subjectType: string;
  subjectId: string;
  contactId: string | null;
  actor: Actor;
  occurredAt: string;
}

/**
 * Code that must react to events inside the same transaction as the change
 * (the execution engine enrols contacts and ends sequences this way), so a
 * change and its consequences commit together or not at all.
 */
export type EventHook = (trx: Executor, events: StoredEvent[]) => Promise<void>;
const hooks = new Set<EventHook>();

export function registerEventHook(hook: EventHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/**
 * Appends events to the log. Call it with the transaction that made the
 * change, so the change and its events commit together.
 */
export async function appendEvents(trx: Executor, businessId: string, actor: Actor, at: string, events: PendingEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const stored: StoredEvent[] = events.map((e) => {
    const payload = eventCatalog[e.type].parse(e.payload) as Record<string, unknown>;
    const { subjectType, subjectId } = eventSubject(e.type, payload);
    const contactId = typeof payload.contactId === 'string' ? payload.contactId : subjectType === 'contact' ? subjectId : null;
    return { id: newId(), businessId, type: e.type, payload, subjectType, subjectId, contactId, actor, occurredAt: at };
  });
  await trx
    .insertInto('events')
    .values(
      stored.map((e) => ({
        id: e.id,
        business_id: businessId,
        type: e.type,
        subject_type: e.subjectType,
        subject_id: e.subjectId,
        contact_id: e.contactId,
        payload: JSON.stringify(e.payload),
        actor_type: actor.type,
        actor_id: actor.id,
        occurred_at: at,
      })),
    )
    .execute();
  for (const hook of hooks) await hook(trx, stored);
  return stored;
}
