import type { Executor } from '../db/database.ts';
import { definitionAt } from './automations.ts';
import { compile, type AutomationDefinition, type Instruction } from './definition.ts';

/** Compiled programs by automation version (versions never change, so the cache never goes stale). */
const programs = new Map<string, { def: AutomationDefinition; program: Instruction[] }>();

export async function programFor(trx: Executor, automationId: string, version: number): Promise<{ def: AutomationDefinition; program: Instruction[] }> {
  const key = `${automationId}:${version}`;
  let p = programs.get(key);
  if (!p) {
    const def = await definitionAt(trx, automationId, version);
    p = { def, program: compile(def.steps) };
    if (programs.size > 1000) programs.clear();
    programs.set(key, p);
  }
  return p;
}
