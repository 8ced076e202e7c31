import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { businessSummary } from '../crm/summary.ts';
import { registerAuth, scopeOf } from './auth.ts';
import { makeErrorHandler, notFoundHandler, type ErrorLog } from './errors.ts';
import { registerInputRules } from './input.ts';
import { registerPermissions } from './permissions.ts';
import { registerCsrfCheck, registerSecurityHeaders } from './security.ts';
import { registerAccessRoutes } from './routes/access.ts';
import { registerBookingRoutes } from './routes/booking.ts';
import { registerContactRoutes } from './routes/contacts.ts';
import { registerDashboard } from './routes/dashboard.ts';
import { registerIntelligenceRoutes } from './routes/intelligence.ts';
import { registerOperatorRoutes } from './routes/operator.ts';
import { registerStreamRoutes } from './routes/stream.ts';
import { registerLogRoutes } from './routes/log.ts';
import { registerResourceRoutes } from './routes/resources.ts';
import { registerAutomationRoutes, registerWebhookSubscriptionRoutes } from './routes/automations.ts';
import { registerPlaybookRoutes } from './routes/playbooks.ts';
import { registerInboundEmailRoute, registerWebhookRoutes } from './routes/webhooks.ts';
import { registerVoiceRoutes } from './routes/voice.ts';
import { registerIntakeRoutes } from './routes/drafts.ts';
import { registerInsightRoutes } from './routes/insights.ts';
import { registerChannelRoutes } from './routes/channels.ts';
import { registerDevInboundRoutes } from './routes/dev-inbound.ts';
import { registerPipelineRoutes } from './routes/pipeline.ts';
import { registerWidgetRoutes } from './routes/widget.ts';

export interface ServerOptions {
  logger?: boolean;
  /** Called for every route as it is registered (tests use it to prove each route is covered). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

/** Builds the HTTP API (not listening): tests call inject(), `kinetic start` calls listen(). */
export async function buildServer(ctx: AppContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  const errorHandler = makeErrorHandler(ctx.log as ErrorLog, ctx.config.logLevel);
  const app = Fastify({
    // A caller's own X-Request-Id (a proxy's) when it is a plain token, else a fresh one; logged with every 5xx and sent back.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    logger: options.logger ? { level: ctx.config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] } : false,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Which X-Forwarded-For hops to believe (KINETIC_TRUST_PROXY); the narrow type keeps Fastify's overloads on plain HTTP/1.
    trustProxy: ctx.config.trustProxy as boolean,
    ajv: { customOptions: { removeAdditional: false } },
    // Bad percent-encoding and over-long path segments are rejected by the router, before any
    // route or hook runs; without this they get Fastify's own error body instead of Kinetic's.
    frameworkErrors: errorHandler,
  });
  const onRoute = options.onRoute;
  if (onRoute) app.addHook('onRoute', (route) => onRoute({ method: route.method, url: route.url }));
  // The domain validates every input with zod (one place, one error shape); route schemas only document.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);
  registerInputRules(app);
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  await app.register(cookie);
  await registerSecurityHeaders(app, ctx);
  registerCsrfCheck(app, ctx);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Kinetic API', version: '1', description: 'The CRM memory layer and execution layer of Kinetic. Authenticate with `Authorization: Bearer <api key>` or the session cookie from POST /auth/login. Errors: `{ "error": { "code", "message", "details" } }`.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerAuth(app, ctx);
  registerPermissions(app, ctx);
  app.get('/health', { schema: { tags: ['System'], summary: 'Liveness and database check' } }, async () => {
    await ctx.db.kysely.selectFrom('businesses').select('id').limit(1).execute();
    return { status: 'ok', database: ctx.db.dialect, time: ctx.clock.now().toISOString() };
  });
  app.get('/summary', { schema: { tags: ['Business'], summary: 'Headline numbers: contacts by stage, open deals, jobs, tasks, reviews' } }, (req) => businessSummary(ctx, scopeOf(req)));
  registerAccessRoutes(app, ctx);
  registerContactRoutes(app, ctx);
  registerResourceRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerAutomationRoutes(app, ctx);
  registerWebhookSubscriptionRoutes(app, ctx);
  registerPlaybookRoutes(app, ctx);
  await registerWebhookRoutes(app, ctx);
  await registerVoiceRoutes(app, ctx);
  registerInboundEmailRoute(app, ctx);
  registerStreamRoutes(app, ctx);
  registerOperatorRoutes(app, ctx);
  registerIntakeRoutes(app, ctx);
  registerBookingRoutes(app, ctx);
  registerInsightRoutes(app, ctx);
  registerIntelligenceRoutes(app, ctx);
  registerChannelRoutes(app, ctx);
  registerDevInboundRoutes(app, ctx);
  registerPipelineRoutes(app, ctx);
  registerWidgetRoutes(app, ctx);
  registerDashboard(app, ctx);
  return app;
}
