import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { builtinNames, contactScores, listModels, retrainModel } from '../../intelligence/models/builtin.ts';
import { loadHistory } from '../../intelligence/models/builtin-history.ts';
import { callQueue } from '../../intelligence/priorities/queue.ts';
import { contactSendTime } from '../../intelligence/priorities/send-time.ts';
import { contactRelationship, introPaths } from '../../intelligence/relationships/relationships.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const tags = ['Intelligence'];
const id = (req: { params: unknown }) => (req.params as { id: string }).id;

export function registerIntelligenceRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/contacts/:id/scores', { schema: { tags, summary: "The built-in models' scores for a contact: probability, reasons in words, and whether a prior model is in use", params: idParams } }, (req) =>
    contactScores(ctx, scopeOf(req), id(req)),
  );
  app.get('/contacts/:id/relationship', { schema: { tags, summary: 'Relationship strength with the business and each team member; going-cold flag against its own rhythm', params: idParams } }, (req) =>
    contactRelationship(ctx, scopeOf(req), id(req)),
  );
  app.get('/contacts/:id/send-time', { schema: { tags, summary: 'Best hour and day to reach the contact, from their reply history (shrunk toward segment and business)', params: idParams } }, (req) =>
    contactSendTime(ctx, scopeOf(req), id(req)),
  );
  app.get('/queue', { schema: { tags, summary: 'Who to call first: open leads and deals ranked by expected value (probability × ticket × decay with age), with reasons' } }, (req) =>
    callQueue(ctx, scopeOf(req), req.query),
  );
  app.get('/relationships/intro', { schema: { tags, summary: 'Warm introductions: who on the team knows someone at a company, best path and strength' } }, (req) => introPaths(ctx, scopeOf(req), req.query));
  app.get('/models', { schema: { tags, summary: 'Built-in models: version, trained at, held-out metrics, and whether a prior is in use' } }, async (req) => ({ data: await listModels(ctx, scopeOf(req)) }));
  app.post('/models/retrain', { schema: { tags, summary: 'Retrain every built-in model now on the business history (the worker also does this weekly)' } }, async (req) => {
    const scope = scopeOf(req);
    const h = await loadHistory(ctx, scope);
    const data = [];
    for (const name of builtinNames) data.push(await retrainModel(ctx, scope, name, h));
    return { data };
  });
}
