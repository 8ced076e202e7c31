import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { widgetScript, widgetStylesheet } from '../../widget/assets.ts';
import { postVisitorMessage, readVisitorThread, sendChatReply, startWidgetChat } from '../../widget/chat.ts';
import { takeWidgetHit, type WidgetLimit } from '../../widget/rate-limit.ts';
import { widgetTexts } from '../../widget/settings.ts';
import { issueFormToken } from '../../widget/spam.ts';
import { FORM_THANKS, submitWidgetForm } from '../../widget/submit-form.ts';
import { widgetBusiness, type VisitorMeta } from '../../widget/visitor.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const tags = ['Widget'];
const businessQuery = z.object({ business: z.string().describe('the business slug from the snippet') });
const meta = (req: FastifyRequest): VisitorMeta => ({ ip: req.ip, userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null });
const slugOf = (req: FastifyRequest) => (req.query as { business?: unknown }).business;

/**
 * The website widget (src/widget): the script a business pastes into its site,
 * and the public endpoints it calls from any origin — CORS for every origin,
 * never with credentials (no cookie is read or set here) — each limited per
 * address. Plus the Inbox's reply into a visitor's chat (a logged-in route).
 */
export function registerWidgetRoutes(app: FastifyInstance, ctx: AppContext): void {
  // After helmet's own onRequest hook: these responses are meant to be used by other sites.
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/widget')) return;
    void reply.header('access-control-allow-origin', '*');
    void reply.header('cross-origin-resource-policy', 'cross-origin');
    void reply.header('vary', 'accept-encoding');
  });
  const limited = async (req: FastifyRequest, limit: WidgetLimit) => {
    const found = await widgetBusiness(ctx, slugOf(req));
    await takeWidgetHit(ctx, limit, req.ip);
    return found;
  };

  app.get('/widget.js', { schema: { tags, summary: 'The widget script to paste into a website: <script src=".../widget.js?business=<slug>" async></script>', querystring: businessQuery } }, async (req, reply) => {
    await widgetBusiness(ctx, slugOf(req));
    const js = widgetScript();
    void reply.header('content-type', 'text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(gzipped(js));
    return reply.send(js);
  });
  app.get('/widget.css', { schema: { tags, summary: "The widget's stylesheet in the business's colour (for browsers without constructed stylesheets)", querystring: businessQuery } }, async (req, reply) => {
    const { settings } = await widgetBusiness(ctx, slugOf(req));
    return reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(widgetStylesheet(settings.color));
  });
  app.options('/widget/*', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('access-control-allow-methods', 'GET, POST').header('access-control-allow-headers', 'content-type, x-chat-token').header('access-control-max-age', '600').code(204).send(),
  );
  app.get('/widget/config', { schema: { tags, summary: 'What the widget shows (name, services, theme, greeting, consent line) and a fresh form token', querystring: businessQuery } }, async (req, reply) => {
    const { business, settings } = await limited(req, 'config');
    void reply.header('cache-control', 'no-store');
    return {
      enabled: settings.enabled,
      business: business.name,
      form: settings.form,
      chat: settings.chat,
      theme: { color: settings.color, position: settings.position },
      texts: widgetTexts(settings, business.name),
      services: business.services.map((s) => ({ key: s.key, name: s.name })),
      formToken: issueFormToken(ctx.config.secret ?? '', business.id, ctx.clock.now()),
    };
  });
  app.post(
    '/widget/leads',
    { schema: { tags, summary: 'The lead form: { name, phone?, email?, service?, urgency?, message?, consent?, consentText?, pageUrl?, formToken, website (honeypot) } → a lead (201)', querystring: businessQuery } },
    async (req, reply) => {
      const { business, settings } = await limited(req, 'form');
      await submitWidgetForm(ctx, business, settings, req.body, meta(req));
      return reply.code(201).send({ status: 'received', message: FORM_THANKS });
    },
  );
  app.post(
    '/widget/chat',
    { schema: { tags, summary: 'Start a chat: { name, phone?, email?, message, pageUrl?, formToken, website (honeypot) } → { token, messages }', querystring: businessQuery } },
    async (req, reply) => {
      const { business } = await limited(req, 'chatStart');
      return reply.code(201).send(await startWidgetChat(ctx, business, req.body, meta(req)));
    },
  );
  app.post('/widget/chat/messages', { schema: { tags, summary: "The visitor's next message (header X-Chat-Token): { body }", querystring: businessQuery } }, async (req, reply) => {
    const { business } = await limited(req, 'chatMessage');
    return reply.code(201).send(await postVisitorMessage(ctx, business, req.headers['x-chat-token'], req.body));
  });
  app.get('/widget/chat/messages', { schema: { tags, summary: "The visitor's conversation (header X-Chat-Token); ?after=<message id> for what is new", querystring: businessQuery.extend({ after: z.string().optional() }) } }, async (req, reply) => {
    const { business } = await limited(req, 'chatPoll');
    void reply.header('cache-control', 'no-store');
    return readVisitorThread(ctx, business, req.headers['x-chat-token'], { after: (req.query as { after?: unknown }).after });
  });

  app.post(
    '/contacts/:id/chat-replies',
    { schema: { tags, summary: "Answer a contact's website chat from the Inbox: { body }; the visitor's widget shows it (409 when they never chatted)", params: idParams, body: z.object({ body: z.string() }) } },
    async (req, reply) => reply.code(201).send(await sendChatReply(ctx, scopeOf(req), (req.params as { id: string }).id, req.body)),
  );
}

let gz: { source: string; bytes: Buffer } | null = null;
const gzipped = (js: string): Buffer => {
  if (gz?.source !== js) gz = { source: js, bytes: gzipSync(js, { level: 9 }) };
  return gz.bytes;
};
