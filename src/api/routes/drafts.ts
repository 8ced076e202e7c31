import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { classifyMessage } from '../../intelligence/intake/classify-message.ts';
import { approveDraft, discardDraft, editDraft, getDraft, listDrafts } from '../../intelligence/intake/drafts.ts';
import { correctClassification, getClassification, listClassifications } from '../../intelligence/intake/store.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const id = (req: { params: unknown }) => (req.params as { id: string }).id;

/** Intake: classify messages, the review queue for low-confidence classifications, and reply drafts awaiting approval. */
export function registerIntakeRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tags = ['Intake'];
  app.post(
    '/classify',
    { schema: { tags, summary: 'Classify a message: urgency, intent, service type, confidence (stored; low confidence goes to review)', body: z.object({ text: z.string(), contactId: z.string().optional() }) } },
    async (req, reply) => reply.code(201).send(await classifyMessage(ctx, scopeOf(req), req.body)),
  );
  app.get(
    '/classifications',
    { schema: { tags, summary: 'Stored classifications, newest first (status=review is the human review queue)', querystring: z.object({ status: z.string().optional(), limit: z.string().optional(), cursor: z.string().optional() }) } },
    (req) => listClassifications(ctx, scopeOf(req), req.query),
  );
  app.get('/classifications/:id', { schema: { tags, summary: 'One classification', params: idParams } }, (req) => getClassification(ctx, scopeOf(req), id(req)));
  app.post(
    '/classifications/:id/correct',
    { schema: { tags, summary: "Correct (or confirm) a classification; corrections teach the classifier for this business", params: idParams, body: z.object({ urgency: z.string().optional(), intent: z.string().optional(), serviceType: z.string().nullable().optional() }) } },
    (req) => correctClassification(ctx, scopeOf(req), id(req), req.body),
  );

  const draftTags = ['Drafts'];
  app.get(
    '/drafts',
    { schema: { tags: draftTags, summary: 'Reply drafts, newest first (status=pending: waiting for approval)', querystring: z.object({ status: z.string().optional(), contactId: z.string().optional(), limit: z.string().optional(), cursor: z.string().optional() }) } },
    (req) => listDrafts(ctx, scopeOf(req), req.query),
  );
  app.get('/drafts/:id', { schema: { tags: draftTags, summary: 'One draft', params: idParams } }, (req) => getDraft(ctx, scopeOf(req), id(req)));
  app.patch('/drafts/:id', { schema: { tags: draftTags, summary: 'Edit a pending draft', params: idParams, body: z.object({ body: z.string(), subject: z.string().optional() }) } }, (req) =>
    editDraft(ctx, scopeOf(req), id(req), req.body),
  );
  app.post('/drafts/:id/approve', { schema: { tags: draftTags, summary: 'Approve: the reply goes through the compliance gate into the outbox (returns the draft and the queued message)', params: idParams } }, (req) =>
    approveDraft(ctx, scopeOf(req), id(req)),
  );
  app.post('/drafts/:id/discard', { schema: { tags: draftTags, summary: 'Discard a pending draft', params: idParams } }, (req) => discardDraft(ctx, scopeOf(req), id(req)));
}
