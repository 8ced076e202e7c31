import { z } from 'zod';

/**
 * The typed catalog of domain events: name → payload schema. Events are
 * appended in the same transaction as the change that caused them; the
 * execution engine reads them to start automations.
 */
const contactRef = { contactId: z.string() };
/** Where an import job stands: rows read (of about how many), and what became of them. */
const importCounts = {
  importId: z.string(),
  entity: z.string(),
  rowsDone: z.number(),
  rowsTotal: z.number().nullable(),
  created: z.number(),
  merged: z.number(),
  rejected: z.number(),
  warnings: z.number(),
};

export const eventCatalog = {
  'contact.created': z.object({ ...contactRef, lifecycleStage: z.string(), source: z.string().nullable() }),
  'lead.created': z.object({ ...contactRef, source: z.string().nullable() }),
  'contact.updated': z.object({ ...contactRef, changed: z.array(z.string()) }),
  'contact.stage_changed': z.object({ ...contactRef, from: z.string(), to: z.string() }),
  'contact.deleted': z.object({ ...contactRef }),
  'contacts.merged': z.object({ survivorId: z.string(), mergedIds: z.array(z.string()) }),
  'consent.changed': z.object({ ...contactRef, channel: z.string(), status: z.string(), method: z.string() }),
  'company.created': z.object({ companyId: z.string(), name: z.string() }),
  'company.updated': z.object({ companyId: z.string(), changed: z.array(z.string()) }),
  'company.deleted': z.object({ companyId: z.string() }),
  'interaction.logged': z.object({
    ...contactRef,
    interactionId: z.string(),
    kind: z.string(),
    direction: z.string().nullable(),
    outcome: z.string().nullable(),
  }),
  'interaction.updated': z.object({ ...contactRef, interactionId: z.string(), changed: z.array(z.string()) }),
  'interaction.deleted': z.object({ ...contactRef, interactionId: z.string() }),
  'call.answered': z.object({ ...contactRef, interactionId: z.string(), direction: z.string().nullable() }),
  'call.missed': z.object({ ...contactRef, interactionId: z.string(), direction: z.string().nullable() }),
  /** The voice receptionist finished an intake: where it routed the caller and how it assessed the problem. */
  'call.intake_completed': z.object({
    ...contactRef,
    interactionId: z.string(),
    route: z.enum(['emergency', 'routine', 'callback']),
    urgency: z.string().nullable(),
    intent: z.string().nullable(),
    serviceType: z.string().nullable(),
  }),
  'message.received': z.object({ ...contactRef, interactionId: z.string(), channel: z.string() }),
  'job.scheduled': z.object({ jobId: z.string(), contactId: z.string().nullable(), serviceType: z.string(), scheduledStart: z.string().nullable() }),
  'job.updated': z.object({ jobId: z.string(), contactId: z.string().nullable(), changed: z.array(z.string()) }),
  'job.completed': z.object({ jobId: z.string(), contactId: z.string().nullable(), serviceType: z.string(), amountCents: z.number().nullable() }),
  'job.cancelled': z.object({ jobId: z.string(), contactId: z.string().nullable() }),
  'job.no_show': z.object({ jobId: z.string(), contactId: z.string().nullable() }),
  'job.deleted': z.object({ jobId: z.string(), contactId: z.string().nullable() }),
  'deal.created': z.object({ dealId: z.string(), contactId: z.string().nullable(), stage: z.string(), amountCents: z.number().nullable() }),
  'deal.updated': z.object({ dealId: z.string(), contactId: z.string().nullable(), changed: z.array(z.string()) }),
  'deal.stage_changed': z.object({ dealId: z.string(), contactId: z.string().nullable(), from: z.string(), to: z.string() }),
  'deal.won': z.object({ dealId: z.string(), contactId: z.string().nullable(), amountCents: z.number().nullable(), reason: z.string().nullable() }),
  'deal.lost': z.object({ dealId: z.string(), contactId: z.string().nullable(), reason: z.string().nullable() }),
  'deal.deleted': z.object({ dealId: z.string(), contactId: z.string().nullable() }),
  'task.created': z.object({ taskId: z.string(), contactId: z.string().nullable(), assigneeUserId: z.string().nullable() }),
  'task.updated': z.object({ taskId: z.string(), contactId: z.string().nullable(), changed: z.array(z.string()) }),
  'task.completed': z.object({ taskId: z.string(), contactId: z.string().nullable() }),
  'task.deleted': z.object({ taskId: z.string(), contactId: z.string().nullable() }),
  'review.requested': z.object({ reviewId: z.string(), contactId: z.string().nullable(), platform: z.string() }),
  'review.received': z.object({ reviewId: z.string(), contactId: z.string().nullable(), platform: z.string(), rating: z.number().nullable() }),
  'review.updated': z.object({ reviewId: z.string(), contactId: z.string().nullable(), changed: z.array(z.string()) }),
  'review.deleted': z.object({ reviewId: z.string(), contactId: z.string().nullable() }),
  'intake.classified': z.object({
    classificationId: z.string(),
    contactId: z.string().nullable(),
    interactionId: z.string().nullable(),
    urgency: z.string(),
    intent: z.string(),
    serviceType: z.string().nullable(),
    confidence: z.number(),
    review: z.boolean(),
  }),
  /** An inbound text or email read as an emergency: the customer has been sent the safety message; on-call is to be paged. */
  'intake.emergency': z.object({
    ...contactRef,
    interactionId: z.string(),
    classificationId: z.string(),
    /** How it came in (a voicemail's safety message goes by text). */
    channel: z.enum(['sms', 'email', 'voicemail']),
    hazard: z.string(),
    excerpt: z.string(),
    safetyOutboxId: z.string().nullable(),
  }),
  'draft.created': z.object({ draftId: z.string(), contactId: z.string(), kind: z.string(), channel: z.string() }),
  'draft.approved': z.object({ draftId: z.string(), contactId: z.string(), outboxId: z.string(), auto: z.boolean() }),
  'draft.discarded': z.object({ draftId: z.string(), contactId: z.string() }),
  /** Someone dismissed (or snoozed until `until`) an item of the exceptions list for the whole team. */
  'exception.dismissed': z.object({ exceptionId: z.string(), kind: z.string(), occurrence: z.string(), until: z.string().nullable() }),
  /** A dismissal was undone: the item is back on the list. */
  'exception.restored': z.object({ exceptionId: z.string(), kind: z.string() }),
  /** A CSV import job read more of its file (sent about once a second while it runs). */
  'import.progress': z.object({ ...importCounts, bytesDone: z.number(), bytesTotal: z.number() }),
  /** A CSV import job finished: every row was read. */
  'import.completed': z.object(importCounts),
  /** A CSV import job stopped on a problem (or was interrupted): rows before it stay imported. */
  'import.failed': z.object({ ...importCounts, error: z.string() }),
  /** A CSV import job was cancelled: rows before it stay imported. */
  'import.cancelled': z.object(importCounts),
} as const;

export type EventType = keyof typeof eventCatalog;
export type EventPayload<T extends EventType> = z.infer<(typeof eventCatalog)[T]>;
export const eventTypes = Object.keys(eventCatalog) as EventType[];

/** The subject an event is about, derived from its payload. */
export function eventSubject(type: EventType, payload: Record<string, unknown>): { subjectType: string; subjectId: string } {
  const keys: Array<[string, string]> = [
    ['classificationId', 'classification'],
    ['draftId', 'draft'],
    ['exceptionId', 'exception'],
    ['importId', 'import'],
    ['interactionId', 'interaction'],
    ['jobId', 'job'],
    ['dealId', 'deal'],
    ['taskId', 'task'],
    ['reviewId', 'review'],
    ['companyId', 'company'],
    ['survivorId', 'contact'],
    ['contactId', 'contact'],
  ];
  for (const [key, subjectType] of keys) {
    const value = payload[key];
    if (typeof value === 'string') return { subjectType, subjectId: value };
  }
  throw new Error(`event ${type} has no subject id`);
}
