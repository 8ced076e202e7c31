/**
 * Classify a message on request (API): the business's services and
 * corrections apply, the LLM when configured; the result is stored, and goes
 * to the review queue when its confidence is below the business's threshold.
 */
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { idField } from '../../crm/shared/fields.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { notFound } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { createLlmClient } from '../llm/provider.ts';
import { intakeSettings } from './settings.ts';
import { insertClassification, loadCorrections, type StoredClassification } from './store.ts';
import { understandMessage } from './understand.ts';

const classifyInput = z.object({ text: z.string().trim().min(1, 'give the message text to classify').max(10_000), contactId: idField.optional() }).strict();

export async function classifyMessage(ctx: AppContext, scope: Scope, input: unknown): Promise<StoredClassification> {
  const i = parseInput(classifyInput, input);
  const business = await getBusiness(ctx, scope.businessId);
  if (i.contactId) {
    const c = await ctx.db.kysely.selectFrom('contacts').select('id').where('business_id', '=', scope.businessId).where('id', '=', i.contactId).executeTakeFirst();
    if (!c) throw notFound('contact', i.contactId);
  }
  const settings = intakeSettings(business.settings);
  const corrections = await loadCorrections(ctx.db.kysely, scope.businessId);
  const u = await understandMessage({ llm: createLlmClient(ctx.config.llm), log: ctx.log }, i.text, { services: business.services, corrections });
  return ctx.db.transaction((trx) =>
    insertClassification(trx, scope, { text: i.text, result: u.result, provider: u.provider, source: 'api', contactId: i.contactId ?? null, reviewThreshold: settings.reviewThreshold }, isoNow(ctx.clock)),
  );
}
