import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppContext, Scope } from '../../context.ts';
import { getBusiness } from '../../crm/businesses/businesses.ts';
import { normalizePhone } from '../../crm/contacts/normalize.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { newId } from '../../lib/ids.ts';
import { validationError } from '../../lib/errors.ts';
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
 * A test message through the outbox, so a person can check that Twilio or
 * SMTP is set up right (in the dev outbox it shows what would go). It goes
 * only to a member of this business's own team (their phone or email on
 * their user) — never to an arbitrary address, which would be a way around
 * consent and suppression — and the row is marked as a test.
 */
export async function sendTestMessage(ctx: AppContext, scope: Scope, input: unknown) {
  const t = parseInput(testInput, input);
  const business = await getBusiness(ctx, scope.businessId);
  const to = t.channel === 'sms' ? normalizePhone(t.to, business.settings.defaultCountry ?? 'US', 'to') : parseInput(z.object({ to: z.email() }), { to: t.to }).to.toLowerCase();
  const column = t.channel === 'sms' ? 'phone' : 'email';
  const member = await ctx.db.kysely
    .selectFrom('users')
    .select(['id', 'name'])
    .where('business_id', '=', scope.businessId)
    .where('disabled_at', 'is', null)
    .where(column, '=', to)
    .executeTakeFirst();
  if (!member) {
    throw validationError([{ field: 'to', message: `test ${t.channel === 'sms' ? 'texts' : 'emails'} go only to a member of this business's team: add the ${t.channel === 'sms' ? 'phone number' : 'address'} to a user first (Settings → Team)` }]);
  }
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
        userId: member.id,
        idempotencyKey: `test-send:${scope.businessId}:${newId()}`,
        notBefore: now,
        isTest: true,
      },
      now,
    ),
  );
  return { id, channel: t.channel, to, toUser: { id: member.id, name: member.name }, test: true, provider: integrationStatus(ctx.config)[t.channel].provider };
}
