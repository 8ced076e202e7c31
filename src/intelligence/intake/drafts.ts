/**
 * Reply drafts: written for inbound messages, they wait for a person unless
 * the business switched on auto-send for that kind of message. Approving one
 * sends it the way every customer message goes: through the compliance gate
 * (consent, quiet hours) into the outbox, to the draft's own contact only.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { DraftTable } from '../../db/types.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { getContact } from '../../crm/contacts/contacts.ts';
import { fetchPage, pageQuerySchema, type Page } from '../../crm/shared/pagination.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { idField } from '../../crm/shared/fields.ts';
import { enqueueMessage, gateCustomerMessage } from '../../engine/outbox/enqueue.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { appendEvents, event } from '../../events/record.ts';

export const draftStatuses = ['pending', 'approved', 'discarded', 'sent'] as const;

export interface Draft {
  id: string;
  contactId: string;
  interactionId: string | null;
  classificationId: string | null;
  kind: string;
  channel: 'sms' | 'email';
  subject: string | null;
  body: string;
  source: string;
  provider: string | null;
  fallbackReason: string | null;
  /** Why this draft needs a person even where auto-send is on (e.g. the message tried to give instructions). */
  holdReason: string | null;
  status: string;
  outboxId: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toDraft(r: Selectable<DraftTable>): Draft {
  const d = JSON.parse(r.detail) as { provider?: string | null; fallbackReason?: string | null; holdReason?: string | null };
  return {
    id: r.id,
    contactId: r.contact_id,
    interactionId: r.interaction_id,
    classificationId: r.classification_id,
    kind: r.kind,
    channel: r.channel as 'sms' | 'email',
    subject: r.subject,
    body: r.body,
    source: r.source,
    provider: d.provider ?? null,
    fallbackReason: d.fallbackReason ?? null,
    holdReason: d.holdReason ?? null,
    status: r.status,
    outboxId: r.outbox_id,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at ? String(r.decided_at) : null,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

const listSchema = z.object({ ...pageQuerySchema, status: z.enum(draftStatuses).optional(), contactId: idField.optional() }).strict();

export async function listDrafts(ctx: AppContext, scope: Scope, query: unknown): Promise<Page<Draft>> {
  const q = parseInput(listSchema, query ?? {});
  let sel = ctx.db.kysely.selectFrom('drafts').selectAll().where('business_id', '=', scope.businessId);
  if (q.status) sel = sel.where('status', '=', q.status);
  if (q.contactId) sel = sel.where('contact_id', '=', q.contactId);
  return fetchPage(sel, q, toDraft);
}

async function loadDraft(trx: Executor, scope: Scope, id: string): Promise<Selectable<DraftTable>> {
  const row = await trx.selectFrom('drafts').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('draft', id);
  return row;
}

export async function getDraft(ctx: AppContext, scope: Scope, id: string): Promise<Draft> {
  return toDraft(await loadDraft(ctx.db.kysely, scope, id));
}

const notPending = (row: Selectable<DraftTable>): AppError => new AppError('CONFLICT', `draft ${row.id} is ${row.status}, not pending`, { status: row.status });

const editSchema = z
  .object({ body: z.string().trim().min(1, 'write a message').max(1600), subject: z.string().trim().min(1).max(200).optional() })
  .strict();

/** A person edits the wording before approving. Only pending drafts change. */
export async function editDraft(ctx: AppContext, scope: Scope, id: string, input: unknown): Promise<Draft> {
  const e = parseInput(editSchema, input);
  return ctx.db.transaction(async (trx) => {
    const row = await loadDraft(trx, scope, id);
    if (row.status !== 'pending') throw notPending(row);
    if (e.subject && row.channel !== 'email') throw new AppError('VALIDATION_FAILED', 'subject: only an email draft has a subject', { issues: [{ field: 'subject', message: 'only an email draft has a subject' }] });
    const patch = { body: e.body, ...(e.subject ? { subject: e.subject } : {}), updated_at: isoNow(ctx.clock) };
    await trx.updateTable('drafts').set(patch).where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    return toDraft({ ...row, ...patch });
  });
}

export async function discardDraft(ctx: AppContext, scope: Scope, id: string): Promise<Draft> {
  return ctx.db.transaction(async (trx) => {
    const row = await loadDraft(trx, scope, id);
    if (row.status !== 'pending') throw notPending(row);
    const now = isoNow(ctx.clock);
    const patch = { status: 'discarded', decided_by: scope.actor.id ?? scope.actor.type, decided_at: now, updated_at: now };
    await trx.updateTable('drafts').set(patch).where('business_id', '=', scope.businessId).where('id', '=', id).where('status', '=', 'pending').execute();
    await appendEvents(trx, scope.businessId, scope.actor, now, [event('draft.discarded', { draftId: row.id, contactId: row.contact_id })]);
    return toDraft({ ...row, ...patch });
  });
}

export interface QueuedMessage {
  id: string;
  state: string;
  to: string;
  notBefore: string;
  deferredBecause: string | null;
}

/**
 * Inside the caller's transaction: the compliance gate decides, the message
 * is queued to the draft's contact (idempotent per draft), the draft is
 * marked approved. A gate refusal (opted out, no address) throws CONFLICT.
 */
export async function approveDraftIn(trx: Executor, ctx: AppContext, scope: Scope, row: Selectable<DraftTable>): Promise<{ draft: Draft; message: QueuedMessage }> {
  if (row.status !== 'pending') throw notPending(row);
  const contact = await getContact(ctx, scope, row.contact_id, trx);
  const business = await getBusiness(ctx, scope.businessId, trx);
  const now = ctx.clock.now();
  const channel = row.channel as 'sms' | 'email';
  const { decision, address } = await gateCustomerMessage(trx, business, { ...contact, address: contact.address ?? {} }, channel, 'transactional', now);
  if (decision.action === 'skip') throw new AppError('CONFLICT', `cannot send this ${channel === 'sms' ? 'text' : 'email'}: ${decision.reason}`, { reason: decision.reason, optedOut: decision.optedOut ?? false });
  const notBefore = decision.action === 'defer' ? decision.until.toISOString() : now.toISOString();
  const { id: outboxId } = await enqueueMessage(
    trx,
    {
      businessId: scope.businessId,
      channel,
      purpose: 'transactional',
      to: address!,
      subject: channel === 'email' ? (row.subject ?? `A reply from ${business.name}`) : null,
      body: row.body,
      contactId: row.contact_id,
      why: { reason: scope.actor.type === 'automation' ? `drafted reply sent automatically (${row.kind})` : 'drafted reply, approved', actorUserId: scope.actor.type === 'user' ? scope.actor.id : null },
      idempotencyKey: `draft:${scope.businessId}:${row.id}`,
      notBefore,
    },
    now.toISOString(),
  );
  const at = now.toISOString();
  const patch = { status: 'approved', outbox_id: outboxId, decided_by: scope.actor.id ?? scope.actor.type, decided_at: at, updated_at: at };
  const res = await trx.updateTable('drafts').set(patch).where('business_id', '=', scope.businessId).where('id', '=', row.id).where('status', '=', 'pending').executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw new AppError('CONFLICT', `draft ${row.id} was decided by someone else just now`);
  await appendEvents(trx, scope.businessId, scope.actor, at, [event('draft.approved', { draftId: row.id, contactId: row.contact_id, outboxId, auto: scope.actor.type === 'automation' })]);
  return {
    draft: toDraft({ ...row, ...patch }),
    message: { id: outboxId, state: 'queued', to: address!, notBefore, deferredBecause: decision.action === 'defer' ? decision.reason : null },
  };
}

export async function approveDraft(ctx: AppContext, scope: Scope, id: string): Promise<Draft & { message: QueuedMessage }> {
  return ctx.db.transaction(async (trx) => {
    const row = await loadDraft(trx, scope, id);
    const { draft, message } = await approveDraftIn(trx, ctx, scope, row);
    return { ...draft, message };
  });
}

/** Approved drafts whose message has left the outbox become "sent" (all businesses; worker housekeeping). */
export async function markSentDrafts(ctx: AppContext): Promise<number> {
  const now = isoNow(ctx.clock);
  const res = await ctx.db.kysely
    .updateTable('drafts')
    .set({ status: 'sent', updated_at: now })
    .where('status', '=', 'approved')
    .where('outbox_id', 'in', (eb) => eb.selectFrom('outbox').select('id').where('state', 'in', ['sent', 'delivered']))
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
