import type { Selectable } from 'kysely';
import type { AppContext, Scope } from '../../context.ts';
import { systemActor } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { AlertRuleTable } from '../../db/types.ts';
import { enqueueMessage } from '../../engine/outbox/enqueue.ts';
import { newId } from '../../lib/ids.ts';
import { metricsFor, type MetricName } from '../metrics.ts';
import { DAY_MS } from '../period.ts';
import { toAlertRule, type AlertRule } from './rules.ts';

/** A rule is evaluated at most this often (the worker's housekeeping runs more often). */
export const ALERT_EVALUATION_MINUTES = 15;

/** Whether a value breaches the rule; no data (null) is never a breach. Pure. */
export function isBreach(rule: Pick<AlertRule, 'comparator' | 'threshold'>, value: number | null): boolean | null {
  if (value === null) return null;
  return rule.comparator === 'below' ? value < rule.threshold : value > rule.threshold;
}

const rateMetrics = new Set(['answerRate', 'leadDecay', 'followUpCoverage', 'bookingConversion', 'noShowRate']);

/** A metric value the way an owner reads it: 64%, 12 min, $1,200, 2.5/week. Pure. */
export function formatMetric(metric: string, value: number | null): string {
  if (value === null) return 'no data';
  if (rateMetrics.has(metric)) return `${Math.round(value * 1000) / 10}%`;
  if (metric === 'speedToLead') return value < 120 ? `${Math.round(value)} s` : `${Math.round(value / 60)} min`;
  if (metric === 'automationRevenue') return `$${Math.round(value / 100).toLocaleString('en-US')}`;
  if (metric === 'reviewVelocity') return `${value} reviews/week`;
  return String(value);
}

export function alertMessage(businessName: string, rule: AlertRule, value: number | null, kind: 'breach' | 'recovery'): string {
  const v = formatMetric(rule.metric, value);
  const t = formatMetric(rule.metric, rule.threshold);
  return kind === 'breach'
    ? `Kinetic alert for ${businessName}: ${rule.name}. ${rule.metric} is ${v} over the last ${rule.windowDays} days (${rule.comparator} ${t}).`
    : `Kinetic: recovered at ${businessName}: ${rule.name}. ${rule.metric} is back to ${v} over the last ${rule.windowDays} days (threshold ${t}).`;
}

export interface EvaluationResult {
  ruleId: string;
  value: number | null;
  transition: 'breach' | 'recovery' | null;
  messages: number;
}

async function notifyOwners(trx: Executor, rule: AlertRule, businessId: string, eventId: string, body: string, now: string): Promise<number> {
  const owners = await trx
    .selectFrom('users')
    .select(['id', 'phone', 'email'])
    .where('business_id', '=', businessId)
    .where('role', '=', 'owner')
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .execute();
  let queued = 0;
  for (const u of owners) {
    for (const channel of rule.channels) {
      const to = channel === 'sms' ? u.phone : u.email;
      if (!to) continue;
      // The key makes a retried evaluation of the same breach reuse the row: one message per owner and channel.
      const r = await enqueueMessage(
        trx,
        { businessId, channel, purpose: 'transactional', to, subject: channel === 'email' ? body.split('. ')[0] : null, body, userId: u.id, idempotencyKey: `alert:${eventId}:${u.id}:${channel}`, notBefore: now },
        now,
      );
      if (r.created) queued++;
    }
  }
  return queued;
}

/** Evaluates one rule now: records and announces a breach once, and its recovery once. */
export async function evaluateRule(ctx: AppContext, row: Selectable<AlertRuleTable>, businessName: string): Promise<EvaluationResult> {
  const rule = toAlertRule(row);
  const scope: Scope = { businessId: row.business_id, actor: systemActor };
  const nowDate = ctx.clock.now();
  const now = nowDate.toISOString();
  const period = { from: new Date(nowDate.getTime() - rule.windowDays * DAY_MS).toISOString(), to: now };
  const value = (await metricsFor(ctx, scope, period, [rule.metric as MetricName]))[rule.metric].value;
  const breach = isBreach(rule, value);
  const transition = breach === true && rule.state === 'ok' ? 'breach' : breach === false && rule.state === 'breached' ? 'recovery' : null;
  return ctx.db.transaction(async (trx) => {
    let messages = 0;
    let happened: EvaluationResult['transition'] = null;
    if (transition) {
      // Conditional on the state we read: of two workers evaluating at once, one wins and announces.
      const moved = await trx
        .updateTable('alert_rules')
        .set({ state: transition === 'breach' ? 'breached' : 'ok', updated_at: now })
        .where('id', '=', rule.id)
        .where('business_id', '=', scope.businessId)
        .where('state', '=', rule.state)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 1) {
        happened = transition;
        const eventId = newId();
        const message = alertMessage(businessName, rule, value, transition);
        if (transition === 'recovery') {
          await trx.updateTable('alert_events').set({ resolved_at: now }).where('rule_id', '=', rule.id).where('business_id', '=', scope.businessId).where('kind', '=', 'breach').where('resolved_at', 'is', null).execute();
        }
        await trx
          .insertInto('alert_events')
          .values({ id: eventId, business_id: scope.businessId, rule_id: rule.id, kind: transition, value, threshold: rule.threshold, message, at: now, resolved_at: transition === 'recovery' ? now : null })
          .execute();
        messages = await notifyOwners(trx, rule, scope.businessId, eventId, message, now);
      }
    }
    await trx.updateTable('alert_rules').set({ last_value: value, last_evaluated_at: now }).where('id', '=', rule.id).where('business_id', '=', scope.businessId).execute();
    return { ruleId: rule.id, value, transition: happened, messages };
  });
}

/** The worker's periodic pass: every enabled rule not evaluated in the last ALERT_EVALUATION_MINUTES. */
export async function evaluateDueAlerts(ctx: AppContext, opts: { businessId?: string } = {}): Promise<EvaluationResult[]> {
  const cutoff = new Date(ctx.clock.now().getTime() - ALERT_EVALUATION_MINUTES * 60_000).toISOString();
  let q = ctx.db.kysely
    .selectFrom('alert_rules')
    .innerJoin('businesses', 'businesses.id', 'alert_rules.business_id')
    .selectAll('alert_rules')
    .select('businesses.name as business_name')
    .where('alert_rules.enabled', '=', 1)
    .where((eb) => eb.or([eb('alert_rules.last_evaluated_at', 'is', null), eb('alert_rules.last_evaluated_at', '<=', cutoff)]));
  if (opts.businessId) q = q.where('alert_rules.business_id', '=', opts.businessId);
  const due = await q.orderBy('alert_rules.id').execute();
  const results: EvaluationResult[] = [];
  for (const { business_name, ...row } of due) {
    try {
      results.push(await evaluateRule(ctx, row, business_name));
    } catch (err) {
      ctx.log.error({ err, ruleId: row.id }, 'alert rule evaluation failed');
    }
  }
  return results;
}
