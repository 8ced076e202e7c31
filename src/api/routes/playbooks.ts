import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { installPlaybook, listPlaybooks } from '../../playbooks/install.ts';
import { scopeOf } from '../auth.ts';

const tags = ['Playbooks'];

/** Ready-made automations: list the catalogue, install one as an ordinary automation. */
export function registerPlaybookRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/playbooks', { schema: { tags, summary: 'The playbook catalogue, with whether each is installed and enabled' } }, (req) => listPlaybooks(ctx, scopeOf(req)));
  app.post(
    '/playbooks/:name/install',
    {
      schema: {
        tags,
        summary: 'Install a playbook as an automation (disabled unless enable: true); params tune timings, channels and wording',
        params: z.object({ name: z.string() }),
        body: z.object({ enable: z.boolean().optional(), params: z.record(z.string(), z.unknown()).optional() }).optional(),
      },
    },
    async (req, reply) => reply.code(201).send(await installPlaybook(ctx, scopeOf(req), (req.params as { name: string }).name, req.body ?? {})),
  );
}
