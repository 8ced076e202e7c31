import { z } from 'zod';
import type { Selectable } from 'kysely';
import type { AppContext, Scope } from '../../context.ts';
import type { AlertRuleTable } from '../../db/types.ts';
import { parseInput } from '../../crm/shared/validate.ts';
import { isoNow } from '../../lib/clock.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { metricNames } from '../metrics.ts';

export interface AlertRule {
  id: string;
  name: string;
  metric: string;
  comparator: 'below' | 'above';
  threshold: number;
  windowDays: number;
  channels: Array<'sms' | 'email'>;
  enabled: boolean;
  state: 'ok' | 'breached';
  lastValue: number | null;
  lastEvaluatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const fields = {
  name: z.string().trim().min(1).max(200),
  metric: z.enum(metricNames),
  comparator: z.enum(['below', 'above']),
  threshold: z.number().finite(),
  windowDays: z.number().int().min(1).max(365),
  channels: z.array(z.enum(['sms', 'email'])).min(1).max(2),
  enabled: z.boolean(),
};
export const alertRuleInputSchema = z
  .object({ ...fields, name: fields.name.optional(), windowDays: fields.windowDays.default(7), channels: fields.channels.default(['sms', 'email']), enabled: fields.enabled.default(true) })
  .strict();
export const alertRulePatchSchema = z.object(fields).partial().strict();

export function toAlertRule(r: Selectable<AlertRuleTable>): AlertRule {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    comparator: r.comparator as AlertRule['comparator'],
    threshold: Number(r.threshold),
    windowDays: Number(r.window_days),
    channels: JSON.parse(r.channels) as AlertRule['channels'],
    enabled: Number(r.enabled) === 1,
    state: r.state as AlertRule['state'],
    lastValue: r.last_value === null ? null : Number(r.last_value),
    lastEvaluatedAt: r.last_evaluated_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const defaultName = (metric: string, comparator: string, threshold: number, days: number) => `${metric} ${comparator} ${threshold} over ${days} days`;

export async function createAlertRule(ctx: AppContext, scope: Scope, input: unknown): Promise<AlertRule> {
  const d = parseInput(alertRuleInputSchema, input);
  const now = isoNow(ctx.clock);
  const row = {
    id: newId(),
    business_id: scope.businessId,
    name: d.name ?? defaultName(d.metric, d.comparator, d.threshold, d.windowDays),
    metric: d.metric,
    comparator: d.comparator,
    threshold: d.threshold,
    window_days: d.windowDays,
    channels: JSON.stringify(d.channels),
    enabled: d.enabled ? 1 : 0,
    state: 'ok',
    last_value: null,
    last_evaluated_at: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.db.kysely.insertInto('alert_rules').values(row).execute();
  return toAlertRule(row);
}

export async function listAlertRules(ctx: AppContext, scope: Scope): Promise<{ data: AlertRule[] }> {
  const rows = await ctx.db.kysely.selectFrom('alert_rules').selectAll().where('business_id', '=', scope.businessId).orderBy('created_at').orderBy('id').execute();
  return { data: rows.map(toAlertRule) };
}

export async function getAlertRule(ctx: AppContext, scope: Scope, id: string): Promise<AlertRule> {
  const row = await ctx.db.kysely.selectFrom('alert_rules').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('alert rule', id);
  return toAlertRule(row);
}

export async function updateAlertRule(ctx: AppContext, scope: Scope, id: string, patch: unknown): Promise<AlertRule> {
  const d = parseInput(alertRulePatchSchema, patch);
  const before = await getAlertRule(ctx, scope, id);
  // A name made from the rule's figures follows them; a name a person chose stays.
  const generated = before.name === defaultName(before.metric, before.comparator, before.threshold, before.windowDays);
  const name = d.name ?? (generated ? defaultName(d.metric ?? before.metric, d.comparator ?? before.comparator, d.threshold ?? before.threshold, d.windowDays ?? before.windowDays) : undefined);
  await ctx.db.kysely
    .updateTable('alert_rules')
    .set({
      ...(name !== undefined && { name }),
      ...(d.metric !== undefined && { metric: d.metric }),
      ...(d.comparator !== undefined && { comparator: d.comparator }),
      ...(d.threshold !== undefined && { threshold: d.threshold }),
      ...(d.windowDays !== undefined && { window_days: d.windowDays }),
      ...(d.channels !== undefined && { channels: JSON.stringify(d.channels) }),
      ...(d.enabled !== undefined && { enabled: d.enabled ? 1 : 0 }),
      // A changed rule is evaluated afresh at the next pass.
      last_evaluated_at: null,
      updated_at: isoNow(ctx.clock),
    })
    .where('business_id', '=', scope.businessId)
    .where('id', '=', id)
    .execute();
  return getAlertRule(ctx, scope, id);
}

export async function deleteAlertRule(ctx: AppContext, scope: Scope, id: string): Promise<void> {
  const r = await ctx.db.kysely.deleteFrom('alert_rules').where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw notFound('alert rule', id);
}
