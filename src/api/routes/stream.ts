import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import { listEvents } from '../../crm/log.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { principalStillValid } from '../../access/auth.ts';
import { scopeOf } from '../auth.ts';

/** How often an open stream looks for new rows in the event log (works across processes and on both databases). */
const POLL_MS = 500;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** How often an open stream checks that its key, session and user still hold (a revoked key or disabled user is cut off within this). */
const REVALIDATE_MS = 2_000;
const BATCH = 200;

const streamQuery = z
  .object({
    afterSeq: z.coerce.number().int().min(0).optional(),
    follow: z.enum(['true', 'false']).default('true'),
  })
  .strict();

type EventRow = Awaited<ReturnType<typeof listEvents>>['data'][number];

// Unnamed frames (the type is inside data) so one EventSource `message` handler sees every event.
const frame = (e: EventRow) => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;

/** The newest seq of the caller's business (0 when the log is empty): where a live-only stream starts. */
async function latestSeq(ctx: AppContext, scope: Scope): Promise<number> {
  const row = await ctx.db.kysely.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).where('business_id', '=', scope.businessId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * Server-sent events of the caller's business's domain events (lead.created,
 * interaction.created, …), read from the event log by seq. A reconnecting
 * browser resumes from `Last-Event-ID`; without a cursor the stream starts
 * with events that happen from now on. `follow=false` sends what is in the log
 * after `afterSeq` and ends (a catch-up read for scripts and tests).
 */
export function registerStreamRoutes(app: FastifyInstance, ctx: AppContext): void {
  // Open streams never go idle, so the server could not close while one is connected: end them first.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of openStreams) end();
  });
  app.get(
    '/events/stream',
    {
      schema: {
        tags: ['Events'],
        summary: "Live domain events of the caller's business as text/event-stream (resume with Last-Event-ID or afterSeq)",
        querystring: z.object({ afterSeq: z.string().optional(), follow: z.enum(['true', 'false']).optional() }),
      },
    },
    async (req, reply) => {
      const scope = scopeOf(req);
      const q = parseInput(streamQuery, req.query);
      const lastEventId = req.headers['last-event-id'];
      const resumeFrom = typeof lastEventId === 'string' && /^\d+$/.test(lastEventId) ? Number(lastEventId) : undefined;
      const follow = q.follow === 'true';
      let cursor = q.afterSeq ?? resumeFrom ?? (follow ? await latestSeq(ctx, scope) : 0);

      // HEAD: the headers a stream would start with, never an endless body.
      if (req.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send();

      if (!follow) {
        const chunks: string[] = [];
        for (;;) {
          const page = await listEvents(ctx, scope, { afterSeq: cursor, limit: BATCH });
          for (const e of page.data) chunks.push(frame(e));
          if (page.data.length > 0) cursor = page.data[page.data.length - 1].seq;
          if (page.nextAfterSeq === null) break;
        }
        return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(chunks.join(''));
      }

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(`retry: 2000\n: stream of business events after seq ${cursor}\n\n`);
      let open = true;
      let timer: NodeJS.Timeout | undefined;
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const close = () => {
        open = false;
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
      };
      req.raw.on('close', close);
      res.on('close', close);
      const end = () => res.end();
      openStreams.add(end);
      res.on('close', () => openStreams.delete(end));

      const principal = req.principal!;
      let checkedAt = Date.now();
      const poll = async () => {
        if (!open) return;
        try {
          if (Date.now() - checkedAt >= REVALIDATE_MS) {
            checkedAt = Date.now();
            if (!(await principalStillValid(ctx, principal))) {
              // The browser's EventSource reconnects after an error; its reconnect now gets 401 and stops.
              if (open) res.end(': access ended (key revoked, logged out, or user disabled)\n\n');
              close();
              return;
            }
          }
          for (;;) {
            const page = await listEvents(ctx, scope, { afterSeq: cursor, limit: BATCH });
            if (!open) return;
            for (const e of page.data) res.write(frame(e));
            if (page.data.length > 0) cursor = page.data[page.data.length - 1].seq;
            if (page.nextAfterSeq === null) break;
          }
        } catch (err) {
          // A closed database (shutdown) or a transient error: end the stream; EventSource reconnects with Last-Event-ID.
          req.log.warn({ err }, 'event stream poll failed');
          if (open) res.end();
          close();
          return;
        }
        if (open) timer = setTimeout(() => void poll(), POLL_MS);
      };
      await poll();
    },
  );
}
