import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../context.ts';
import { createAlertRule, deleteAlertRule, getAlertRule, listAlertRules, updateAlertRule } from '../../insights/alerts/rules.ts';
import { dismissBodySchema } from '../../insights/exception-dismissals.ts';
import { dismissException, exceptionKinds, listExceptions, restoreException } from '../../insights/exceptions.ts';
import { funnelFromQuery } from '../../insights/funnel.ts';
import { leakFromQuery } from '../../insights/leak-query.ts';
import { metricsFromQuery } from '../../insights/metrics.ts';
import { metricSeries } from '../../insights/series.ts';
import { scopeOf } from '../auth.ts';
import { idParams } from './resources.ts';

const tags = ['Insights'];
const id = (req: { params: unknown }) => (req.params as { id: string }).id;
const exceptionParams = z.object({ kind: z.enum(exceptionKinds), id: z.string().min(1).max(64) });

/** Metrics, charts, the revenue leak, automation funnels, exceptions and alert rules (validation lives in src/insights). */
export function registerInsightRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/insights/metrics', { schema: { tags, summary: 'Every metric for a period (?from=&to=, default the last 30 days) with the previous period' } }, (req) => metricsFromQuery(ctx, scopeOf(req), req.query));
  app.get('/insights/series', { schema: { tags, summary: 'One metric per day, week or month (?metric=&from=&to=&bucket=)' } }, (req) => metricSeries(ctx, scopeOf(req), req.query));
  app.get('/insights/leak', { schema: { tags, summary: 'Revenue leak: from inputs (?inquiriesPerMonth=&answerRate=…) or ?fromData=true (last 12 months)' } }, (req) => leakFromQuery(ctx, scopeOf(req), req.query));
  app.get('/insights/funnel', { schema: { tags, summary: 'Sent → delivered → replied → booked → revenue per automation and A/B variant' } }, (req) => funnelFromQuery(ctx, scopeOf(req), req.query));
  app.get(
    '/exceptions',
    {
      schema: {
        tags,
        summary: 'What needs a human today (?kind=; ?includeDismissed=true also lists dismissed and snoozed items; ?include=resolved adds `resolved`: items that resolved by themselves in the last day, with resolvedAt and resolution)',
        querystring: z.object({ kind: z.enum(exceptionKinds).optional(), includeDismissed: z.enum(['true', 'false']).optional(), include: z.enum(['resolved']).optional() }),
      },
    },
    (req) => listExceptions(ctx, scopeOf(req), req.query),
  );
  app.post(
    '/exceptions/:kind/:id/dismiss',
    { schema: { tags, summary: 'Dismiss an exception or alert for the whole team, optionally until a time (a snooze) and with a note; it shows again if its condition occurs anew', params: exceptionParams, body: dismissBodySchema } },
    (req) => dismissException(ctx, scopeOf(req), req.params, req.body),
  );
  app.delete('/exceptions/:kind/:id/dismiss', { schema: { tags, summary: 'Undo a dismissal or snooze: the item shows again', params: exceptionParams } }, async (req, reply) => {
    await restoreException(ctx, scopeOf(req), req.params);
    return reply.code(204).send();
  });

  app.get('/alert-rules', { schema: { tags, summary: 'Threshold alert rules' } }, (req) => listAlertRules(ctx, scopeOf(req)));
  app.post('/alert-rules', { schema: { tags, summary: 'Create a rule, e.g. { metric: "answerRate", comparator: "below", threshold: 0.8, windowDays: 7 }' } }, async (req, reply) =>
    reply.code(201).send(await createAlertRule(ctx, scopeOf(req), req.body)),
  );
  app.get('/alert-rules/:id', { schema: { tags, params: idParams } }, (req) => getAlertRule(ctx, scopeOf(req), id(req)));
  app.patch('/alert-rules/:id', { schema: { tags, params: idParams } }, (req) => updateAlertRule(ctx, scopeOf(req), id(req), req.body));
  app.delete('/alert-rules/:id', { schema: { tags, params: idParams } }, async (req, reply) => {
    await deleteAlertRule(ctx, scopeOf(req), id(req));
    return reply.code(204).send();
  });
}
