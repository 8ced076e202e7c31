import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, updateAlertRule } from '../../insights/alerts/rules.ts';
import { listExceptions } from '../../insights/exceptions.ts';
import { funnelFromQuery } from '../../insights/funnel.ts';
import { leakFromQuery } from '../../insights/leak-query.ts';
import { metricsFromQuery } from '../../insights/metrics.ts';
import { metricSeries } from '../../insights/series.ts';
import { requireRole, scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const tags = ['Insights'];
const managers = requireRole('owner', 'manager');
const id = (req: { params: unknown }) => (req.params as { id: string }).id;

/** Metrics, charts, the revenue leak, automation funnels, exceptions and alert rules (validation lives in src/insights). */
export function registerInsightRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/insights/metrics', { schema: { tags, summary: 'Every metric for a period (?from=&to=, default the last 30 days) with the previous period' } }, (req) => metricsFromQuery(ctx, scopeOf(req), req.query));
  app.get('/insights/series', { schema: { tags, summary: 'One metric per day, week or month (?metric=&from=&to=&bucket=)' } }, (req) => metricSeries(ctx, scopeOf(req), req.query));
  app.get('/insights/leak', { schema: { tags, summary: 'Revenue leak: from inputs (?inquiriesPerMonth=&answerRate=…) or ?fromData=true (last 12 months)' } }, (req) => leakFromQuery(ctx, scopeOf(req), req.query));
  app.get('/insights/funnel', { schema: { tags, summary: 'Sent → delivered → replied → booked → revenue per automation and A/B variant' } }, (req) => funnelFromQuery(ctx, scopeOf(req), req.query));
  app.get('/exceptions', { schema: { tags, summary: 'What needs a human today' } }, (req) => listExceptions(ctx, scopeOf(req), req.query));

  app.get('/alert-rules', { schema: { tags, summary: 'Threshold alert rules' } }, (req) => listAlertRules(ctx, scopeOf(req)));
  app.post('/alert-rules', { preHandler: managers, schema: { tags, summary: 'Create a rule, e.g. { metric: "answerRate", comparator: "below", threshold: 0.8, windowDays: 7 }' } }, async (req, reply) =>
    reply.code(201).send(await createAlertRule(ctx, scopeOf(req), req.body)),
  );
  app.get('/alert-rules/:id', { schema: { tags, params: idParams } }, (req) => getAlertRule(ctx, scopeOf(req), id(req)));
  app.patch('/alert-rules/:id', { preHandler: managers, schema: { tags, params: idParams } }, (req) => updateAlertRule(ctx, scopeOf(req), id(req), req.body));
  app.delete('/alert-rules/:id', { preHandler: managers, schema: { tags, params: idParams } }, async (req, reply) => {
    await deleteAlertRule(ctx, scopeOf(req), id(req));
    return reply.code(204).send();
  });
}
