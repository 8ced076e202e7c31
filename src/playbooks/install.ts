import { z } from 'zod';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { createAutomationIn, type Automation } from '../engine/automations.ts';
import { AppError } from '../lib/errors.ts';
import { parseInput } from '../crm/shared/validate.ts';
import { findPlaybook, playbookNames, playbooks } from './catalog/index.ts';

export interface PlaybookListing {
  name: string;
  title: string;
  description: string;
  installed: boolean;
  automationId: string | null;
  enabled: boolean;
}

/** The catalogue, with whether this business has each one installed (and on). */
export async function listPlaybooks(ctx: AppContext, scope: Scope): Promise<{ data: PlaybookListing[] }> {
  const rows = await ctx.db.kysely
    .selectFrom('automations')
    .select(['id', 'playbook', 'status', 'created_at'])
    .where('business_id', '=', scope.businessId)
    .where('playbook', 'in', playbookNames)
    .orderBy('created_at')
    .execute();
  return {
    data: playbooks.map((p) => {
      const a = rows.find((r) => r.playbook === p.name);
      return { name: p.name, title: p.title, description: p.description, installed: Boolean(a), automationId: a?.id ?? null, enabled: a?.status === 'enabled' };
    }),
  };
}

const installSchema = z.object({ enable: z.boolean().default(false), params: z.record(z.string(), z.unknown()).default({}) }).strict();

/** The automation document a playbook produces with these parameters (defaults for the rest). */
export function playbookDefinition(name: string, params: unknown = {}): Record<string, unknown> {
  const p = findPlaybook(name);
  if (!p) throw unknownPlaybook(name);
  return p.build(parseInput(p.params, params, 'params'));
}

const unknownPlaybook = (name: string) => new AppError('NOT_FOUND', `no playbook named "${name}"; the playbooks are: ${playbookNames.join(', ')}`, { name });

/**
 * Installs a playbook as an ordinary automation of the business (disabled
 * unless `enable`), tagged with the playbook's name. A playbook is installed
 * once per business: installing it again is a CONFLICT naming the existing
 * automation, which can be edited (PUT /automations/:id) or deleted first.
 */
export async function installPlaybook(ctx: AppContext, scope: Scope, name: string, input: unknown = {}, trx?: Executor): Promise<Automation> {
  const p = findPlaybook(name);
  if (!p) throw unknownPlaybook(name);
  const data = parseInput(installSchema, input ?? {});
  const definition = playbookDefinition(name, data.params);
  const work = async (t: Executor) => {
    const existing = await t.selectFrom('automations').select('id').where('business_id', '=', scope.businessId).where('playbook', '=', name).executeTakeFirst();
    if (existing) throw new AppError('CONFLICT', `the playbook "${name}" is already installed as automation ${existing.id}; edit it with PUT /automations/${existing.id} or delete it to install again`, { automationId: existing.id });
    return createAutomationIn(ctx, t, scope, { definition, enabled: data.enable, playbook: name });
  };
  return trx ? work(trx) : ctx.db.transaction(work);
}

/** The demo business gets every playbook: those reacting to new activity on, campaigns over old data off. */
export async function installDemoPlaybooks(ctx: AppContext, trx: Executor, scope: Scope): Promise<Automation[]> {
  const out: Automation[] = [];
  for (const p of playbooks) out.push(await installPlaybook(ctx, scope, p.name, { enable: p.enabledInDemo }, trx));
  return out;
}
