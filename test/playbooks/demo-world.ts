import { DateTime } from 'luxon';
import { before } from 'node:test';
import { createProviders } from '../../src/channels/registry.ts';
import type { Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { testConfig, type TestWorld } from '../helpers/db.ts';
import { forEachDemoDialect } from '../helpers/demo-snapshot.ts';

export interface DemoWorld extends TestWorld {
  scope: Scope;
  businessId: string;
  automationId(playbook: string): Promise<string>;
}

/** 09:00 on Monday 2 March 2026 in Chicago (the demo business's zone): the business has just opened. */
export const MONDAY_9AM = '2026-03-02T15:00:00Z';

/**
 * Runs a suite on both databases against the Comfort Pro HVAC demo business,
 * as the demo loader leaves it (three years of history, every playbook
 * installed): each suite gets its own copy of one load (test/helpers/demo-snapshot.ts).
 */
export function withDemo(name: string, fn: (w: () => DemoWorld) => void, opts: { start?: string } = {}): void {
  forEachDemoDialect(
    name,
    (world) => {
      let dw: DemoWorld | undefined;
      before(() => {
        const { demo, ...w } = world();
        const scope: Scope = { businessId: demo.businessId, actor: { type: 'cli', id: null } };
        dw = {
          ...w,
          scope,
          businessId: demo.businessId,
          automationId: async (playbook) =>
            (await w.db.kysely.selectFrom('automations').select('id').where('business_id', '=', demo.businessId).where('playbook', '=', playbook).executeTakeFirstOrThrow()).id,
        };
      });
      fn(() => {
        if (!dw) throw new Error('demo world used outside a test');
        return dw;
      });
    },
    { start: opts.start ?? MONDAY_9AM },
  );
}

const providers = createProviders(testConfig());

/** Runs every due step and hands queued messages to the dev outbox, until nothing more is due now. */
export async function drain(w: TestWorld): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const steps = await runDueEnrollments(w.ctx, 'pb-test', 500);
    const sent = await dispatchQueued(w.ctx, providers, { workerId: 'pb-test', limit: 500 });
    if (steps === 0 && sent === 0) return;
  }
}

/** Moves the virtual clock to `target`, stopping at every moment a step falls due (as a worker would). */
export async function runUntil(w: TestWorld, target: Date | string): Promise<void> {
  const end = new Date(target).getTime();
  await drain(w);
  for (let i = 0; i < 5000; i++) {
    const next = await w.db.kysely
      .selectFrom('enrollments')
      .select((eb) => eb.fn.min('next_run_at').as('at'))
      .where('status', 'in', ['active', 'waiting'])
      .executeTakeFirst();
    const at = next?.at ? Date.parse(String(next.at)) : null;
    if (at === null || at > end) break;
    if (at > w.clock.now().getTime()) w.clock.set(new Date(at));
    await drain(w);
  }
  if (end > w.clock.now().getTime()) w.clock.set(new Date(end));
  await drain(w);
}

export const hours = (n: number) => n * 3_600_000;
export const days = (n: number) => n * 86_400_000;
export const later = (w: TestWorld, ms: number) => new Date(w.clock.now().getTime() + ms);

let phoneSeq = 0;
/** A phone number no demo contact has (555-01xx are reserved for fiction). */
export const freshPhone = () => `+1737555${String(1000 + phoneSeq++ * 7).slice(-4)}`;

/** Messages to one contact, oldest first, with when they were queued. */
export async function messagesTo(w: TestWorld, contactId: string) {
  return w.db.kysely
    .selectFrom('outbox')
    .select(['channel', 'body', 'subject', 'purpose', 'state', 'created_at', 'variant', 'to_address', 'enrollment_id'])
    .where('contact_id', '=', contactId)
    .where('user_id', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function tasksFor(w: TestWorld, contactId: string) {
  return w.db.kysely.selectFrom('tasks').select(['id', 'title', 'kind', 'assignee_user_id', 'due_at', 'status', 'origin']).where('contact_id', '=', contactId).orderBy('created_at').execute();
}

export async function enrollmentOf(w: DemoWorld, playbook: string, contactId: string) {
  const automationId = await w.automationId(playbook);
  return w.db.kysely.selectFrom('enrollments').selectAll().where('automation_id', '=', automationId).where('contact_id', '=', contactId).orderBy('created_at', 'desc').executeTakeFirst();
}

export async function newLead(w: DemoWorld, input: Record<string, unknown>) {
  return createContact(w.ctx, w.scope, { source: 'website', ...input });
}

/** Moves the clock to the next weekday at hh:mm in Chicago (the demo's zone), running whatever falls due on the way. */
export async function nextWeekdayAt(w: TestWorld, hhmm = '09:00'): Promise<Date> {
  const [h, m] = hhmm.split(':').map(Number);
  let t = DateTime.fromJSDate(w.clock.now(), { zone: 'America/Chicago' }).plus({ days: 1 }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
  while (t.weekday > 5) t = t.plus({ days: 1 });
  await runUntil(w, t.toJSDate());
  return t.toJSDate();
}
