import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { numberCheckFor, twilioDirectory } from '../../channels/number-check.ts';
import { getChannels, twilioAccountFor, updateChannels } from '../../crm/businesses/channels.ts';
import { addNumber, listNumbers, removeNumber, verifyPendingNumbers } from '../../crm/businesses/numbers.ts';
import { scopeOf } from '../auth.ts';
import { setupChecklist } from '../../crm/businesses/setup.ts';

/**
 * A business's sending identity: its numbers (verified against its Twilio
 * account), its Messaging Service, its own Twilio account and its email From.
 * Settings → Channels reads and writes these; secrets are write-only.
 */
export function registerChannelRoutes(app: FastifyInstance, ctx: AppContext): void {
  const tags = ['Channels'];
  const view = async (businessId: string) => {
    const account = await twilioAccountFor(ctx.db.kysely, ctx.config, businessId);
    return {
      ...(await getChannels(ctx.db.kysely, businessId)),
      twilio: account ? { accountSid: account.accountSid, own: account.own } : null,
      numbers: await listNumbers(ctx, { businessId, actor: { type: 'system', id: null } }),
    };
  };
  app.get('/numbers', { schema: { tags, summary: "The business's numbers: verified on its Twilio account or not, last message in and out" } }, async (req) => listNumbers(ctx, scopeOf(req)));
  app.post(
    '/numbers',
    { schema: { tags, summary: 'Add a number: with Twilio it must be on the business\'s account (400 otherwise); a number another business holds is 409', body: z.object({ number: z.string() }) } },
    async (req, reply) => {
      const scope = scopeOf(req);
      return reply.code(201).send(await addNumber(ctx, scope, req.body, await numberCheckFor(ctx.db.kysely, ctx.config, scope.businessId)));
    },
  );
  app.delete('/numbers/:number', { schema: { tags, summary: 'Remove a number from the business (not its main phone)', params: z.object({ number: z.string() }) } }, async (req) =>
    removeNumber(ctx, scopeOf(req), (req.params as { number: string }).number),
  );
  app.post('/numbers/verify', { schema: { tags, summary: "Check the business's unverified numbers against its Twilio account now" } }, async (req) => {
    const scope = scopeOf(req);
    const check = await numberCheckFor(ctx.db.kysely, ctx.config, scope.businessId);
    const verified = check ? await verifyPendingNumbers(ctx, scope.businessId, check, { recheckMs: 0 }) : 0;
    return { checked: Boolean(check), verified, numbers: await listNumbers(ctx, scope) };
  });
  app.get('/setup', { schema: { tags: ['Business'], summary: "The first-run checklist: hours, services, team, on-call, a number, a test send, booking, playbooks — each read from the record" } }, async (req) => setupChecklist(ctx, scopeOf(req)));
  app.get('/business/channels', { schema: { tags, summary: 'Sender settings: numbers, Messaging Service, own Twilio account (no token), email From and Reply-To' } }, async (req) => view(scopeOf(req).businessId));
  app.patch(
    '/business/channels',
    {
      schema: {
        tags,
        summary: 'Change sender settings; an account or Messaging Service is checked with Twilio first, one another business uses is 409; the auth token is stored encrypted and never returned',
        body: z.object({
          messagingServiceSid: z.string().nullable().optional(),
          twilioAccountSid: z.string().nullable().optional(),
          twilioAuthToken: z.string().optional(),
          emailFromName: z.string().nullable().optional(),
          emailFromAddress: z.string().nullable().optional(),
          emailReplyTo: z.string().nullable().optional(),
        }),
      },
    },
    async (req) => {
      const scope = scopeOf(req);
      const usesTwilio = Boolean(ctx.config.twilio) || Boolean((req.body as { twilioAccountSid?: unknown } | null)?.twilioAccountSid) || Boolean((await twilioAccountFor(ctx.db.kysely, ctx.config, scope.businessId))?.own);
      await updateChannels(ctx, scope, req.body, usesTwilio ? { directory: twilioDirectory(ctx.config) } : null);
      return view(scope.businessId);
    },
  );
}
