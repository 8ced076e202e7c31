import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { createAutomation, deleteAutomation, getAutomation, listAutomations, setAutomationStatus, updateAutomation, validateDefinition } from '../../engine/automations.ts';
import { automationDefinitionSchema } from '../../engine/definition.ts';
import { controlEnrollment, controlOutbox, decideApproval, explainContact, getEnrollment, listApprovals, listEnrollments, listOutbox } from '../../engine/manage.ts';
import { simulateAutomation } from '../../engine/simulate.ts';
import { deriveBusinessSecret } from '../../engine/webhooks/sign.ts';
import { createSubscription, deleteSubscription, getSubscription, listSubscriptions, setSubscriptionStatus } from '../../engine/webhooks/subscriptions.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const id = (req: { params: unknown }) => (req.params as { id: string }).id;
const tags = ['Automations'];

export function registerAutomationRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/automations', { schema: { tags, summary: 'Automations with enrolment counts' } }, (req) => listAutomations(ctx, scopeOf(req), req.query));
  app.post('/automations', { schema: { tags, summary: 'Create an automation from a JSON document (disabled unless enabled: true)', body: z.object({ definition: automationDefinitionSchema, enabled: z.boolean().optional() }) } }, async (req, reply) =>
    reply.code(201).send(await createAutomation(ctx, scopeOf(req), req.body)),
  );
  app.post('/automations/validate', { schema: { tags, summary: 'Check an automation document without saving it', body: automationDefinitionSchema } }, async (req) => {
    const scope = scopeOf(req);
    return { valid: true, definition: await validateDefinition(ctx.db.kysely, scope.businessId, req.body, { allowPrivate: ctx.config.webhooksAllowPrivate }) };
  });
  app.get('/automations/:id', { schema: { tags, params: idParams } }, (req) => getAutomation(ctx, scopeOf(req), id(req)));
  app.put('/automations/:id', { schema: { tags, summary: 'Save a new version; enrolments in flight keep theirs', params: idParams, body: z.object({ definition: automationDefinitionSchema }) } }, (req) =>
    updateAutomation(ctx, scopeOf(req), id(req), req.body),
  );
  app.post('/automations/:id/enable', { schema: { tags, params: idParams } }, (req) => setAutomationStatus(ctx, scopeOf(req), id(req), 'enabled'));
  app.post('/automations/:id/disable', { schema: { tags, params: idParams } }, (req) => setAutomationStatus(ctx, scopeOf(req), id(req), 'disabled'));
  app.delete('/automations/:id', { schema: { tags, params: idParams } }, async (req, reply) => {
    await deleteAutomation(ctx, scopeOf(req), id(req));
    return reply.code(204).send();
  });
  app.post(
    '/automations/:id/simulate',
    { schema: { tags, summary: 'Replay on past data on a virtual clock: what would have been sent, when, to whom and why (sends nothing)', params: idParams, body: z.object({ from: z.string(), to: z.string() }) } },
    (req) => simulateAutomation(ctx, scopeOf(req), id(req), req.body),
  );

  app.get('/enrollments', { schema: { tags, summary: 'Enrolments (filter by automation, contact, status)' } }, (req) => listEnrollments(ctx, scopeOf(req), req.query));
  app.get('/enrollments/:id', { schema: { tags, summary: 'An enrolment with every step it took', params: idParams } }, (req) => getEnrollment(ctx, scopeOf(req), id(req)));
  for (const action of ['retry', 'cancel', 'ack'] as const) {
    app.post(`/enrollments/:id/${action}`, { schema: { tags, summary: action === 'ack' ? 'Acknowledge an on-call page (stops escalation)' : `${action[0].toUpperCase()}${action.slice(1)} an enrolment`, params: idParams } }, (req) =>
      controlEnrollment(ctx, scopeOf(req), id(req), action),
    );
  }
  app.get('/contacts/:id/automations', { schema: { tags, summary: 'For one contact: what ran, what is next, and why (or why not)', params: idParams } }, async (req) => ({ data: await explainContact(ctx, scopeOf(req), id(req)) }));

  app.get('/approvals', { schema: { tags: ['Approvals'], summary: 'Approvals (pending first to decide)' } }, (req) => listApprovals(ctx, scopeOf(req), req.query));
  app.post('/approvals/:id/decide', { schema: { tags: ['Approvals'], summary: 'Approve or reject; the waiting enrolment resumes', params: idParams, body: z.object({ decision: z.enum(['approve', 'reject']), reason: z.string().optional() }) } }, (req) =>
    decideApproval(ctx, scopeOf(req), id(req), req.body, req.principal?.user?.role ?? null),
  );

  app.get('/outbox', { schema: { tags: ['Outbox'], summary: 'Every outbound message and its state (the dev outbox when no provider is configured)' } }, (req) => listOutbox(ctx, scopeOf(req), req.query));
  app.post('/outbox/:id/retry', { schema: { tags: ['Outbox'], params: idParams } }, (req) => controlOutbox(ctx, scopeOf(req), id(req), 'retry'));
  app.post('/outbox/:id/cancel', { schema: { tags: ['Outbox'], params: idParams } }, (req) => controlOutbox(ctx, scopeOf(req), id(req), 'cancel'));
}

/** Outbound webhook subscriptions: signed POSTs of domain events to the business's own endpoints. */
export function registerWebhookSubscriptionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const wtags = ['Outbound webhooks'];
  const opts = { allowPrivate: ctx.config.webhooksAllowPrivate };
  app.get('/webhook-subscriptions', { schema: { tags: wtags, summary: 'Event subscriptions (secrets are never shown again)' } }, async (req) => ({ data: await listSubscriptions(ctx, scopeOf(req)) }));
  app.post(
    '/webhook-subscriptions',
    { schema: { tags: wtags, summary: 'Subscribe a URL to events; returns the signing secret once', body: z.object({ url: z.string(), eventTypes: z.array(z.string()) }) } },
    async (req, reply) => reply.code(201).send(await createSubscription(ctx, scopeOf(req), req.body, opts)),
  );
  app.get('/webhook-subscriptions/:id', { schema: { tags: wtags, params: idParams } }, (req) => getSubscription(ctx, scopeOf(req), id(req)));
  app.post('/webhook-subscriptions/:id/enable', { schema: { tags: wtags, params: idParams } }, (req) => setSubscriptionStatus(ctx, scopeOf(req), id(req), 'active'));
  app.post('/webhook-subscriptions/:id/disable', { schema: { tags: wtags, params: idParams } }, (req) => setSubscriptionStatus(ctx, scopeOf(req), id(req), 'disabled'));
  app.delete('/webhook-subscriptions/:id', { schema: { tags: wtags, params: idParams } }, async (req, reply) => {
    await deleteSubscription(ctx, scopeOf(req), id(req));
    return reply.code(204).send();
  });
  app.get('/webhook-subscriptions/signing-secret', { schema: { tags: wtags, summary: 'The secret that signs automation-step webhooks (Kinetic-Signature: t=…,v1=HMAC-SHA256(secret, "t.body"))' } }, async (req) => ({
    secret: deriveBusinessSecret(ctx.config.secret ?? '', scopeOf(req).businessId),
  }));
}
