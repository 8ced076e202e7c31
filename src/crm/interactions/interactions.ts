import { sql } from 'kysely';
import { z } from 'zod';
import type { Executor } from '../../db/database.ts';
import { containsText } from '../../db/database.ts';
import { event, type PendingEvent } from '../../events/record.ts';
import { customFields, idField, instant, longText, parseJson, shortText } from '../shared/fields.ts';
import { pageQuerySchema } from '../shared/pagination.ts';
import { changedFields, checkOwned, defineResource } from '../shared/resource.ts';

/** `chat`: a message of the website chat widget (src/widget), in or out. */
export const interactionKinds = ['call', 'sms', 'email', 'note', 'meeting', 'site_visit', 'chat'] as const;
export type InteractionKind = (typeof interactionKinds)[number];
export const interactionChannels = ['phone', 'sms', 'email', 'in_person', 'video', 'internal', 'web'] as const;
export const directions = ['inbound', 'outbound'] as const;
/** Call outcomes that mean nobody picked up. */
export const missedCallOutcomes = ['missed', 'voicemail', 'abandoned', 'no_answer', 'busy'] as const;

export const defaultChannel: Record<InteractionKind, (typeof interactionChannels)[number]> = {
  call: 'phone',
  sms: 'sms',
  email: 'email',
  note: 'internal',
  meeting: 'in_person',
  site_visit: 'in_person',
  chat: 'web',
};

export interface Interaction {
  id: string;
  contactId: string;
  kind: InteractionKind;
  direction: 'inbound' | 'outbound' | null;
  channel: string;
  subject: string | null;
  body: string | null;
  outcome: string | null;
  durationSeconds: number | null;
  userId: string | null;
  externalId: string | null;
  metadata: Record<string, unknown>;
  occurredAt: string;
  createdAt: string;
}

const fields = {
  contactId: idField,
  kind: z.enum(interactionKinds),
  direction: z.enum(directions).nullable().optional(),
  channel: z.enum(interactionChannels).optional(),
  subject: shortText.nullable().optional(),
  body: longText.nullable().optional(),
  outcome: z.string().trim().toLowerCase().max(60).nullable().optional(),
  durationSeconds: z.number().int().min(0).max(7 * 24 * 3600).nullable().optional(),
  userId: idField.nullable().optional(),
  externalId: z.string().max(200).nullable().optional(),
  metadata: customFields.optional(),
  occurredAt: instant.optional(),
};

export const interactionInputSchema = z
  .object(fields)
  .strict()
  .refine((i) => !['call', 'sms', 'email', 'chat'].includes(i.kind) || Boolean(i.direction), { message: 'calls, texts and emails need a direction (inbound or outbound)', path: ['direction'] });
const patchSchema = z.object(fields).omit({ contactId: true, kind: true }).partial().strict();
const filterSchema = z
  .object({
    ...pageQuerySchema,
    contactId: idField.optional(),
    kind: z.enum(interactionKinds).optional(),
    direction: z.enum(directions).optional(),
    outcome: z.string().max(60).optional(),
    userId: idField.optional(),
    occurredAfter: instant.optional(),
    occurredBefore: instant.optional(),
    q: z.string().trim().max(200).optional(),
  })
  .strict();

function kindEvents(i: Interaction): PendingEvent[] {
  const events: PendingEvent[] = [event('interaction.logged', { contactId: i.contactId, interactionId: i.id, kind: i.kind, direction: i.direction, outcome: i.outcome })];
  if (i.kind === 'call' && i.outcome) {
    if (i.outcome === 'answered' || i.outcome === 'completed') events.push(event('call.answered', { contactId: i.contactId, interactionId: i.id, direction: i.direction }));
    else if ((missedCallOutcomes as readonly string[]).includes(i.outcome) && i.direction === 'inbound') {
      events.push(event('call.missed', { contactId: i.contactId, interactionId: i.id, direction: i.direction }));
    }
  }
  if ((i.kind === 'sms' || i.kind === 'email' || i.kind === 'chat') && i.direction === 'inbound') {
    events.push(event('message.received', { contactId: i.contactId, interactionId: i.id, channel: i.channel }));
  }
  return events;
}

/** The columns of a new interaction (the API and CSV import both write it this way). */
export function interactionRow(d: z.output<typeof interactionInputSchema>, now: string) {
  return {
    contact_id: d.contactId,
    kind: d.kind,
    direction: d.direction ?? null,
    channel: d.channel ?? defaultChannel[d.kind],
    subject: d.subject ?? null,
    body: d.body ?? null,
    outcome: d.outcome ?? null,
    duration_seconds: d.durationSeconds ?? null,
    user_id: d.userId ?? null,
    external_id: d.externalId ?? null,
    metadata: JSON.stringify(d.metadata ?? {}),
    occurred_at: d.occurredAt ?? now,
  };
}

/** A contact's last interaction is the latest touch that reached them (internal notes do not count). */
export async function refreshLastInteraction(trx: Executor, businessId: string, contactId: string): Promise<void> {
  await trx
    .updateTable('contacts')
    .set({
      // A message Kinetic sent by itself (an automation, a reminder) is on the record but does not make the contact
      // "touched": "untouched for 10 days" and dormancy mean nobody — customer or team — was in contact.
      last_interaction_at: sql<string | null>`(select max(occurred_at) from interactions where interactions.business_id = ${businessId} and interactions.contact_id = ${contactId} and interactions.kind <> 'note' and (interactions.external_id is null or interactions.external_id not like 'outbox:%' or interactions.user_id is not null))`,
    })
    .where('business_id', '=', businessId)
    .where('id', '=', contactId)
    .execute();
}

export const interactions = defineResource({
  table: 'interactions',
  entityType: 'interaction',
  createSchema: interactionInputSchema,
  patchSchema,
  filterSchema,
  toApi: (r): Interaction => ({
    id: r.id,
    contactId: r.contact_id as string,
    kind: r.kind as InteractionKind,
    direction: r.direction as Interaction['direction'],
    channel: r.channel as string,
    subject: r.subject as string | null,
    body: r.body as string | null,
    outcome: r.outcome as string | null,
    durationSeconds: r.duration_seconds as number | null,
    userId: r.user_id as string | null,
    externalId: r.external_id as string | null,
    metadata: parseJson(r.metadata as string, {}),
    occurredAt: r.occurred_at as string,
    createdAt: r.created_at as string,
  }),
  insertValues: interactionRow,
  updateValues: (d, current) => ({
    ...(d.direction !== undefined && { direction: d.direction }),
    ...(d.channel !== undefined && { channel: d.channel }),
    ...(d.subject !== undefined && { subject: d.subject }),
    ...(d.body !== undefined && { body: d.body }),
    ...(d.outcome !== undefined && { outcome: d.outcome }),
    ...(d.durationSeconds !== undefined && { duration_seconds: d.durationSeconds }),
    ...(d.userId !== undefined && { user_id: d.userId }),
    ...(d.externalId !== undefined && { external_id: d.externalId }),
    ...(d.metadata !== undefined && { metadata: JSON.stringify({ ...current.metadata, ...d.metadata }) }),
    ...(d.occurredAt !== undefined && { occurred_at: d.occurredAt }),
  }),
  checkReferences: (trx, businessId, v) => checkOwned(trx, businessId, [['contactId', 'contacts', v.contact_id], ['userId', 'users', v.user_id]]),
  applyFilter: (q, f, dialect) => {
    if (f.contactId) q = q.where('contact_id', '=', f.contactId);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.direction) q = q.where('direction', '=', f.direction);
    if (f.outcome) q = q.where('outcome', '=', f.outcome.toLowerCase());
    if (f.userId) q = q.where('user_id', '=', f.userId);
    if (f.occurredAfter) q = q.where('occurred_at', '>=', f.occurredAfter);
    if (f.occurredBefore) q = q.where('occurred_at', '<', f.occurredBefore);
    if (f.q) q = q.where(containsText(dialect, 'body', f.q));
    return q;
  },
  createdEvents: kindEvents,
  updatedEvents: (b, a) => {
    const changed = changedFields(b, a);
    return changed.length ? [event('interaction.updated', { contactId: a.contactId, interactionId: a.id, changed })] : [];
  },
  deletedEvents: (i) => [event('interaction.deleted', { contactId: i.contactId, interactionId: i.id })],
  afterWrite: async (trx, scope, _now, after, before) => refreshLastInteraction(trx, scope.businessId, (after ?? before)!.contactId),
});
