import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import type { AppContext } from '../../context.ts';
import { parseInboundSms, parseStatusCallback, publicRequestUrl, verifyTwilioSignature, type WebhookParams } from '../../channels/twilio-webhooks.ts';
import { assertKnownBusiness, businessByNumber, handleInboundText, handleSmsStatus } from '../../engine/inbound.ts';
import { markOptedOut } from '../../engine/outbox/opt-out.ts';
import { verifyUnsubscribeToken } from '../../engine/unsubscribe.ts';
import { AppError } from '../../lib/errors.ts';
import { parseInboundEmail } from '../../channels/inbound-email.ts';
import { messageIdHostname } from '../../channels/registry.ts';
import { handleInboundEmail } from '../../engine/inbound.ts';
import { scopeOf } from '../auth.ts';
import { isoNow } from '../../lib/clock.ts';

/**
 * Public endpoints called by providers and recipients. Twilio requests must
 * carry a valid X-Twilio-Signature for our public URL (403 otherwise).
 */
export async function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scoped) => {
    await scoped.register(formbody);
    const verify = (req: FastifyRequest): WebhookParams => {
      const params = (req.body ?? {}) as WebhookParams;
      const token = ctx.config.twilio?.authToken;
      if (!token) throw new AppError('FORBIDDEN', 'Twilio is not configured on this server (TWILIO_AUTH_TOKEN)');
      if (!verifyTwilioSignature(token, publicRequestUrl(ctx.config.publicUrl, req.url), params, req.headers['x-twilio-signature'])) {
        throw new AppError('FORBIDDEN', 'invalid X-Twilio-Signature');
      }
      return params;
    };
    scoped.post('/webhooks/twilio/sms', { schema: { tags: ['Webhooks'], summary: 'Inbound SMS from Twilio (signed)' } }, async (req, reply) => {
      const sms = parseInboundSms(verify(req));
      const business = assertKnownBusiness(await businessByNumber(ctx, sms.to), sms.to);
      const result = await handleInboundText(ctx, business, { from: sms.from, body: sms.body, messageSid: sms.messageSid });
      const twiml = new twilio.twiml.MessagingResponse();
      if (result.reply) twiml.message(result.reply);
      return reply.type('text/xml').send(twiml.toString());
    });
    scoped.post('/webhooks/twilio/status', { schema: { tags: ['Webhooks'], summary: 'Twilio message status callback (signed)' } }, async (req, reply) => {
      const update = parseStatusCallback(verify(req));
      await handleSmsStatus(ctx, update);
      return reply.code(204).send();
    });
    // RFC 8058 one-click: mail clients POST here; a person clicking the link gets a confirmation page.
    const unsubscribe = async (req: FastifyRequest) => {
      const token = (req.params as { token: string }).token;
      const who = verifyUnsubscribeToken(ctx.config.secret ?? '', token);
      if (!who) throw new AppError('NOT_FOUND', 'this unsubscribe link is not valid');
      await ctx.db.transaction(async (trx) => {
        const contact = await trx.selectFrom('contacts').select('id').where('business_id', '=', who.businessId).where('id', '=', who.contactId).executeTakeFirst();
        if (contact) await markOptedOut(trx, who.businessId, who.contactId, 'email', who.address, 'one-click unsubscribe link', isoNow(ctx.clock));
      });
      return who;
    };
    scoped.post('/unsubscribe/:token', { schema: { tags: ['Webhooks'], summary: 'One-click unsubscribe (RFC 8058)' } }, async (req, reply) => {
      await unsubscribe(req);
      return reply.code(200).send({ unsubscribed: true });
    });
    scoped.get('/unsubscribe/:token', { schema: { hide: true } }, async (req, reply) => {
      const who = await unsubscribe(req);
      return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Unsubscribed</title><body style="font:16px system-ui;margin:3em"><h1>You are unsubscribed</h1><p>${who.address.replace(/[<>&"]/g, '')} will get no more emails from us.</p></body></html>`);
    });
  });
}

/**
 * Inbound email as raw MIME (`Content-Type: message/rfc822`), for mail
 * providers that forward messages by HTTP. Authenticated with an API key of
 * the receiving business; the built-in SMTP receiver is the other way in.
 */
export function registerInboundEmailRoute(app: FastifyInstance, ctx: AppContext): void {
  app.register(async (scoped) => {
    scoped.addContentTypeParser('message/rfc822', { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    scoped.post('/inbound/email', { schema: { tags: ['Webhooks'], summary: 'Receive an email as raw MIME (message/rfc822); replies end sequences' } }, async (req, reply) => {
      const scope = scopeOf(req);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('BAD_REQUEST', 'send the raw message with Content-Type: message/rfc822');
      const email = await parseInboundEmail(req.body);
      const result = await handleInboundEmail(ctx, email, messageIdHostname(ctx.config.publicUrl), scope.businessId);
      return reply.code(202).send({ accepted: true, contactId: result?.contactId ?? null });
    });
  });
}
