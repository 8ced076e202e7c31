import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import type { AutomationTable } from '../db/types.ts';
import { isoNow } from '../lib/clock.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { recordChange } from '../crm/shared/audit.ts';
import { fetchPage, pageQuerySchema, type Page } from '../crm/shared/pagination.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { automationDefinitionSchema, compile, type AutomationDefinition, type Step } from './definition.ts';
import { assertPublicUrl } from './webhooks/ssrf.ts';
import { validateTemplate } from './templates.ts';

export interface Automation {
  id: string;
  name: string;
  status: 'enabled' | 'disabled';
  version: number;
  playbook: string | null;
  definition: AutomationDefinition;
  createdAt: string;
  updatedAt: string;
}

export const toAutomation = (r: Selectable<AutomationTable>): Automation => ({
  id: r.id,
  name: r.name,
  status: r.status as Automation['status'],
  version: r.version,
  playbook: r.playbook,
  definition: JSON.parse(r.definition) as AutomationDefinition,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Validates a document beyond its shape: templates parse, referenced users exist in the business. */
export async function validateDefinition(trx: Executor, businessId: string, input: unknown, opts: { allowPrivate?: boolean } = {}): Promise<AutomationDefinition> {
  const def = parseInput(automationDefinitionSchema, input);
  const userIds: Array<[string, string]> = [];
  const webhookUrls: Array<[string, string]> = [];
  const visit = (steps: Step[], path: string) =>
    steps.forEach((s, i) => {
      const at = `${path}.${i}`;
      if (s.type === 'notify_staff') validateTemplate(s.body, `${at}.body`);
      if (s.type === 'send_sms' || s.type === 'send_email') {
        if (s.body) validateTemplate(s.body, `${at}.body`);
        if (s.type === 'send_email' && s.subject) validateTemplate(s.subject, `${at}.subject`);
        s.variants?.forEach((v, j) => {
          validateTemplate(v.body, `${at}.variants.${j}.body`);
          if (v.subject) validateTemplate(v.subject, `${at}.variants.${j}.subject`);
        });
      }
      if (s.type === 'create_task') validateTemplate(s.title, `${at}.title`);
      if (s.type === 'webhook') webhookUrls.push([s.url, `${at}.url`]);
      if (s.type === 'create_task' && s.assignee.rule === 'user') userIds.push([s.assignee.userId, `${at}.assignee.userId`]);
      if (s.type === 'notify_staff' && 'userId' in s.to) userIds.push([s.to.userId, `${at}.to.userId`]);
      if (s.type === 'branch') {
        visit(s.then, `${at}.then`);
        visit(s.else ?? [], `${at}.else`);
      }
    });
  visit(def.steps, 'steps');
  for (const [userId, field] of userIds) {
    const u = await trx.selectFrom('users').select('id').where('business_id', '=', businessId).where('id', '=', userId).executeTakeFirst();
    if (!u) throw new AppError('VALIDATION_FAILED', `${field}: no user ${userId} in this business`, { issues: [{ field, message: 'unknown user' }] });
  }
  // The same SSRF guard as webhook subscriptions, at save: a step to a private address is refused now, not at its first delivery.
  for (const [url, field] of webhookUrls) {
    try {
      await assertPublicUrl(url, { allowPrivate: opts.allowPrivate });
    } catch (err) {
      if (err instanceof AppError) throw new AppError('VALIDATION_FAILED', `${field}: ${err.message}`, { issues: [{ field, message: err.message }] });
      throw err;
    }
  }
  compile(def.steps);
  return def;
}

/** The indexed trigger event; an automation started by several events has none and is matched in code. */
export const triggerEventColumn = (def: AutomationDefinition): string | null => (def.trigger.type === 'event' && !def.trigger.alsoOn?.length ? def.trigger.event : null);

const createSchema = z
  .object({ definition: z.unknown(), enabled: z.boolean().default(false), playbook: z.string().max(60).optional() })
  .strict();

export async function createAutomation(ctx: AppContext, scope: Scope, input: unknown): Promise<Automation> {
  return ctx.db.transaction((trx) => createAutomationIn(ctx, trx, scope, input));
}

/** Creates an automation inside the caller's transaction (a playbook install, the demo loader). */
export async function createAutomationIn(ctx: AppContext, trx: Executor, scope: Scope, input: unknown): Promise<Automation> {
  const data = parseInput(createSchema, input);
  {
    const def = await validateDefinition(trx, scope.businessId, data.definition, { allowPrivate: ctx.config.webhooksAllowPrivate });
    const id = newId();
    const now = isoNow(ctx.clock);
    await trx
      .insertInto('automations')
      .values({
        id,
        business_id: scope.businessId,
        name: def.name,
        status: data.enabled ? 'enabled' : 'disabled',
        version: 1,
        definition: JSON.stringify(def),
        trigger_type: def.trigger.type,
        trigger_event: triggerEventColumn(def),
        playbook: data.playbook ?? null,
        last_segment_run_at: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await trx.insertInto('automation_versions').values({ automation_id: id, version: 1, definition: JSON.stringify(def), created_at: now }).execute();
    const a = await getAutomation(ctx, scope, id, trx);
    await recordChange(trx, scope, now, { entityType: 'automation', entityId: id, action: 'create', after: { ...a } });
    return a;
  }
}

export async function getAutomation(ctx: AppContext, scope: Scope, id: string, trx: Executor = ctx.db.kysely): Promise<Automation> {
  const row = await trx.selectFrom('automations').selectAll().where('business_id', '=', scope.businessId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('automation', id);
  return toAutomation(row);
}

/** The definition an enrolment runs: the version it was enrolled on, never a later edit. */
export async function definitionAt(trx: Executor, automationId: string, version: number): Promise<AutomationDefinition> {
  const row = await trx.selectFrom('automation_versions').select('definition').where('automation_id', '=', automationId).where('version', '=', version).executeTakeFirstOrThrow();
  return JSON.parse(row.definition) as AutomationDefinition;
}

/** Saves an edited document as a new version; enrolments in flight keep running the version they started on. */
export async function updateAutomation(ctx: AppContext, scope: Scope, id: string, input: unknown): Promise<Automation> {
  const data = parseInput(z.object({ definition: z.unknown() }).strict(), input);
  return ctx.db.transaction(async (trx) => {
    const before = await getAutomation(ctx, scope, id, trx);
    const def = await validateDefinition(trx, scope.businessId, data.definition, { allowPrivate: ctx.config.webhooksAllowPrivate });
    const now = isoNow(ctx.clock);
    const version = before.version + 1;
    await trx.insertInto('automation_versions').values({ automation_id: id, version, definition: JSON.stringify(def), created_at: now }).execute();
    await trx
      .updateTable('automations')
      .set({ name: def.name, version, definition: JSON.stringify(def), trigger_type: def.trigger.type, trigger_event: triggerEventColumn(def), updated_at: now })
      .where('business_id', '=', scope.businessId)
      .where('id', '=', id)
      .execute();
    const after = await getAutomation(ctx, scope, id, trx);
    await recordChange(trx, scope, now, { entityType: 'automation', entityId: id, action: 'update', before: { ...before }, after: { ...after } });
    return after;
  });
}

export async function setAutomationStatus(ctx: AppContext, scope: Scope, id: string, status: 'enabled' | 'disabled'): Promise<Automation> {
  return ctx.db.transaction(async (trx) => {
    const before = await getAutomation(ctx, scope, id, trx);
    const now = isoNow(ctx.clock);
    await trx.updateTable('automations').set({ status, updated_at: now }).where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    const after = { ...before, status, updatedAt: now };
    await recordChange(trx, scope, now, { entityType: 'automation', entityId: id, action: 'update', before: { status: before.status }, after: { status } });
    return after;
  });
}

export async function deleteAutomation(ctx: AppContext, scope: Scope, id: string): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    await getAutomation(ctx, scope, id, trx);
    await trx.deleteFrom('automations').where('business_id', '=', scope.businessId).where('id', '=', id).execute();
    await recordChange(trx, scope, isoNow(ctx.clock), { entityType: 'automation', entityId: id, action: 'delete' });
  });
}

const listSchema = z.object({ ...pageQuerySchema, status: z.enum(['enabled', 'disabled']).optional(), playbook: z.string().max(60).optional() }).strict();

export async function listAutomations(ctx: AppContext, scope: Scope, query: unknown): Promise<Page<Automation & { enrollments: Record<string, number> }>> {
  const q = parseInput(listSchema, query);
  let sel = ctx.db.kysely.selectFrom('automations').selectAll().where('business_id', '=', scope.businessId);
  if (q.status) sel = sel.where('status', '=', q.status);
  if (q.playbook) sel = sel.where('playbook', '=', q.playbook);
  const page = await fetchPage(sel, q, toAutomation);
  const ids = page.data.map((a) => a.id);
  const counts = ids.length
    ? await ctx.db.kysely
        .selectFrom('enrollments')
        .select(['automation_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('business_id', '=', scope.businessId)
        .where('automation_id', 'in', ids)
        .groupBy(['automation_id', 'status'])
        .execute()
    : [];
  return {
    data: page.data.map((a) => ({ ...a, enrollments: Object.fromEntries(counts.filter((c) => c.automation_id === a.id).map((c) => [c.status, Number(c.n)])) })),
    nextCursor: page.nextCursor,
  };
}
