/**
 * The website chat. A visitor's first message (with their name, and a phone
 * or email if they give one) starts a conversation on their contact — found
 * by phone or email, or a new lead — and returns a random token that only the
 * visitor's browser holds (the row keeps its SHA-256). Every message is an
 * interaction of kind `chat`, so it threads into the Inbox like a text and
 * fires message.received. The team answers from the Inbox
 * (POST /contacts/:id/chat-replies); the widget polls for replies with its token.
 * After hours, the intake classifier reads the message and the drafted reply a
 * text would get is posted at once; an emergency is answered with safety
 * advice and pages on-call, as a text would, at any hour.
 *
 * Chat replies are written on the timeline directly rather than through the
 * outbox: nothing is sent to a phone or a mailbox — the visitor's own open
 * page fetches them — so there is no provider to retry and no consent or
 * quiet hours to apply to an answer the visitor is waiting for on screen.
 */
import '../db/types-widget.ts';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { getBusiness } from '../crm/businesses/businesses.ts';
import { isOpenAt } from '../crm/businesses/schedule.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { interactions, type Interaction } from '../crm/interactions/interactions.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { routeEmergencyMessage } from '../intelligence/intake/emergency.ts';
import { firstNameOf, routesAsEmergency } from '../intelligence/intake/inbound.ts';
import { safetyMessage } from '../intelligence/intake/safety.ts';
import { intakeSettings } from '../intelligence/intake/settings.ts';
import { insertClassification } from '../intelligence/intake/store.ts';
import { serviceLabel, templateReply } from '../intelligence/intake/templates.ts';
import type { Understanding } from '../intelligence/intake/understand.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId, randomToken, sha256 } from '../lib/ids.ts';
import { classifyVisitorText, cleanPageUrl, isSpam, leadForVisitor, normalizeReach, screenSubmission, storeSubmission, visitorFields, widgetActor, type VisitorMeta } from './visitor.ts';

const messageBody = z.string({ error: 'write a message' }).trim().min(1, 'write a message').max(2000);
export const chatStartSchema = z.object({ ...visitorFields, message: messageBody }).strict();
const chatMessageSchema = z.object({ body: messageBody }).strict();
const replySchema = z.object({ body: z.string({ error: 'write a reply' }).trim().min(1, 'write a reply').max(2000) }).strict();
const pollSchema = z.object({ after: z.string().max(64).optional() });

export interface ChatMessage {
  id: string;
  from: 'visitor' | 'business';
  body: string;
  at: string;
}

/** External ids of a conversation's messages share a prefix, so a conversation's thread is one range of an indexed column. */
const prefixOf = (conversationId: string) => `chat:${conversationId}:`;
const rangeEnd = (conversationId: string) => `chat:${conversationId};`;

const toMessage = (i: Pick<Interaction, 'id' | 'direction' | 'body' | 'occurredAt'>): ChatMessage => ({ id: i.id, from: i.direction === 'outbound' ? 'business' : 'visitor', body: i.body ?? '', at: i.occurredAt });

/** A message on the conversation's thread (a `chat` interaction of its contact). */
async function logChat(trx: Executor, scope: Scope, conv: { id: string; contact_id: string }, direction: 'inbound' | 'outbound', body: string, now: string, extra: { userId?: string | null; metadata?: Record<string, string | number | boolean | null> } = {}): Promise<Interaction> {
  const logged = await interactions.createIn(
    trx,
    scope,
    { contactId: conv.contact_id, kind: 'chat', direction, channel: 'web', body, userId: extra.userId ?? null, externalId: `${prefixOf(conv.id)}${newId()}`, metadata: { conversationId: conv.id, ...extra.metadata } },
    now,
  );
  await trx.updateTable('widget_conversations').set({ last_message_at: now }).where('business_id', '=', scope.businessId).where('id', '=', conv.id).execute();
  return logged;
}

/**
 * What happens after a visitor's message is on the thread: the classification is stored with it;
 * an emergency gets safety advice in the chat and pages on-call (any hour); after hours, the reply a text
 * would be drafted is posted in the chat.
 */
async function answerVisitor(trx: Executor, ctx: AppContext, business: Business, conv: { id: string; contact_id: string }, interactionId: string, text: string, understanding: Understanding | null, now: string): Promise<void> {
  if (!understanding) return;
  const scope: Scope = { businessId: business.id, actor: widgetActor };
  const settings = intakeSettings(business.settings);
  const stored = await insertClassification(trx, scope, { text, result: understanding.result, provider: understanding.provider, source: 'web_chat', contactId: conv.contact_id, interactionId, reviewThreshold: settings.reviewThreshold }, now);
  const c = understanding.result;
  const auto = { auto: true, classificationId: stored.id };
  if (routesAsEmergency(c, text)) {
    const contact = await trx.selectFrom('contacts').select(['phone', 'email']).where('business_id', '=', business.id).where('id', '=', conv.contact_id).executeTakeFirstOrThrow();
    const routed = await routeEmergencyMessage(trx, ctx, business, { contactId: conv.contact_id, interactionId, classificationId: stored.id, channel: contact.phone || !contact.email ? 'sms' : 'email', text, subject: null }, now);
    await logChat(trx, scope, conv, 'outbound', safetyMessage(business.name, text, routed.paged).body, now, { metadata: { ...auto, reason: 'emergency' } });
    return;
  }
  if (isOpenAt(business.businessHours, business.timeZone, new Date(now))) return; // the team answers from the Inbox
  if (isSpam(understanding)) return;
  const contact = await trx.selectFrom('contacts').select(['first_name', 'display_name']).where('business_id', '=', business.id).where('id', '=', conv.contact_id).executeTakeFirstOrThrow();
  const services = business.services.map((s) => ({ key: s.key, name: s.name }));
  const reply = templateReply({ businessName: business.name, firstName: firstNameOf(contact), intent: c.intent, urgency: c.urgency, serviceLabel: serviceLabel(c.serviceType, services), signature: settings.signature ?? null, channel: 'sms' });
  await logChat(trx, scope, conv, 'outbound', `${reply.body}\n(We're closed right now; the team will follow up when we open.)`, now, { metadata: { ...auto, reason: 'after_hours' } });
}

/** The visitor's conversation behind a token, in this business only: another business's token is not found. */
async function conversationOf(trx: Executor, businessId: string, token: unknown) {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) throw new AppError('UNAUTHENTICATED', 'X-Chat-Token: send the token the chat was started with');
  const conv = await trx.selectFrom('widget_conversations').selectAll().where('business_id', '=', businessId).where('token_hash', '=', sha256(token)).executeTakeFirst();
  if (!conv) throw notFound('conversation');
  return conv;
}

async function thread(trx: Executor, businessId: string, conv: { id: string; contact_id: string }, after?: string): Promise<ChatMessage[]> {
  let q = trx
    .selectFrom('interactions')
    .select(['id', 'direction', 'body', 'occurred_at'])
    .where('business_id', '=', businessId)
    .where('contact_id', '=', conv.contact_id)
    .where('kind', '=', 'chat')
    .where('external_id', '>=', prefixOf(conv.id))
    .where('external_id', '<', rangeEnd(conv.id));
  if (after) q = q.where('id', '>', after);
  const rows = await q.orderBy('id').limit(200).execute();
  return rows.map((r) => toMessage({ id: r.id, direction: r.direction as Interaction['direction'], body: r.body, occurredAt: String(r.occurred_at) }));
}

export type ChatStart = { status: 'started'; token: string; messages: ChatMessage[] } | { status: 'received' };

export async function startWidgetChat(ctx: AppContext, business: Business, input: unknown, meta: VisitorMeta): Promise<ChatStart> {
  const f = parseInput(chatStartSchema, input);
  const screened = screenSubmission(ctx, business, f);
  const pageUrl = cleanPageUrl(f.pageUrl);
  const now = isoNow(ctx.clock);
  const base = { businessId: business.id, kind: 'chat' as const, name: f.name, message: f.message, pageUrl };
  if (screened === 'honeypot') {
    await ctx.db.transaction((trx) => storeSubmission(trx, { ...base, status: 'honeypot', phone: f.phone, email: f.email, reason: 'the hidden field was filled in' }, meta, now));
    return { status: 'received' };
  }
  const reach = normalizeReach(business, f);
  const understanding = await classifyVisitorText(ctx, business, f.message);
  const scope: Scope = { businessId: business.id, actor: widgetActor };
  return ctx.db.transaction(async (trx) => {
    if (isSpam(understanding)) {
      const stored = await insertClassification(trx, scope, { text: f.message, result: understanding!.result, provider: understanding!.provider, source: 'web_chat', reviewThreshold: intakeSettings(business.settings).reviewThreshold }, now);
      await storeSubmission(trx, { ...base, status: 'spam', ...reach, classificationId: stored.id, reason: `the intake classifier read it as spam (${Math.round(understanding!.result.confidences.intent * 100)}% sure)` }, meta, now);
      return { status: 'received' } as const;
    }
    const contact = await leadForVisitor(trx, business, { name: f.name, ...reach, source: 'web_chat' }, null, now);
    const token = randomToken(32);
    const conv = { id: newId(), contact_id: contact.id };
    await trx.insertInto('widget_conversations').values({ ...conv, business_id: business.id, token_hash: sha256(token), status: 'open', page_url: pageUrl, ip: meta.ip, created_at: now, last_message_at: now }).execute();
    const first = await logChat(trx, scope, conv, 'inbound', f.message, now, { metadata: { pageUrl } });
    await storeSubmission(trx, { ...base, status: contact.created ? 'lead' : 'merged', ...reach, contactId: contact.id, interactionId: first.id }, meta, now);
    await answerVisitor(trx, ctx, business, conv, first.id, f.message, understanding, now);
    return { status: 'started', token, messages: await thread(trx, business.id, conv) } as const;
  });
}

/** A visitor's next message on their conversation. */
export async function postVisitorMessage(ctx: AppContext, business: Business, token: unknown, input: unknown): Promise<{ messages: ChatMessage[] }> {
  const { body } = parseInput(chatMessageSchema, input);
  const understanding = await classifyVisitorText(ctx, business, body);
  return ctx.db.transaction(async (trx) => {
    const conv = await conversationOf(trx, business.id, token);
    if (conv.status !== 'open') throw new AppError('CONFLICT', 'this chat has ended; start a new one');
    const now = isoNow(ctx.clock);
    const logged = await logChat(trx, { businessId: business.id, actor: widgetActor }, conv, 'inbound', body, now);
    await answerVisitor(trx, ctx, business, conv, logged.id, body, understanding, now);
    return { messages: await thread(trx, business.id, conv, undefined) };
  });
}

/** The visitor's thread, or only what came after the message id `after` (the widget polls with it). */
export async function readVisitorThread(ctx: AppContext, business: Business, token: unknown, query: unknown): Promise<{ messages: ChatMessage[] }> {
  const { after } = parseInput(pollSchema, query);
  const conv = await conversationOf(ctx.db.kysely, business.id, token);
  return { messages: await thread(ctx.db.kysely, business.id, conv, after) };
}

/**
 * A person's answer from the Inbox, on the contact's latest chat: it appears
 * in the visitor's widget at its next poll. 409 when the contact has never chatted.
 */
export async function sendChatReply(ctx: AppContext, scope: Scope, contactId: string, input: unknown): Promise<ChatMessage & { conversationId: string }> {
  const { body } = parseInput(replySchema, input);
  await getBusiness(ctx, scope.businessId);
  return ctx.db.transaction(async (trx) => {
    const contact = await trx.selectFrom('contacts').select('id').where('business_id', '=', scope.businessId).where('id', '=', contactId).executeTakeFirst();
    if (!contact) throw notFound('contact', contactId);
    const conv = await trx.selectFrom('widget_conversations').selectAll().where('business_id', '=', scope.businessId).where('contact_id', '=', contactId).orderBy('last_message_at', 'desc').orderBy('id', 'desc').executeTakeFirst();
    if (!conv) throw new AppError('CONFLICT', 'this contact has not chatted on the website; reply by text or email');
    const logged = await logChat(trx, scope, conv, 'outbound', body, isoNow(ctx.clock), { userId: scope.actor.type === 'user' ? scope.actor.id : null });
    return { ...toMessage(logged), conversationId: conv.id };
  });
}
