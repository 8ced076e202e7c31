import type { AppContext, Scope } from '../../context.ts';
import { loadBusiness } from '../../crm/businesses/businesses.ts';
import { isoNow } from '../../lib/clock.ts';
import type { LlmClient } from '../llm/provider.ts';
import { routeEmergencyMessage } from './emergency.ts';
import { routesAsEmergency } from './inbound.ts';
import { intakeSettings } from './settings.ts';
import { insertClassification, loadCorrections } from './store.ts';
import { understandMessage } from './understand.ts';

export interface VoicemailReading {
  classificationId: string | null;
  urgency: string | null;
  /** emergency_routed: the caller was texted the safety message and on-call paged, as for an emergency text. */
  outcome: 'classified' | 'emergency_routed' | 'skipped';
  reason?: string;
}

/**
 * A voicemail's transcript is read like a text: the same intake classifier
 * (with the business's services and corrections, and the LLM when one is
 * configured), stored with its confidence against the call's interaction. An
 * emergency takes the same on-call route as an emergency text (emergency.ts):
 * the caller is texted the safety message for their hazard and on-call is
 * paged, escalating until someone takes it. Anything else is already on its
 * way to a person (the missed-call text-back and the callback task). Reading
 * happens outside any transaction; once per interaction.
 */
export async function readVoicemail(ctx: AppContext, llm: LlmClient | null, businessId: string, v: { interactionId: string; contactId: string; transcript: string }): Promise<VoicemailReading> {
  const text = v.transcript.trim();
  if (!text) return { classificationId: null, urgency: null, outcome: 'skipped', reason: 'empty transcript' };
  const db = ctx.db.kysely;
  const already = await db.selectFrom('intake_classifications').select('id').where('business_id', '=', businessId).where('interaction_id', '=', v.interactionId).where('source', '=', 'voicemail').executeTakeFirst();
  if (already) return { classificationId: already.id, urgency: null, outcome: 'skipped', reason: 'already read' };
  const business = await loadBusiness(db, businessId);
  const settings = intakeSettings(business.settings);
  const understanding = await understandMessage({ llm, log: ctx.log }, text, { services: business.services.map((s) => ({ key: s.key, name: s.name })), corrections: await loadCorrections(db, businessId) });
  const c = understanding.result;
  const scope: Scope = { businessId, actor: { type: 'system', id: null } };
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    const stored = await insertClassification(trx, scope, { text, result: c, provider: understanding.provider, source: 'voicemail', contactId: v.contactId, interactionId: v.interactionId, reviewThreshold: settings.reviewThreshold }, now);
    if (!routesAsEmergency(c, text)) return { classificationId: stored.id, urgency: c.urgency, outcome: 'classified' };
    const routed = await routeEmergencyMessage(trx, ctx, business, { contactId: v.contactId, interactionId: v.interactionId, classificationId: stored.id, channel: 'sms', via: 'voicemail', text, subject: null }, now);
    return {
      classificationId: stored.id,
      urgency: c.urgency,
      outcome: 'emergency_routed',
      reason: `${routed.hazard.replace(/_/g, ' ')}: ${routed.safetyOutboxId ? 'safety message queued' : 'no safety message (cannot be texted)'}; ${routed.paged ? 'on-call paged' : 'urgent callback task for the owner'}`,
    };
  });
}
