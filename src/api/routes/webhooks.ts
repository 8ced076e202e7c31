import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import type { AppContext } from '../../context.ts';
import { parseInboundSms, parseStatusCallback, publicRequestUrl, verifyTwilioSignature, type WebhookParams } from '../../channels/twilio-webhooks.ts';
import { handleInboundText, handleSmsStatus } from '../../engine/inbound.ts';
import { verifiedRecipientBusiness, verifyForBusiness } from './twilio-auth.ts';
import { markOptedOut } from '../../engine/outbox/opt-out.ts';
import { findUnsubscribeTarget, markTokenUsed } from '../../engine/unsubscribe.ts';
import { AppError } from '../../lib/errors.ts';
import { InboundEmailRejection, parseInboundEmail } from '../../channels/inbound-email.ts';
import { messageIdHostname } from '../../channels/registry.ts';
import { handleInboundEmail } from '../../engine/inbound.ts';
import { scopeOf } from '../auth.ts';
import { isoNow } from '../../lib/clock.ts';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** j•••@example.com: enough for a person to recognise their address on a page anyone with the link can open. */
const maskAddress = (address: string): string => address.replace(/^(.)[^@]*(@.*)$/u, '$1•••$2');

/**
 * Public endpoints called by providers and recipients. Twilio requests must
 * carry a valid X-Twilio-Signature for our public URL (403 otherwise).
 */
export async function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scoped) => {
    await scoped.register(formbody);
    scoped.post('/webhooks/twilio/sms', { schema: { tags: ['Webhooks'], summary: 'Inbound SMS from Twilio (signed by the account of the business that owns the To number)' } }, async (req, reply) => {
      const params = (req.body ?? {}) as WebhookParams;
      const to = typeof params.To === 'string' ? params.To.trim() : '';
      const business = await verifiedRecipientBusiness(ctx, req, params, to, typeof params.MessagingServiceSid === 'string' ? params.MessagingServiceSid : null);
      const sms = parseInboundSms(params);
      const result = await handleInboundText(ctx, business, { from: sms.from, to: sms.to, body: sms.body, messageSid: sms.messageSid });
      const twiml = new twilio.twiml.MessagingResponse();
      if (result.reply) twiml.message(result.reply);
      return reply.type('text/xml').send(twiml.toString());
    });
    scoped.post('/webhooks/twilio/status', { schema: { tags: ['Webhooks'], summary: 'Twilio message status callback (signed by the sending business\'s account)' } }, async (req, reply) => {
      const params = (req.body ?? {}) as WebhookParams;
      const sid = typeof params.MessageSid === 'string' ? params.MessageSid : '';
      const row = sid ? await ctx.db.kysely.selectFrom('outbox').select('business_id').where('provider_message_id', '=', sid).executeTakeFirst() : undefined;
      if (row) await verifyForBusiness(ctx, req, params, row.business_id);
      else {
        // Not one of ours: answer only a request the install's account signed.
        const token = ctx.config.twilio?.authToken;
        if (!token || !verifyTwilioSignature(token, publicRequestUrl(ctx.config.publicUrl, req.url), params, req.headers['x-twilio-signature'])) throw new AppError('FORBIDDEN', 'invalid X-Twilio-Signature');
      }
      const update = parseStatusCallback(params);
      await handleSmsStatus(ctx, update);
      return reply.code(204).send();
    });
    // RFC 8058 one-click: mail clients POST (no cookie, no session) and are unsubscribed at once. A GET — a person's
    // click, or a link scanner / mail prefetcher — only shows a page whose button POSTs, so nothing happens on GET.
    const html = (reply: FastifyReply, status: number, title: string, body: string) =>
      reply
        .code(status)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('x-robots-tag', 'noindex')
        .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`);
    const invalid = (reply: FastifyReply) => html(reply, 404, 'This unsubscribe link is not valid', '<p>Check that the whole link was copied from the email.</p>');
    const unsubscribed = (reply: FastifyReply, t: { address: string; businessName: string }) =>
      html(reply, 200, `You are unsubscribed from ${t.businessName}`, `<p>${escapeHtml(maskAddress(t.address))} gets no more marketing emails from ${escapeHtml(t.businessName)}.</p>`);
    const tokenOf = (req: FastifyRequest) => (req.params as { token: string }).token;
    const wantsHtml = (req: FastifyRequest) => /text\/html/.test(String(req.headers.accept ?? ''));
    scoped.get('/unsubscribe/:token', { schema: { tags: ['Webhooks'], summary: 'Unsubscribe page: shows what the link unsubscribes, with a button that POSTs (a GET changes nothing)' } }, async (req, reply) => {
      const target = await findUnsubscribeTarget(ctx.db.kysely, tokenOf(req));
      if (!target) return invalid(reply);
      if (target.usedAt) return unsubscribed(reply, target);
      const who = escapeHtml(maskAddress(target.address));
      return html(
        reply,
        200,
        `Unsubscribe from ${target.businessName}?`,
        `<p>Stop marketing emails from ${escapeHtml(target.businessName)} to ${who}.</p><form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form><p>Messages about your appointments still reach you.</p>`,
      );
    });
    scoped.post('/unsubscribe/:token', { schema: { tags: ['Webhooks'], summary: 'One-click unsubscribe (RFC 8058): body List-Unsubscribe=One-Click; no session needed' } }, async (req, reply) => {
      const token = tokenOf(req);
      const target = await ctx.db.transaction(async (trx) => {
        const t = await findUnsubscribeTarget(trx, token);
        if (!t) return null;
        const at = isoNow(ctx.clock);
        const contact = await trx.selectFrom('contacts').select('id').where('business_id', '=', t.businessId).where('id', '=', t.contactId).executeTakeFirst();
        if (contact && !t.usedAt) await markOptedOut(trx, t.businessId, t.contactId, 'email', t.address, 'one-click unsubscribe link', at);
        await markTokenUsed(trx, token, at);
        return t;
      });
      if (!target) {
        if (wantsHtml(req)) return invalid(reply);
        throw new AppError('NOT_FOUND', 'this unsubscribe link is not valid');
      }
      if (wantsHtml(req)) return unsubscribed(reply, target);
      return reply.code(200).send({ unsubscribed: true, channel: target.channel });
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
      try {
        const result = await handleInboundEmail(ctx, email, messageIdHostname(ctx.config.publicUrl), scope.businessId);
        return reply.code(202).send({ accepted: true, contactId: result?.contactId ?? null });
      } catch (err) {
        // A message that can never be taken (no From, nobody receives at the address) is the sender's problem: a 4xx naming it.
        if (err instanceof InboundEmailRejection) throw new AppError(err.permanent ? 'VALIDATION_FAILED' : 'CONFLICT', err.message);
        throw err;
      }
    });
  });
}
