import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { simulateInboundText } from '../../engine/simulate-inbound.ts';
import { scopeOf } from '../auth.ts';

/**
 * Without Twilio (the dev outbox), a text can be fed through the real inbound
 * path — keyword handling, the contact and its timeline, intake, emergencies,
 * on-call acknowledgement — as if it arrived at one of the business's numbers.
 * Refused once Twilio is configured: then texts come from Twilio, signed.
 */
export function registerDevInboundRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.post(
    '/dev/inbound/sms',
    {
      schema: {
        tags: ['Channels'],
        summary: 'Dev outbox only: receive a text as if it came from Twilio (from, body; to defaults to the business\'s first number); 409 when Twilio is configured',
        body: z.object({ from: z.string(), body: z.string(), to: z.string().optional() }),
      },
    },
    async (req, reply) => reply.code(201).send(await simulateInboundText(ctx, scopeOf(req), req.body)),
  );
}
