/**
 * The website lead form: name, phone, email, service, message, urgency.
 * A submission that passes the spam checks becomes a lead through the same
 * path other channels use (so lead.created fires and speed-to-lead enrols in
 * the same commit), or is added to the contact it matches by phone or email;
 * the consent line shown next to the phone field is stored word for word with
 * the time, the page and the address it came from. Robots (the honeypot) and
 * messages the intake classifier is sure are spam get the same answer as a
 * person, are stored, and make no lead.
 */
import '../db/types-widget.ts';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Business } from '../crm/businesses/schema.ts';
import { interactions } from '../crm/interactions/interactions.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { intakeSettings } from '../intelligence/intake/settings.ts';
import { insertClassification } from '../intelligence/intake/store.ts';
import { isoNow } from '../lib/clock.ts';
import { validationError } from '../lib/errors.ts';
import { widgetTexts, type WidgetSettings } from './settings.ts';
import { classifyVisitorText, cleanPageUrl, isSpam, leadForVisitor, normalizeReach, screenSubmission, storeSubmission, visitorFields, widgetActor, type VisitorMeta } from './visitor.ts';

export const formInputSchema = z
  .object({
    ...visitorFields,
    service: z.string().trim().max(80).optional().transform((v) => v || null),
    urgency: z.enum(['routine', 'urgent', 'emergency'], { error: 'one of routine, urgent, emergency' }).default('routine'),
    message: z.string().trim().max(2000).default(''),
    /** The visitor ticked the consent line. */
    consent: z.boolean({ error: 'true or false' }).default(false),
    /** The consent line as the widget showed it: must be the business's current one. */
    consentText: z.string().max(600).optional(),
  })
  .strict()
  .refine((f) => Boolean(f.phone || f.email), { message: 'enter a phone number or an email address', path: ['phone'] });

/** What the visitor is told: the same for a lead, a merge, spam and a robot. */
export const FORM_THANKS = 'Thanks — we got your request and will be in touch shortly.';

export interface FormOutcome {
  status: 'lead' | 'merged' | 'spam' | 'honeypot';
  submissionId: string;
  contactId: string | null;
}

export async function submitWidgetForm(ctx: AppContext, business: Business, settings: WidgetSettings, input: unknown, meta: VisitorMeta): Promise<FormOutcome> {
  const f = parseInput(formInputSchema, input);
  const screened = screenSubmission(ctx, business, f);
  const consentText = widgetTexts(settings, business.name).consentText;
  const pageUrl = cleanPageUrl(f.pageUrl);
  const now = isoNow(ctx.clock);
  const base = { businessId: business.id, kind: 'form' as const, name: f.name, service: f.service, urgency: f.urgency, message: f.message, pageUrl };
  if (screened === 'honeypot') {
    const submissionId = await ctx.db.transaction((trx) => storeSubmission(trx, { ...base, status: 'honeypot', phone: f.phone, email: f.email, reason: 'the hidden field was filled in' }, meta, now));
    return { status: 'honeypot', submissionId, contactId: null };
  }
  const reach = normalizeReach(business, f);
  const service = f.service ? business.services.find((s) => s.key === f.service || s.name.toLowerCase() === f.service!.toLowerCase()) : undefined;
  if (f.service && !service) throw validationError([{ field: 'service', message: `not one of this business's services (${business.services.map((s) => s.key).join(', ') || 'none listed'})` }]);
  if (f.consent && !reach.phone) throw validationError([{ field: 'consent', message: 'texts need a phone number: enter one or untick the box' }]);
  if (f.consent && f.consentText !== undefined && f.consentText.trim() !== consentText) throw validationError([{ field: 'consentText', message: 'is not the consent line this business shows now; reload the page and send again' }]);

  const text = [service ? `Service: ${service.name}` : null, f.urgency !== 'routine' ? `Urgency: ${f.urgency}` : null, f.message || null].filter(Boolean).join('\n');
  // Classified outside the transaction (no LLM here, but the same rule as every other channel).
  const understanding = await classifyVisitorText(ctx, business, f.message);
  const scope: Scope = { businessId: business.id, actor: widgetActor };
  const reviewThreshold = intakeSettings(business.settings).reviewThreshold;
  return ctx.db.transaction(async (trx) => {
    if (isSpam(understanding)) {
      const stored = await insertClassification(trx, scope, { text: f.message, result: understanding!.result, provider: understanding!.provider, source: 'web_form', reviewThreshold }, now);
      const submissionId = await storeSubmission(trx, { ...base, status: 'spam', phone: reach.phone, email: reach.email, classificationId: stored.id, reason: `the intake classifier read it as spam (${Math.round(understanding!.result.confidences.intent * 100)}% sure)` }, meta, now);
      return { status: 'spam', submissionId, contactId: null };
    }
    const consent = f.consent ? { text: consentText, pageUrl, ip: meta.ip, at: now, userAgent: meta.userAgent } : null;
    const customFields: Record<string, string> = { urgency: f.urgency, ...(service ? { requestedService: service.key } : {}) };
    const contact = await leadForVisitor(trx, business, { name: f.name, ...reach, source: 'web_form', customFields }, consent, now);
    const logged = await interactions.createIn(
      trx,
      scope,
      { contactId: contact.id, kind: 'note', channel: 'web', subject: 'Website form', body: text || null, metadata: { source: 'web_form', service: service?.key ?? null, urgency: f.urgency, pageUrl, consent: f.consent } },
      now,
    );
    const classificationId = understanding
      ? (await insertClassification(trx, scope, { text: f.message, result: understanding.result, provider: understanding.provider, source: 'web_form', contactId: contact.id, interactionId: logged.id, reviewThreshold }, now)).id
      : null;
    const status = contact.created ? 'lead' : 'merged';
    const submissionId = await storeSubmission(
      trx,
      { ...base, status, contactId: contact.id, interactionId: logged.id, classificationId, phone: reach.phone, email: reach.email, service: service?.key ?? null, consentText: f.consent ? consentText : null, consentGiven: f.consent },
      meta,
      now,
    );
    return { status, submissionId, contactId: contact.id };
  });
}
