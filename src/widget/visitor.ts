/**
 * What the widget's two entry points share: the visitor's details checked the
 * way every other channel checks them, the business found by its slug, the
 * spam checks that come before any write, and the contact found or created as
 * a lead through the same path texts, calls and emails take (contact,
 * identities, consent, audit entry and contact.created + lead.created, in the
 * caller's transaction — so matching automations such as speed-to-lead enrol
 * in that same commit).
 */
import '../db/types-widget.ts';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { toBusiness } from '../crm/businesses/businesses.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { appendConsents } from '../crm/contacts/consent.ts';
import { creationEvents } from '../crm/contacts/contacts.ts';
import { normalizeEmail, normalizePhone } from '../crm/contacts/normalize.ts';
import { prepareNewContact } from '../crm/contacts/prepare.ts';
import { recordChange } from '../crm/shared/audit.ts';
import type { PendingEvent } from '../events/record.ts';
import { understandMessage, type Understanding } from '../intelligence/intake/understand.ts';
import { SPAM_DROP_CONFIDENCE } from '../intelligence/intake/inbound.ts';
import { loadCorrections } from '../intelligence/intake/store.ts';
import { AppError, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { widgetSettings, type WidgetSettings } from './settings.ts';
import { checkFormToken, honeypotFilled } from './spam.ts';

export const widgetActor = { type: 'system' as const, id: 'widget' };

/** Where a request came from, as the server saw it. */
export interface VisitorMeta {
  ip: string;
  userAgent: string | null;
}

/** The business behind `?business=<slug>`, with its widget settings; 404 when there is none or its widget is off. */
export async function widgetBusiness(ctx: AppContext, slug: unknown): Promise<{ business: Business; settings: WidgetSettings }> {
  if (typeof slug !== 'string' || !/^[a-z0-9-]{2,60}$/.test(slug)) throw validationError([{ field: 'business', message: 'the business slug from the snippet (?business=<slug>) is missing or malformed' }]);
  const row = await ctx.db.kysely.selectFrom('businesses').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `no business "${slug}" uses this widget`);
  const business = toBusiness(row);
  const settings = widgetSettings(business.settings);
  if (!settings.enabled) throw new AppError('NOT_FOUND', `the widget of "${slug}" is switched off`);
  return { business, settings };
}

const optionalText = (max: number) => z.string().trim().max(max).optional().transform((v) => (v ? v : null));

/** Fields the form and the chat's first message have in common. */
export const visitorFields = {
  name: z.string({ error: 'enter your name' }).trim().min(1, 'enter your name').max(120),
  phone: optionalText(40),
  email: optionalText(254),
  pageUrl: optionalText(2000),
  formToken: z.string({ error: 'missing; load the form from the widget' }).max(200),
  /** The honeypot: hidden from people, filled by robots. */
  website: z.string().max(500).optional(),
};

/** Phone and email as every channel stores them (E.164, lower case), or a 400 naming the field. */
export function normalizeReach(business: Business, v: { phone: string | null; email: string | null }): { phone: string | null; email: string | null } {
  return {
    phone: v.phone ? normalizePhone(v.phone, business.settings.defaultCountry, 'phone') : null,
    email: v.email ? normalizeEmail(v.email, 'email') : null,
  };
}

/** A page URL worth keeping as evidence: http(s) only, else null. */
export function cleanPageUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString().slice(0, 2000) : null;
  } catch {
    return null;
  }
}

/** 'honeypot' when a robot filled the hidden field (answered like a success, stored, no lead); throws 400 on a bad or too-fast form token. */
export function screenSubmission(ctx: AppContext, business: Business, v: { formToken: string; website?: string }): 'ok' | 'honeypot' {
  const verdict = checkFormToken(ctx.config.secret ?? '', business.id, v.formToken, ctx.clock.now());
  if (!verdict.ok) throw new AppError('VALIDATION_FAILED', `formToken: ${verdict.message}`, { issues: [{ field: 'formToken', message: verdict.message }], reason: verdict.reason, ...(verdict.retryAfterSeconds ? { retryAfterSeconds: verdict.retryAfterSeconds } : {}) });
  return honeypotFilled(v.website) ? 'honeypot' : 'ok';
}

/** The intake classifier on a visitor's words (offline, as the API has no LLM client): the same model texts and emails get. */
export async function classifyVisitorText(ctx: AppContext, business: Business, text: string): Promise<Understanding | null> {
  if (!text.trim()) return null;
  const corrections = await loadCorrections(ctx.db.kysely, business.id);
  return understandMessage({ llm: null, log: ctx.log }, text, { services: business.services.map((s) => ({ key: s.key, name: s.name })), corrections });
}

export const isSpam = (u: Understanding | null): boolean => !!u && u.result.intent === 'spam' && u.result.confidences.intent >= SPAM_DROP_CONFIDENCE;

export interface ConsentEvidence {
  text: string;
  pageUrl: string | null;
  ip: string;
  at: string;
  userAgent: string | null;
}

/**
 * The contact with this phone (else this email) in the business, or a new lead.
 * A new lead's creation events and any consent record are written here, in the caller's transaction.
 */
export async function leadForVisitor(
  trx: Executor,
  business: Business,
  v: { name: string; phone: string | null; email: string | null; source: string; customFields?: Record<string, string> },
  consent: ConsentEvidence | null,
  now: string,
): Promise<{ id: string; created: boolean }> {
  const scope: Scope = { businessId: business.id, actor: widgetActor };
  let id: string | undefined;
  for (const [kind, value] of [['phone', v.phone], ['email', v.email]] as const) {
    if (id || !value) continue;
    id = (await trx.selectFrom('contact_identities').select('contact_id').where('business_id', '=', business.id).where('kind', '=', kind).where('value', '=', value).orderBy('contact_id').executeTakeFirst())?.contact_id;
  }
  const consentRecords = consent && v.phone ? [{ channel: 'sms' as const, status: 'granted' as const, method: 'web_form' as const, evidence: JSON.stringify(consent), at: consent.at }] : [];
  if (id) {
    const events: PendingEvent[] = await appendConsents(trx, scope, id, consentRecords, now);
    if (events.length) await recordChange(trx, scope, now, { entityType: 'contact', entityId: id, action: 'update', before: {}, after: { consent: { channel: 'sms', status: 'granted', method: 'web_form' } }, events });
    return { id, created: false };
  }
  id = newId();
  const prepared = await prepareNewContact(business, { name: v.name, phone: v.phone, email: v.email, source: v.source, customFields: v.customFields ?? {} }, id, now);
  await trx.insertInto('contacts').values(prepared.row).execute();
  if (prepared.identities.length) await trx.insertInto('contact_identities').values(prepared.identities).execute();
  const consentEvents = await appendConsents(trx, scope, id, consentRecords, now);
  await recordChange(trx, scope, now, { entityType: 'contact', entityId: id, action: 'create', after: { name: v.name, phone: v.phone, email: v.email, source: v.source }, events: [...creationEvents(id, 'lead', v.source), ...consentEvents] });
  return { id, created: true };
}

/** Every submission is kept as received — leads, merges, spam and robots — for the business to look back on. */
export async function storeSubmission(
  trx: Executor,
  row: { businessId: string; kind: 'form' | 'chat'; status: 'lead' | 'merged' | 'spam' | 'honeypot'; contactId?: string | null; interactionId?: string | null; classificationId?: string | null; name?: string | null; phone?: string | null; email?: string | null; service?: string | null; urgency?: string | null; message?: string | null; consentText?: string | null; consentGiven?: boolean; pageUrl?: string | null; reason?: string | null },
  meta: VisitorMeta,
  now: string,
): Promise<string> {
  const id = newId();
  await trx
    .insertInto('widget_submissions')
    .values({
      id,
      business_id: row.businessId,
      kind: row.kind,
      status: row.status,
      contact_id: row.contactId ?? null,
      interaction_id: row.interactionId ?? null,
      classification_id: row.classificationId ?? null,
      name: row.name?.slice(0, 120) ?? null,
      phone: row.phone?.slice(0, 40) ?? null,
      email: row.email?.slice(0, 254) ?? null,
      service: row.service ?? null,
      urgency: row.urgency ?? null,
      message: row.message?.slice(0, 2000) ?? null,
      consent_text: row.consentText ?? null,
      consent_given: row.consentGiven ? 1 : 0,
      page_url: row.pageUrl ?? null,
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      reason: row.reason ?? null,
      created_at: now,
    })
    .execute();
  return id;
}
