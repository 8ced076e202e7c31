import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import type { Resource } from '../../crm/shared/resource.ts';
import { companies } from '../../crm/companies/companies.ts';
import { deals } from '../../crm/deals/deals.ts';
import { interactions } from '../../crm/interactions/interactions.ts';
import { jobs } from '../../crm/jobs/jobs.ts';
import { reviews } from '../../crm/reviews/reviews.ts';
import { tasks } from '../../crm/tasks/tasks.ts';
import { scopeOf } from '../auth.ts';

export const idParams = z.object({ id: z.string().min(1).max(64) });

/** List/create/read/update/delete routes for one CRM resource; the domain does the validation. */
export function registerResource(app: FastifyInstance, ctx: AppContext, path: string, tag: string, resource: Resource<{ id: string }>): void {
  const label = resource.entityType.replace(/_/g, ' ');
  app.get(path, { schema: { tags: [tag], summary: `List ${label}s (filters, cursor pagination)`, querystring: resource.filterSchema } }, (req) =>
    resource.list(ctx, scopeOf(req), req.query),
  );
  app.post(path, { schema: { tags: [tag], summary: `Create a ${label}`, body: resource.createSchema } }, async (req, reply) =>
    reply.code(201).send(await resource.create(ctx, scopeOf(req), req.body)),
  );
  app.get(`${path}/:id`, { schema: { tags: [tag], summary: `Get a ${label}`, params: idParams } }, (req) =>
    resource.get(ctx, scopeOf(req), (req.params as { id: string }).id),
  );
  app.patch(`${path}/:id`, { schema: { tags: [tag], summary: `Update a ${label}`, params: idParams, body: resource.patchSchema } }, (req) =>
    resource.update(ctx, scopeOf(req), (req.params as { id: string }).id, req.body),
  );
  app.delete(`${path}/:id`, { schema: { tags: [tag], summary: `Delete a ${label}`, params: idParams } }, async (req, reply) => {
    await resource.remove(ctx, scopeOf(req), (req.params as { id: string }).id);
    return reply.code(204).send();
  });
}

export function registerResourceRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerResource(app, ctx, '/companies', 'Companies', companies);
  registerResource(app, ctx, '/interactions', 'Interactions', interactions);
  registerResource(app, ctx, '/jobs', 'Jobs', jobs);
  registerResource(app, ctx, '/deals', 'Deals', deals);
  registerResource(app, ctx, '/tasks', 'Tasks', tasks);
  registerResource(app, ctx, '/reviews', 'Reviews', reviews);
}
