import { once } from 'node:events';
import { Readable, Transform, Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { contactFields } from '../../crm/csv/fields.ts';
import { importCsv, serverImportBudgetMs, type ImportEntity } from '../../crm/csv/import.ts';
import { cancelImportJob, createImportJob, getImportJob, importJobOptions, importListQuery, importStatuses, listImportJobs, openImportErrors } from '../../crm/csv/import-jobs.ts';
import { importFormats } from '../../crm/csv/shapes.ts';
import { tooLarge } from '../../crm/csv/upload.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { AppError } from '../../lib/errors.ts';
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

const entities = ['contacts', 'jobs', 'interactions', 'deals'] as const satisfies readonly ImportEntity[];
const flag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The query of a streamed upload: what the file is and how to read it (the body is the file itself). */
const uploadQuery = z
  .object({
    entity: z.enum(entities).default('contacts'),
    mapping: z
      .string()
      .max(20_000)
      .transform((text, c) => {
        try {
          return z.record(z.string(), z.string()).parse(JSON.parse(text));
        } catch {
          c.addIssue({ code: 'custom', message: 'must be a JSON object of "CSV header": "field", e.g. {"Cell":"phone"}' });
          return z.NEVER;
        }
      })
      .optional(),
    updateExisting: flag.default(false),
    format: z.enum(importFormats).optional(),
    dryRun: flag.default(false),
    previewRows: z.coerce.number().int().min(1).max(10_000).default(1_000),
    fileName: z.string().max(255).optional(),
  })
  .strict();

/**
 * The request body of an upload, not yet read. Held behind a private field so
 * the input rules that walk every body (NUL characters, broken Unicode) see
 * no properties to walk; the file's text is checked by the importer instead.
 */
class Upload {
  readonly #stream: Readable;
  constructor(stream: Readable) {
    this.#stream = stream;
  }
  get stream(): Readable {
    return this.#stream;
  }
}

/** Passes bytes through until `maxBytes`, then fails with 413. */
function byteLimit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
}

/** Collects a (small) error report in memory: previews and the JSON route, whose inputs are bounded. */
function memorySink(): { out: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { out, text: () => Buffer.concat(parts).toString('utf8') };
}

/** Reads what is left of a request body and throws it away, so the response can follow on the same connection. */
async function discardRest(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed) return;
  body.resume();
  await once(body, 'end').catch(() => undefined);
}

/**
 * CSV import. `POST /imports/contacts` takes the file as JSON text and
 * imports it within the request (so limited by KINETIC_BODY_LIMIT_BYTES): kept
 * for scripts that use it. `POST /imports` takes the file itself as the body
 * (any size up to KINETIC_IMPORT_MAX_BYTES), stores it and answers 202 with an
 * import job a worker runs; `dryRun=true` previews the first rows instead.
 */
export function registerImportRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/imports/contacts',
    {
      schema: {
        tags: ['Imports'],
        summary: 'Import contacts from CSV text within the request (dryRun: preview mapping, counts and errors without writing); rejected rows come back as CSV. For large files use POST /imports',
        body: z.object({ csv: z.string(), mapping: z.record(z.string(), z.string()).optional(), dryRun: z.boolean().optional(), updateExisting: z.boolean().optional(), format: z.enum(importFormats).optional() }),
      },
    },
    async (req) => {
      const body = parseInput(importBody, req.body);
      const errors = memorySink();
      const report = await importCsv(ctx, scopeOf(req), {
        entity: 'contacts',
        input: Readable.from([Buffer.from(body.csv, 'utf8')]),
        mapping: body.mapping,
        dryRun: body.dryRun,
        updateExisting: body.updateExisting,
        format: body.format,
        errors: errors.out,
        transactionBudgetMs: serverImportBudgetMs(ctx),
      });
      return { ...report, fields: contactFields, errorsCsv: report.rejected + report.warnings > 0 ? errors.text() : null };
    },
  );

  app.register(async (uploads) => {
    // The file is the body: handed to the route unread, as a stream (no body limit here; the upload has its own).
    uploads.addContentTypeParser(['text/csv', 'application/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel'], (_req, payload, done) => done(null, new Upload(payload as Readable)));
    uploads.post(
      '/imports',
      {
        schema: {
          tags: ['Imports'],
          summary:
            'Upload a CSV file as the request body (Content-Type: text/csv) to import it in the background: 202 with the import job. dryRun=true instead previews the first previewRows rows (nothing written) and answers with the report',
          querystring: z.object({
            entity: z.enum(entities).optional(),
            mapping: z.string().optional().describe('JSON object: CSV header → field'),
            updateExisting: z.enum(['true', 'false']).optional(),
            format: z.enum(importFormats).optional(),
            dryRun: z.enum(['true', 'false']).optional(),
            previewRows: z.string().optional(),
            fileName: z.string().optional(),
          }),
        },
      },
      async (req, reply) => {
        const scope = scopeOf(req);
        if (!(req.body instanceof Upload)) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV file itself as the request body with Content-Type: text/csv (or the CSV text as JSON to POST /imports/contacts)');
        }
        const body = req.body.stream;
        const q = parseInput(uploadQuery, req.query);
        const declared = Number(req.headers['content-length']);
        if (Number.isFinite(declared) && declared > ctx.config.importMaxBytes) throw tooLarge(ctx.config.importMaxBytes);
        const options = parseInput(importJobOptions, { mapping: q.mapping, updateExisting: q.updateExisting, format: q.format });
        if (q.dryRun) {
          const errors = memorySink();
          const limited = byteLimit(ctx.config.importMaxBytes);
          body.pipe(limited);
          try {
            const report = await importCsv(ctx, scope, { entity: q.entity, input: limited, dryRun: true, maxRows: q.previewRows, errors: errors.out, ...options });
            return { ...report, fields: contactFields, errorsCsv: report.rejected + report.warnings > 0 ? errors.text() : null };
          } finally {
            body.unpipe(limited);
            await discardRest(body);
          }
        }
        const job = await createImportJob(ctx, scope, { entity: q.entity, input: body, fileName: q.fileName, options });
        return reply.code(202).header('location', `/imports/${job.id}`).send(job);
      },
    );
  });

  app.get(
    '/imports',
    {
      schema: {
        tags: ['Imports'],
        summary: "The business's import jobs, newest first (cursor-paged; filter by status)",
        querystring: z.object({ limit: z.string().optional(), cursor: z.string().optional(), status: z.enum(importStatuses).optional() }),
      },
    },
    async (req) => listImportJobs(ctx, scopeOf(req), parseInput(importListQuery, req.query)),
  );
  app.get('/imports/:id', { schema: { tags: ['Imports'], summary: 'An import job: status, progress (rows and bytes), counts, and the report once finished', params: idParams } }, async (req) =>
    getImportJob(ctx, scopeOf(req), (req.params as { id: string }).id),
  );
  app.get('/imports/:id/errors.csv', { schema: { tags: ['Imports'], summary: "An import's rejected rows and dropped values as CSV: the original cells, then _row and _error", params: idParams } }, async (req, reply) => {
    const { stream, fileName } = await openImportErrors(ctx, scopeOf(req), (req.params as { id: string }).id);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(stream);
  });
  app.post(
    '/imports/:id/cancel',
    { schema: { tags: ['Imports'], summary: 'Cancel an import job: a queued one at once, a running one after its current batch (rows already written stay)', params: idParams } },
    async (req) => cancelImportJob(ctx, scopeOf(req), (req.params as { id: string }).id),
  );
}
