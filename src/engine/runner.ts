import type { Selectable } from 'kysely';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import { sql } from 'kysely';
import type { AppContext, Scope } from '../context.ts';
import type { Executor } from '../db/database.ts';
import type { EnrollmentTable } from '../db/types.ts';
import type { Business } from '../crm/businesses/schema.ts';
import type { Instruction, Step } from './definition.ts';
import { programFor } from './program.ts';
import { evaluate } from './conditions.ts';
import { loadFacts, signalEvidence, signalFieldsOfProgram } from './facts.ts';
import { writeLog, writeLogs, type LogEntry } from './log.ts';
import { notifyStaff, sendEmail, sendSms } from './steps/messages.ts';
import { approval, createTask, route, stop, update, wait, webhook } from './steps/flow.ts';
import { recordReview, requestReview, updateJob } from './steps/records.ts';
import type { StepContext, StepOutcome } from './steps/types.ts';
import { backoffMs } from './timing.ts';

type Enrollment = Selectable<EnrollmentTable>;

const runners: { [K in Exclude<Step['type'], 'branch'>]: (step: Extract<Step, { type: K }>, sc: StepContext) => Promise<StepOutcome> } = {
  send_sms: sendSms,
  send_email: sendEmail,
  notify_staff: notifyStaff,
  wait,
  create_task: createTask,
  route,
  update,
  webhook,
  approval,
  stop,
  update_job: updateJob,
  request_review: requestReview,
  record_review: recordReview,
};

export const MAX_ATTEMPTS = 5;

/** The instruction after the one at `i`, skipping a whole branch (its then- and else-parts) when `i` is a branch. */
function afterInstruction(program: Instruction[], i: number): number {
  const ins = program[i];
  if (!ins || ins.op !== 'branch') return i + 1;
  const jump = program[ins.elseTarget - 1];
  return jump?.op === 'jump' ? jump.target : ins.elseTarget;
}
const MAX_INSTRUCTIONS_PER_RUN = 100;

/**
 * Claims due enrolments for one worker. On PostgreSQL several workers run
 * side by side: FOR UPDATE SKIP LOCKED hands each row to exactly one of them,
 * and the lease (locked_until) returns it if that worker dies.
 */
export async function claimDue(ctx: AppContext, now: Date, workerId: string, limit: number, leaseMs = 60_000): Promise<Enrollment[]> {
  const nowIso = now.toISOString();
  const lease = new Date(now.getTime() + leaseMs).toISOString();
  const due = sql`select id from enrollments where status in ('active', 'waiting') and next_run_at <= ${nowIso} and (locked_until is null or locked_until < ${nowIso}) order by next_run_at limit ${limit}`;
  // MATERIALIZED: PostgreSQL must run the locking subquery once, or it can claim more than the limit.
  const picked = ctx.db.dialect === 'postgres' ? sql`with picked as materialized (${due} for update skip locked)` : sql`with picked as (${due})`;
  const res = await sql<Enrollment>`${picked} update enrollments set locked_by = ${workerId}, locked_until = ${lease} where id in (select id from picked) returning *`.execute(ctx.db.kysely);
  // RETURNING has no order: run them in the order they fell due, so an earlier step's effects come first.
  return res.rows.sort((a, b) => (a.next_run_at ?? '').localeCompare(b.next_run_at ?? '') || a.id.localeCompare(b.id));
}

export interface AdvanceResult {
  status: string;
  steps: number;
}

/**
 * Runs an enrolment from its pointer until it sleeps, waits or ends. Every
 * effect of the run (outbox rows, tasks, contact changes) and the new pointer
 * commit in the caller's transaction: all of it happens, or none of it.
 */
/** Businesses read once per scheduler pass, not once per step. */
export type BusinessCache = Map<string, Business>;
async function businessFor(trx: Executor, id: string, cache?: BusinessCache): Promise<Business> {
  const hit = cache?.get(id);
  if (hit) return hit;
  const b = await loadBusiness(trx, id);
  cache?.set(id, b);
  return b;
}

/**
 * Writes a scheduler group holds back until its end, so that enrolments whose
 * run only waits (the bulk of due steps: a sequence sleeping until its next
 * touch) cost one multi-row statement per group instead of several round trips
 * each. Any step with effects first flushes what is held, so it sees the same
 * rows it would have seen without the hold.
 */
export interface GroupWrites {
  /** The enrolment rows as read at the start of the group's transaction. */
  fresh: Map<string, Enrollment>;
  logs: LogEntry[];
  updates: EnrollmentUpdate[];
  workerId: string;
}

interface EnrollmentUpdate {
  id: string;
  step: number;
  status: string;
  next_run_at: string | null;
  waiting_for: string | null;
  exit_reason: string | null;
  vars: string;
  updated_at: string;
  finished_at: string | null;
}

/** What every finished run resets on its enrolment: the retry count, the last error and the lease. */
const released = { attempt: 0, last_error: null, locked_by: null, locked_until: null } as const;

/** Steps that only compute when to run next: they write nothing, so their log line and pointer can wait for the group's end. */
const holdable = new Set<Step['type']>(['wait']);

/** Writes what a group holds: its log lines in one insert, its pointers in one update (only rows still active/waiting and ours). */
export async function flushGroupWrites(ctx: AppContext, trx: Executor, g: GroupWrites): Promise<void> {
  const logs = g.logs.splice(0);
  const updates = g.updates.splice(0);
  if (logs.length) await writeLogs(trx, logs);
  if (!updates.length) return;
  if (ctx.db.dialect === 'postgres') {
    await sql`update enrollments as e
        set step = v.step, status = v.status, next_run_at = v.next_run_at, waiting_for = v.waiting_for, exit_reason = v.exit_reason,
            vars = v.vars, attempt = 0, last_error = null, locked_by = null, locked_until = null, updated_at = v.updated_at, finished_at = v.finished_at
       from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id text, step integer, status text, next_run_at timestamptz, waiting_for text,
            exit_reason text, vars text, updated_at timestamptz, finished_at timestamptz)
      where e.id = v.id and e.status in ('active', 'waiting') and e.locked_by = ${g.workerId}`.execute(trx);
    return;
  }
  for (const u of updates) {
    const { id, ...set } = u;
    await trx
      .updateTable('enrollments')
      .set({ ...set, ...released })
      .where('id', '=', id)
      .where('status', 'in', ['active', 'waiting'])
      .where('locked_by', '=', g.workerId)
      .execute();
  }
}

export interface AdvanceOptions {
  businesses?: BusinessCache;
  /** Hold pure-wait writes in the group (see GroupWrites). */
  group?: GroupWrites;
  /** Called once, before this enrolment writes anything itself (the scheduler opens its savepoint here). */
  beforeWrite?: () => Promise<void>;
}

export async function advance(ctx: AppContext, trx: Executor, claimed: Enrollment, now: Date, workerId: string | null, businessesOrOptions?: BusinessCache | AdvanceOptions): Promise<AdvanceResult> {
  const opts: AdvanceOptions = businessesOrOptions instanceof Map ? { businesses: businessesOrOptions } : (businessesOrOptions ?? {});
  const businesses = opts.businesses;
  const group = opts.group;
  const en = group ? group.fresh.get(claimed.id) : await trx.selectFrom('enrollments').selectAll().where('id', '=', claimed.id).executeTakeFirst();
  if (!en || !['active', 'waiting'].includes(en.status) || (workerId && en.locked_by !== workerId)) return { status: en?.status ?? 'gone', steps: 0 };
  const { def, program } = await programFor(trx, en.automation_id, en.version);
  const business = await businessFor(trx, en.business_id, businesses);
  const vars = JSON.parse(en.vars) as Record<string, unknown>;
  if (en.status === 'waiting') {
    // Woken by its deadline: an event wait timed out, or an escalation is due.
    const w = en.waiting_for ? (JSON.parse(en.waiting_for) as { kind: string }) : null;
    if (w?.kind === 'event') vars.waitResult = 'timeout';
  }
  const scope: Scope = { businessId: en.business_id, actor: { type: 'automation', id: en.automation_id } };
  const trigger = (vars.trigger as Record<string, unknown> | undefined) ?? {};
  let loaded: Promise<Awaited<ReturnType<typeof loadFacts>>> | null = null;
  // Scores are computed with the facts only when a branch or approval rule of this program reads one.
  const facts = () => (loaded ??= loadFacts(trx, en.business_id, en.contact_id, trigger, vars, business, { fields: signalFieldsOfProgram(program), now }));
  let pointer = en.step;
  let executed = 0;
  let finish: { status: string; nextRunAt: string | null; waitingFor: string | null; exitReason: string | null } | null = null;
  // Held while the run has only waited; released (group flushed, savepoint opened) before the first step with effects.
  let holding = Boolean(group);
  const held: LogEntry[] = [];
  /** Stops holding; false when the enrolment was exited or taken over since the group read it (then it must not act). */
  const release = async (): Promise<boolean> => {
    if (!holding) return true;
    holding = false;
    if (group) await flushGroupWrites(ctx, trx, group);
    await opts.beforeWrite?.();
    // An earlier enrolment's effects in this same transaction (an event exiting sequences) may have changed this row.
    const current = await trx.selectFrom('enrollments').select(['status', 'locked_by']).where('id', '=', en.id).executeTakeFirst();
    if (!current || !['active', 'waiting'].includes(current.status) || (workerId && current.locked_by !== workerId)) return false;
    if (held.length) await writeLogs(trx, held.splice(0));
    return true;
  };
  if (!group) await opts.beforeWrite?.();
  const log = async (step: number | null, stepType: string | null, outcome: string, detail: Record<string, unknown>) => {
    const entry: LogEntry = { businessId: en.business_id, enrollmentId: en.id, contactId: en.contact_id, step, stepType, outcome, detail, at: now.toISOString() };
    if (holding) held.push(entry);
    else await writeLog(trx, entry);
  };

  while (!finish) {
    if (pointer >= program.length) {
      finish = { status: 'completed', nextRunAt: null, waitingFor: null, exitReason: null };
      await log(null, null, 'completed', {});
      break;
    }
    if (executed++ >= MAX_INSTRUCTIONS_PER_RUN) {
      finish = { status: 'active', nextRunAt: now.toISOString(), waitingFor: null, exitReason: null };
      break;
    }
    const ins = program[pointer];
    if (ins.op === 'jump') {
      pointer = ins.target;
      continue;
    }
    if (ins.op === 'branch') {
      const f = await facts();
      const taken = evaluate(ins.if, { ...f, vars });
      await log(pointer, 'branch', taken ? 'then' : 'else', { path: ins.path, ...signalEvidence(ins.if, f) });
      pointer = taken ? pointer + 1 : ins.elseTarget;
      continue;
    }
    if (holding && !holdable.has(ins.step.type) && !(await release())) return { status: 'gone', steps: 0 };
    const sc: StepContext = { ctx, trx, now, enrollment: { ...en, step: pointer }, index: pointer, def, business, facts, scope, vars };
    const run = runners[ins.step.type] as (s: Step, c: StepContext) => Promise<StepOutcome>;
    const out = await run(ins.step, sc);
    await log(pointer, ins.step.type, out.outcome, { ...out.detail, path: ins.path });
    switch (out.next) {
      case 'continue':
        pointer++;
        break;
      case 'skip_next':
        pointer = afterInstruction(program, pointer + 1);
        break;
      case 'sleep':
        pointer++;
        finish = { status: 'active', nextRunAt: out.until.toISOString(), waitingFor: null, exitReason: null };
        break;
      case 'wait':
        pointer++;
        finish = { status: 'waiting', nextRunAt: out.until?.toISOString() ?? null, waitingFor: JSON.stringify(out.waitingFor), exitReason: null };
        break;
      case 'retry_at':
        finish = { status: 'active', nextRunAt: out.until.toISOString(), waitingFor: null, exitReason: null };
        break;
      case 'end':
        finish = { status: out.status, nextRunAt: null, waitingFor: null, exitReason: out.reason };
        break;
    }
  }
  const done = finish.status === 'completed' || finish.status === 'exited';
  const { id, ...pointerSet }: EnrollmentUpdate = {
    id: en.id,
    step: pointer,
    status: finish.status,
    next_run_at: finish.nextRunAt,
    waiting_for: finish.waitingFor,
    exit_reason: finish.exitReason,
    vars: JSON.stringify(vars),
    updated_at: now.toISOString(),
    finished_at: done ? now.toISOString() : null,
  };
  if (holding && group) {
    group.logs.push(...held);
    group.updates.push({ id, ...pointerSet });
    return { status: finish.status, steps: executed };
  }
  await trx
    .updateTable('enrollments')
    .set({ ...pointerSet, ...released })
    .where('id', '=', id)
    .execute();
  return { status: finish.status, steps: executed };
}

/** Records a failed run: retry with backoff, or park with the error visible after MAX_ATTEMPTS. */
export async function recordFailure(ctx: AppContext, en: Enrollment, now: Date, error: unknown): Promise<void> {
  const attempt = en.attempt + 1;
  const parked = attempt >= MAX_ATTEMPTS;
  const message = error instanceof Error ? error.message : String(error);
  await ctx.db.transaction(async (trx) => {
    await trx
      .updateTable('enrollments')
      .set({
        attempt,
        last_error: message.slice(0, 2000),
        status: parked ? 'parked' : en.status,
        next_run_at: parked ? null : new Date(now.getTime() + backoffMs(attempt)).toISOString(),
        locked_by: null,
        locked_until: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', en.id)
      .execute();
    await writeLog(trx, { businessId: en.business_id, enrollmentId: en.id, contactId: en.contact_id, step: en.step, stepType: null, outcome: parked ? 'parked' : 'failed', detail: { error: message.slice(0, 500), attempt }, at: now.toISOString() });
  });
}

/**
 * One pass of the scheduler: claim due enrolments and advance them, several
 * per transaction (a commit is the expensive part on PostgreSQL), each that
 * writes inside its own savepoint: one failing enrolment rolls back only
 * itself. A transaction ends after `perTransaction` enrolments that acted
 * (sent, created, changed something), so their effects commit promptly; runs
 * that only waited are cheap and ride along.
 */
export async function runDueEnrollments(ctx: AppContext, workerId: string, limit = 100, leaseMs = 60_000, perTransaction = 25): Promise<number> {
  const now = ctx.clock.now();
  const claimed = await claimDue(ctx, now, workerId, limit, leaseMs);
  const businesses: BusinessCache = new Map();
  let i = 0;
  while (i < claimed.length) {
    const failures: Array<[Enrollment, unknown]> = [];
    let end = i;
    try {
      await ctx.db.transaction(async (trx) => {
        const rows = await trx.selectFrom('enrollments').selectAll().where('id', 'in', claimed.slice(i).map((e) => e.id)).execute();
        const writes: GroupWrites = { fresh: new Map(rows.map((r) => [r.id, r])), logs: [], updates: [], workerId };
        let acted = 0;
        while (end < claimed.length && acted < perTransaction) {
          const en = claimed[end++];
          // The savepoint is opened only when this enrolment is about to write: a run that only waits writes nothing until the group's end.
          let savepoint = false;
          const beforeWrite = async () => {
            await sql`savepoint enrollment_step`.execute(trx);
            savepoint = true;
          };
          try {
            await advance(ctx, trx, en, now, workerId, { businesses, group: writes, beforeWrite });
            if (savepoint) await sql`release savepoint enrollment_step`.execute(trx);
          } catch (err) {
            if (savepoint) await sql`rollback to savepoint enrollment_step`.execute(trx);
            failures.push([en, err]);
          }
          if (savepoint) acted++;
        }
        await flushGroupWrites(ctx, trx, writes);
      });
    } catch (err) {
      // The transaction failed as a whole: every enrolment it held is retried.
      if (end === i) end = Math.min(claimed.length, i + perTransaction);
      for (const en of claimed.slice(i, end)) if (!failures.some(([f]) => f.id === en.id)) failures.push([en, err]);
    }
    for (const [en, err] of failures) {
      ctx.log.warn({ err, enrollmentId: en.id }, 'automation step failed');
      await recordFailure(ctx, en, now, err);
    }
    i = end;
  }
  return claimed.length;
}
