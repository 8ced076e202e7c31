import { PassThrough, Readable, Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { contactFields } from '../../crm/csv/fields.ts';
import { importCsv } from '../../crm/csv/import.ts';
import { importFormats } from '../../crm/csv/shapes.ts';
import { exportCounts, exportEntities, exportEntityCsv, exportEntityJson } from '../../crm/csv/export-all.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { sendStaffReply } from '../../engine/outbox/staff-reply.ts';
import { integrationStatus, sendTestMessage } from '../../engine/outbox/test-send.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const importBody = z
  .object({
    csv: z.string().min(1, 'the CSV file is empty'),
    mapping: z.record(z.string(), z.string()).optional(),
    dryRun: z.boolean().default(false),
    updateExisting: z.boolean().default(false),
    format: z.enum(importFormats).optional(),
  })
  .strict();

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

/**
 * CSV import for the dashboard: the same streaming importer as `kinetic import`,
 * fed from a request body (so limited by KINETIC_BODY_LIMIT_BYTES; the CLI takes
 * files of any size). `dryRun: true` is the preview: mapping, counts and
 * rejected rows, nothing written.
 */
function registerImportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/imports/contacts',
    {
      schema: {
        tags: ['Contacts'],
        summary: 'Import contacts from CSV text (dryRun: preview mapping, counts and errors without writing); rejected rows come back as CSV',
        body: z.object({ csv: z.string(), mapping: z.record(z.string(), z.string()).optional(), dryRun: z.boolean().optional(), updateExisting: z.boolean().optional(), format: z.enum(importFormats).optional() }),
      },
    },
    async (req) => {
      const body = parseInput(importBody, req.body);
      const rejected: Buffer[] = [];
      const errors = new Writable({
        write(chunk: Buffer | string, _enc, done) {
          rejected.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
          done();
        },
      });
      const report = await importCsv(ctx, scopeOf(req), {
        entity: 'contacts',
        input: Readable.from([Buffer.from(body.csv, 'utf8')]),
        mapping: body.mapping,
        dryRun: body.dryRun,
        updateExisting: body.updateExisting,
        format: body.format,
        errors,
      });
      return { ...report, fields: contactFields, errorsCsv: report.rejected + report.warnings > 0 ? Buffer.concat(rejected).toString('utf8') : null };
    },
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

