import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { exportCounts, exportEntities, exportEntityCsv, exportEntityJson } from '../../crm/csv/export-all.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { sendStaffReply } from '../../engine/outbox/staff-reply.ts';
import { integrationStatus, sendTestMessage } from '../../engine/outbox/test-send.ts';
import { scopeOf } from '../auth.ts';
import { registerImportRoutes } from './imports.ts';
import { idParams } from './resources.ts';

/** What the dashboard needs beyond the CRM routes: CSV import with a preview, and replies typed in the inbox. */
export function registerOperatorRoutes(app: FastifyInstance, ctx: AppContext): void {
  registerImportRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  app.post(
    '/contacts/:id/replies',
    {
      schema: {
        tags: ['Outbox'],
        summary: 'Reply to a contact by text or email through the outbox (compliance applies: opted-out contacts are refused with 409, quiet hours delay)',
        params: idParams,
        body: z.object({ channel: z.enum(['sms', 'email']), body: z.string(), subject: z.string().optional(), idempotencyKey: z.string().optional() }),
      },
    },
    async (req, reply) => reply.code(201).send(await sendStaffReply(ctx, scopeOf(req), (req.params as { id: string }).id, req.body)),
  );
  app.get('/integrations', { schema: { tags: ['Business'], summary: 'Which provider sends texts and email, and which AI provider drafts (no secrets)' } }, async (req) => {
    scopeOf(req);
    return integrationStatus(ctx.config);
  });
  app.post(
    '/integrations/test-send',
    { schema: { tags: ['Business'], summary: 'Send a test text or email to a staff address through the outbox', body: z.object({ channel: z.enum(['sms', 'email']), to: z.string() }) } },
    async (req, reply) => reply.code(201).send(await sendTestMessage(ctx, scopeOf(req), req.body)),
  );
}

const exportQuery = z
  .object({
    entity: z.enum(exportEntities as [string, ...string[]]).optional(),
    format: z.enum(['csv', 'json']).default('csv'),
  })
  .strict();

/**
 * Everything out, through the API (the equivalent of `kinetic export all`):
 * without `entity`, the entities and how many rows each has; with it, that
 * entity's rows streamed as CSV (importable for contacts, jobs and
 * interactions) or JSON. Owners and managers only, like any route the
 * permission table does not list.
 */
function registerExportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/exports',
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Export every entity of the business: ?entity=contacts&format=csv|json streams one; without entity, the list of entities with their row counts',
        querystring: z.object({ entity: z.string().optional(), format: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const q = parseInput(exportQuery, req.query);
      const scope = scopeOf(req);
      if (!q.entity) return { entities: await exportCounts(ctx, scope) };
      const body = new PassThrough();
      const run = q.format === 'json' ? exportEntityJson(ctx, scope, q.entity, body) : exportEntityCsv(ctx, scope, q.entity, body);
      run.then(
        () => body.end(),
        (err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))),
      );
      return reply
        .header('content-type', q.format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${q.entity}.${q.format}"`)
        .send(body);
    },
  );
}

