import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import { parseBusinessNumber } from '../crm/businesses/numbers.ts';
import { normalizePhone } from '../crm/contacts/normalize.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { handleInboundText } from './inbound.ts';

/**
 * A text "received" in development: the same handleInboundText a signed
 * Twilio webhook reaches, with a made-up message sid. Only without Twilio —
 * with Twilio, the only way in is a signed webhook.
 */
const input = z
  .object({
    from: z.string().trim().min(1, 'is required').max(40),
    body: z.string().max(1600),
    to: z.string().trim().max(40).optional(),
  })
  .strict();

export async function simulateInboundText(ctx: AppContext, scope: Scope, raw: unknown) {
  if (ctx.config.twilio) throw new AppError('CONFLICT', 'Twilio is configured: texts arrive from Twilio (signed webhooks), not from this simulator');
  const own = await ctx.db.kysely.selectFrom('business_channels').select('twilio_account_sid').where('business_id', '=', scope.businessId).executeTakeFirst();
  if (own?.twilio_account_sid) throw new AppError('CONFLICT', "this business texts through its own Twilio account: texts arrive from Twilio, not from this simulator");
  const m = parseInput(input, raw);
  const business = await loadBusiness(ctx.db.kysely, scope.businessId);
  const from = normalizePhone(m.from, business.settings.defaultCountry ?? 'US', 'from');
  let to: string | null = null;
  if (m.to) {
    to = await parseBusinessNumber(ctx.db.kysely, scope.businessId, m.to, 'to');
    const owner = await ctx.db.kysely.selectFrom('business_numbers').select('business_id').where('number', '=', to).executeTakeFirst();
    if (owner?.business_id !== scope.businessId) throw new AppError('VALIDATION_FAILED', `${to} is not one of this business's numbers`, { issues: [{ field: 'to', message: 'not one of this business\'s numbers' }] });
  } else {
    to = (await ctx.db.kysely.selectFrom('business_numbers').select('number').where('business_id', '=', scope.businessId).orderBy('created_at').executeTakeFirst())?.number ?? null;
  }
  const messageSid = `SM${newId().replace(/-/g, '').padEnd(32, '0').slice(0, 32)}`;
  const result = await handleInboundText(ctx, business, { from, to, body: m.body, messageSid });
  return {
    simulated: true,
    messageSid,
    from,
    to,
    /** staff: a team member's text (e.g. 1 or OK taking a page); customer: a contact's. */
    handledAs: result.from,
    reply: result.reply,
    contactId: result.from === 'customer' ? result.contactId : null,
    intent: result.from === 'customer' ? result.intent : null,
  };
}
