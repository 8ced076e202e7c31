/**
 * The worker side of intake: reads message-received events from the event
 * log with a cursor, classifies each inbound text/email and writes a reply
 * draft. Classification and drafting (which may call an LLM over the network)
 * happen outside any transaction; the classification, the draft and — only
 * when the business switched on auto-send for that kind — its queued message
 * are then written in one short transaction.
 */
import type { AppContext, Scope } from '../../context.ts';
import { loadBusiness } from '../../crm/businesses/businesses.ts';
import { fromDatabaseError } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { appendEvents, event } from '../../events/record.ts';
import type { LlmClient } from '../llm/provider.ts';
import { composeReply } from './compose.ts';
import { approveDraftIn, markSentDrafts } from './drafts.ts';
import { intakeSettings } from './settings.ts';
import { insertClassification, loadCorrections } from './store.ts';
import { serviceLabel, templateReply } from './templates.ts';
import { understandMessage } from './understand.ts';
import { routeEmergencyMessage } from './emergency.ts';
import { emergencyRules } from './rules.ts';

export const INTAKE_CURSOR = 'intake.drafts';
const systemActor = { type: 'system' as const, id: null };

/** Text that tries to instruct the system rather than talk to the business. Such drafts always wait for a person. */
const INJECTION = /\b(ignore (all |any |your |the )?(previous |prior |above )?(rules|instructions|prompts?)|disregard (your|all|the) (rules|instructions)|system prompt|you are now|act as|text (everyone|all (your )?(customers|contacts))|send (this )?to (everyone|all)|mass (text|message)|developer mode|jailbreak)\b/i;
/** Only confident spam goes unanswered; a doubtful one still gets a draft a person can throw away. */
export const SPAM_DROP_CONFIDENCE = 0.6;
/** Without an emergency rule, the model must be this sure before a message pages on-call. */
export const ROUTE_EMERGENCY_CONFIDENCE = 0.9;

/**
 * Whether a message (a text, an email, a voicemail transcript) pages on-call: paging wakes a technician,
 * so it takes an emergency rule (gas, CO, fire, flooding, vulnerable people without heat or cooling) or a
 * model that is sure; a less certain "emergency" is held for a person.
 */
export const routesAsEmergency = (c: { urgency: string; confidences: { urgency: number } }, text: string): boolean =>
  c.urgency === 'emergency' && (emergencyRules(text).length > 0 || c.confidences.urgency >= ROUTE_EMERGENCY_CONFIDENCE);

export const looksLikeInjection = (text: string): boolean => INJECTION.test(text);

/** The name to greet: the first name, or the first word of a display name that is a name (not a phone number or address). */
export function firstNameOf(c: { first_name: string | null; display_name: string }): string | null {
  if (c.first_name) return c.first_name;
  const word = c.display_name.trim().split(/\s+/)[0] ?? '';
  return /^\p{L}[\p{L}'-]*$/u.test(word) ? word : null;
}

export interface DraftOutcome {
  interactionId: string;
  /** emergency_routed: safety message sent, on-call paged (no draft waits for approval). */
  outcome: 'drafted' | 'auto_sent' | 'skipped' | 'emergency_routed';
  reason?: string;
  draftId?: string;
  classificationId?: string;
}

/** Classifies one inbound message and drafts its reply (idempotent per interaction). */
export async function draftReplyForInteraction(ctx: AppContext, llm: LlmClient | null, businessId: string, interactionId: string): Promise<DraftOutcome> {
  const db = ctx.db.kysely;
  const skip = (reason: string): DraftOutcome => ({ interactionId, outcome: 'skipped', reason });
  const i = await db.selectFrom('interactions').selectAll().where('business_id', '=', businessId).where('id', '=', interactionId).executeTakeFirst();
  if (!i || i.direction !== 'inbound' || (i.kind !== 'sms' && i.kind !== 'email')) return skip('not an inbound text or email');
  const metadata = JSON.parse(i.metadata || '{}') as { keyword?: string; autoReply?: boolean };
  if (metadata.keyword) return skip(`compliance keyword (${metadata.keyword}) is answered by the engine`);
  if (metadata.autoReply) return skip('automatic reply');
  const text = [i.subject, i.body].filter(Boolean).join('\n').trim();
  if (!text) return skip('empty message');
  if (await db.selectFrom('drafts').select('id').where('business_id', '=', businessId).where('interaction_id', '=', interactionId).executeTakeFirst()) return skip('already drafted');
  const business = await loadBusiness(db, businessId);
  const contact = await db.selectFrom('contacts').selectAll().where('business_id', '=', businessId).where('id', '=', i.contact_id).executeTakeFirst();
  if (!contact) return skip('contact is gone');
  const settings = intakeSettings(business.settings);
  const services = business.services.map((s) => ({ key: s.key, name: s.name }));
  const corrections = await loadCorrections(db, businessId);
  const understanding = await understandMessage({ llm, log: ctx.log }, text, { services, corrections });
  const c = understanding.result;
  const channel = i.kind as 'sms' | 'email';

  let composed: Awaited<ReturnType<typeof composeReply>> | null = null;
  const dropAsSpam = c.intent === 'spam' && c.confidences.intent >= SPAM_DROP_CONFIDENCE;
  // An emergency is not drafted for approval: it is answered with safety advice and paged now (emergency.ts).
  // Paging wakes a technician, so it takes an emergency rule (gas, CO, fire, flooding, vulnerable people
  // without heat or cooling) or a model that is sure; a less certain "emergency" is drafted and held for a person.
  const emergency = !dropAsSpam && routesAsEmergency(c, text);
  if (!dropAsSpam && !emergency) {
    const history = await db
      .selectFrom('interactions')
      .select(['occurred_at', 'direction', 'kind', 'body'])
      .where('business_id', '=', businessId)
      .where('contact_id', '=', contact.id)
      .where('id', '!=', i.id)
      .orderBy('occurred_at', 'desc')
      .limit(8)
      .execute();
    const fallback = templateReply({ businessName: business.name, firstName: firstNameOf(contact), intent: c.intent, urgency: c.urgency, serviceLabel: serviceLabel(c.serviceType, services), signature: settings.signature ?? null, channel });
    composed = await composeReply(
      { llm, log: ctx.log },
      {
        businessName: business.name,
        voice: settings.voice ?? null,
        contactName: contact.display_name,
        channel,
        message: text,
        intent: c.intent,
        urgency: c.urgency,
        serviceType: c.serviceType,
        history: history.reverse().map((h) => `${String(h.occurred_at).slice(0, 10)} ${h.direction ?? ''} ${h.kind}: ${(h.body ?? '').slice(0, 200)}`),
        fallback: fallback.body,
        fallbackSubject: channel === 'email' ? (i.subject ? `Re: ${i.subject.replace(/^re:\s*/i, '')}` : fallback.subject) : null,
      },
    );
  }

  const scope: Scope = { businessId, actor: systemActor };
  try {
    return await ctx.db.transaction(async (trx) => {
      if (await trx.selectFrom('drafts').select('id').where('business_id', '=', businessId).where('interaction_id', '=', interactionId).executeTakeFirst()) return skip('already drafted');
      const now = isoNow(ctx.clock);
      const stored = await insertClassification(trx, scope, { text, result: c, provider: understanding.provider, source: 'inbound', contactId: contact.id, interactionId, reviewThreshold: settings.reviewThreshold }, now);
      if (emergency) {
        const routed = await routeEmergencyMessage(trx, ctx, business, { contactId: contact.id, interactionId, classificationId: stored.id, channel, text, subject: i.subject }, now);
        return { interactionId, outcome: 'emergency_routed', classificationId: stored.id, reason: `${routed.hazard.replace(/_/g, ' ')}: ${routed.safetyOutboxId ? 'safety message queued' : 'no safety message (cannot be texted)'}; ${routed.paged ? 'on-call paged' : 'urgent callback task for the owner'}` };
      }
      if (!composed) return { interactionId, outcome: 'skipped', reason: 'classified as spam: no reply drafted', classificationId: stored.id };
      const injection = looksLikeInjection(text);
      const holdReason = injection
        ? 'the message contains instructions aimed at the system; a person must review the reply'
        : c.urgency === 'emergency'
          ? `possibly an emergency (${Math.round(c.confidences.urgency * 100)}% sure, no emergency rule matched): check it now and call if needed`
          : stored.status === 'review'
            ? 'classification confidence is below the review threshold'
            : null;
      const row = {
        id: newId(),
        business_id: businessId,
        contact_id: contact.id,
        interaction_id: interactionId,
        classification_id: stored.id,
        kind: c.intent,
        channel,
        subject: composed.subject,
        body: composed.body,
        source: composed.source,
        detail: JSON.stringify({ provider: composed.provider, model: composed.model, fallbackReason: composed.fallbackReason ?? understanding.fallbackReason, holdReason }),
        status: 'pending',
        outbox_id: null,
        decided_by: null,
        decided_at: null,
        created_at: now,
        updated_at: now,
      };
      await trx.insertInto('drafts').values(row).execute();
      await appendEvents(trx, businessId, systemActor, now, [event('draft.created', { draftId: row.id, contactId: contact.id, kind: row.kind, channel })]);
      if (settings.autoSend.includes(c.intent as never) && !holdReason) {
        try {
          await approveDraftIn(trx, ctx, { businessId, actor: { type: 'automation', id: 'intake.auto_send' } }, row);
          return { interactionId, outcome: 'auto_sent', draftId: row.id, classificationId: stored.id };
        } catch (err) {
          // The gate refused (opted out, no address): the draft stays pending for a person.
          if (!(err instanceof Error && 'code' in err && (err as { code: string }).code === 'CONFLICT')) throw err;
        }
      }
      return { interactionId, outcome: 'drafted', draftId: row.id, classificationId: stored.id };
    });
  } catch (err) {
    // Another worker drafted the same message first (unique per interaction).
    if (fromDatabaseError(err)?.code === 'CONFLICT') return skip('already drafted');
    throw err;
  }
}

/**
 * One pass over new message-received events (oldest first). Events older
 * than `maxAgeHours` (history from an import, a first start on an old
 * database) are passed over without drafting.
 */
export async function processInboundMessages(ctx: AppContext, llm: LlmClient | null, opts: { batch?: number; maxAgeHours?: number } = {}): Promise<DraftOutcome[]> {
  const db = ctx.db.kysely;
  const now = isoNow(ctx.clock);
  await db.insertInto('event_cursors').values({ consumer: INTAKE_CURSOR, last_seq: 0, updated_at: now }).onConflict((oc) => oc.column('consumer').doNothing()).execute();
  const cursor = await db.selectFrom('event_cursors').select('last_seq').where('consumer', '=', INTAKE_CURSOR).executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('events')
    .select(['seq', 'business_id', 'payload', 'occurred_at'])
    .where('seq', '>', Number(cursor.last_seq))
    .where('type', '=', 'message.received')
    .orderBy('seq')
    .limit(opts.batch ?? 25)
    .execute();
  const oldest = ctx.clock.now().getTime() - (opts.maxAgeHours ?? 48) * 3_600_000;
  const out: DraftOutcome[] = [];
  for (const e of events) {
    const payload = JSON.parse(e.payload) as { interactionId: string };
    if (new Date(String(e.occurred_at)).getTime() < oldest) out.push({ interactionId: payload.interactionId, outcome: 'skipped', reason: 'too old to answer' });
    else out.push(await draftReplyForInteraction(ctx, llm, e.business_id, payload.interactionId));
    await db.updateTable('event_cursors').set({ last_seq: Number(e.seq), updated_at: isoNow(ctx.clock) }).where('consumer', '=', INTAKE_CURSOR).where('last_seq', '<', Number(e.seq)).execute();
  }
  await markSentDrafts(ctx);
  return out;
}
