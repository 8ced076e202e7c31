import type { Selectable } from 'kysely';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { EnrollmentTable } from '../../db/types.ts';
import type { Business } from '../../crm/businesses/schema.ts';
import type { AutomationDefinition, Step } from '../definition.ts';
import type { Facts } from '../facts.ts';

export interface StepContext {
  ctx: AppContext;
  trx: Executor;
  now: Date;
  enrollment: Selectable<EnrollmentTable>;
  /** Instruction index of the step being run. */
  index: number;
  def: AutomationDefinition;
  business: Business;
  /** The contact, event, job/deal and vars, loaded on first use (a wait or a stop needs none of it). */
  facts(): Promise<Facts>;
  /** Acting as the automation, for audit and events. */
  scope: Scope;
  /** Enrolment variables; steps may add to them. */
  vars: Record<string, unknown>;
}

export interface LogNote {
  outcome: string;
  detail: Record<string, unknown>;
}

/** What a step decided: go on, sleep until, wait for something, try this same step again later, or end. */
export type StepOutcome =
  | ({ next: 'continue' } & LogNote)
  | ({ next: 'skip_next' } & LogNote)
  | ({ next: 'sleep'; until: Date } & LogNote)
  | ({ next: 'wait'; waitingFor: Record<string, unknown>; until: Date | null } & LogNote)
  | ({ next: 'retry_at'; until: Date } & LogNote)
  | ({ next: 'end'; status: 'completed' | 'exited'; reason: string } & LogNote);

export type StepRunner<T extends Step['type']> = (step: Extract<Step, { type: T }>, sc: StepContext) => Promise<StepOutcome>;
