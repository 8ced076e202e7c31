import type { Executor } from '../db/database.ts';
import type { StoredEvent } from '../events/record.ts';
import { tasks } from '../crm/tasks/tasks.ts';
import type { AutomationDefinition, ExitReason } from './definition.ts';
import { loadFacts } from './facts.ts';
import { writeLog } from './log.ts';
import { renderTemplate } from './templates.ts';
import { addDuration } from './timing.ts';

type Handoff = NonNullable<AutomationDefinition['handoff']>;

/**
 * A sequence ended because the contact did something a person must answer
 * (usually: they replied). The task is written in the same transaction as
 * the exit, so a reply can never end follow-up without someone being told.
 */
export async function handOff(trx: Executor, e: StoredEvent, en: { id: string; contact_id: string; automation_id: string }, h: Handoff, reason: ExitReason): Promise<void> {
  const facts = await loadFacts(trx, e.businessId, en.contact_id, e.payload, {});
  const users = await trx.selectFrom('users').select(['id', 'role']).where('business_id', '=', e.businessId).where('disabled_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  const ownerId = (facts.contact as { ownerUserId?: string | null }).ownerUserId;
  const role = h.assignee.rule === 'role' ? h.assignee.role : h.assignee.fallbackRole;
  const assignee = (h.assignee.rule === 'contact_owner' ? users.find((u) => u.id === ownerId) : undefined) ?? users.find((u) => u.role === role) ?? null;
  const task = await tasks.createIn(
    trx,
    { businessId: e.businessId, actor: { type: 'automation', id: en.automation_id } },
    {
      title: renderTemplate(h.title, facts).slice(0, 200) || 'Follow up',
      description: h.description ? renderTemplate(h.description, facts) : null,
      contactId: en.contact_id,
      assigneeUserId: assignee?.id ?? null,
      dueAt: h.dueIn ? addDuration(new Date(e.occurredAt), h.dueIn).toISOString() : null,
      status: 'open',
      origin: 'automation',
      originRef: `${en.automation_id}:${en.id}`,
      kind: h.kind ?? null,
    },
    e.occurredAt,
  );
  await writeLog(trx, { businessId: e.businessId, enrollmentId: en.id, contactId: en.contact_id, step: null, stepType: 'handoff', outcome: 'task_created', detail: { reason, taskId: task.id, assigneeUserId: task.assigneeUserId, kind: h.kind ?? null }, at: e.occurredAt });
}
