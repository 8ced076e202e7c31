import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppContext, Scope } from '../../context.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { normalizePhone } from '../../crm/contacts/normalize.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { newId } from '../../lib/ids.ts';
import { enqueueMessage } from './enqueue.ts';

/** Which provider each channel uses (never a secret): what the settings screen shows. */
export function integrationStatus(config: Config) {
  return {
    sms: config.twilio
      ? { provider: 'twilio', configured: true, sender: config.twilio.fromNumber ?? (config.twilio.messagingServiceSid ? 'messaging service' : null) }
      : { provider: 'dev_outbox', configured: false, sender: null },
    email: config.smtp ? { provider: 'smtp', configured: true, sender: config.smtp.from } : { provider: 'dev_outbox', configured: false, sender: null },
    ai: config.llm
      ? { provider: config.llm.provider, configured: true, model: config.llm.model, baseUrl: config.llm.baseUrl }
      : { provider: 'built_in', configured: false, model: null, baseUrl: null },
  };
}

const testInput = z
  .object({
    channel: z.enum(['sms', 'email']),
    to: z.string().trim().min(3).max(254),
  })
  .strict();

/**
 * A test message to a staff address through the outbox, so a person can check
 * that Twilio or SMTP is set up right (in the dev outbox it shows what would go).
 * Not a customer message: no consent applies, and it is not linked to a contact.
 */
export async function sendTestMessage(ctx: AppContext, scope: Scope, input: unknown) {
  const t = parseInput(testInput, input);
  const business = await getBusiness(ctx, scope.businessId);
  const to = t.channel === 'sms' ? normalizePhone(t.to, business.settings.defaultCountry ?? 'US', 'to') : parseInput(z.object({ to: z.email() }), { to: t.to }).to;
  const now = ctx.clock.now().toISOString();
  const { id } = await ctx.db.transaction((trx) =>
    enqueueMessage(
      trx,
      {
        businessId: scope.businessId,
        channel: t.channel,
        purpose: 'transactional',
        to,
        subject: t.channel === 'email' ? `Kinetic test email from ${business.name}` : null,
        body: `This is a test ${t.channel === 'sms' ? 'text' : 'email'} from Kinetic for ${business.name}. If you got it, ${t.channel === 'sms' ? 'texting' : 'email'} is set up.`,
        userId: scope.actor.type === 'user' ? scope.actor.id : null,
        idempotencyKey: `test-send:${scope.businessId}:${newId()}`,
        notBefore: now,
      },
      now,
    ),
  );
  return { id, channel: t.channel, to, provider: integrationStatus(ctx.config)[t.channel].provider };
}
