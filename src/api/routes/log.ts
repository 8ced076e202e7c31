import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { eventCatalog } from '../../events/catalog.ts';
import { listAudit, listEvents } from '../../crm/log.ts';
import { scopeOf } from '../auth.ts';

export function registerLogRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/events', { schema: { tags: ['Events'], summary: 'Domain event log (lead.created, job.completed, deal.won, …), oldest first after a seq' } }, (req) =>
    listEvents(ctx, scopeOf(req), req.query),
  );
  app.get('/events/catalog', { schema: { tags: ['Events'], summary: 'Every event type and its payload fields' } }, async () => ({
    data: Object.entries(eventCatalog).map(([type, schema]) => ({ type, fields: Object.keys(schema.shape) })),
  }));
  app.get('/audit', { schema: { tags: ['Events'], summary: 'Audit log: who changed what' } }, (req) => listAudit(ctx, scopeOf(req), req.query));
}
