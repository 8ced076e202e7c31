import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { publicRequestUrl, verifyTwilioSignature, type WebhookParams } from '../../channels/twilio-webhooks.ts';
import { loadBusiness } from '../../crm/businesses/businesses.ts';
import { twilioAccountFor } from '../../crm/businesses/channels.ts';
import { ownerOfNumber } from '../../crm/businesses/numbers.ts';
import type { Business } from '../../crm/businesses/schema.ts';
import { AppError, validationError } from '../../lib/errors.ts';

/**
 * Twilio webhooks are routed by the business that owns the `To` number (or
 * the Messaging Service), and their X-Twilio-Signature must be made with that
 * business's Twilio account: its own subaccount's auth token when it has
 * one, else the install's. A request signed by another account is a 403, so
 * one tenant's account cannot post texts or calls into another's number.
 * For a number nobody owns, the install's token must still sign the request
 * before the answer says so (404), so the route does not reveal numbers.
 */
const one = (v: string | string[] | undefined): string | null => (Array.isArray(v) ? v[0] ?? null : v ?? null);

function checkSignature(ctx: AppContext, req: FastifyRequest, params: WebhookParams, token: string | null | undefined, what: string): void {
  if (!token) throw new AppError('FORBIDDEN', `Twilio is not configured ${what} (TWILIO_AUTH_TOKEN or the business's own account)`);
  if (!verifyTwilioSignature(token, publicRequestUrl(ctx.config.publicUrl, req.url), params, req.headers['x-twilio-signature'])) {
    throw new AppError('FORBIDDEN', 'invalid X-Twilio-Signature');
  }
}

/** Verifies a request made on behalf of one business (by its account's token) and that it names that account. */
export async function verifyForBusiness(ctx: AppContext, req: FastifyRequest, params: WebhookParams, businessId: string): Promise<void> {
  const account = await twilioAccountFor(ctx.db.kysely, ctx.config, businessId);
  checkSignature(ctx, req, params, account?.authToken, 'for this business');
  const accountSid = one(params.AccountSid);
  if (accountSid && account && accountSid !== account.accountSid) throw new AppError('FORBIDDEN', 'the request is for another Twilio account than the one this number belongs to');
}

/** The business a signed request to `to` (or to a Messaging Service) is for; 403 unsigned or signed by the wrong account, 404 for a number nobody owns. */
export async function verifiedRecipientBusiness(ctx: AppContext, req: FastifyRequest, params: WebhookParams, to: string, messagingServiceSid: string | null = null): Promise<Business> {
  if (!to) {
    checkSignature(ctx, req, params, ctx.config.twilio?.authToken, 'on this server');
    throw validationError([{ field: 'To', message: 'is required' }], 'Not a Twilio request: To is required');
  }
  let businessId = (await ownerOfNumber(ctx.db.kysely, to))?.businessId ?? null;
  if (!businessId && messagingServiceSid) {
    businessId = (await ctx.db.kysely.selectFrom('business_channels').select('business_id').where('messaging_service_sid', '=', messagingServiceSid).executeTakeFirst())?.business_id ?? null;
  }
  if (!businessId) {
    checkSignature(ctx, req, params, ctx.config.twilio?.authToken, 'on this server');
    throw new AppError('NOT_FOUND', `no business uses the number ${to}`);
  }
  await verifyForBusiness(ctx, req, params, businessId);
  return loadBusiness(ctx.db.kysely, businessId);
}
