import { Duration } from 'luxon';
import { z } from 'zod';
import { eventTypes } from '../events/catalog.ts';
import { roles } from '../access/users.ts';

/**
 * Automations are data: a JSON document validated here. A typed catalog of
 * trigger kinds and step kinds; `compile` flattens nested branches into a
 * linear program whose instruction index is the enrolment's step pointer.
 */
const isoDuration = z
  .string()
  .max(40)
  .refine((v) => {
    const d = Duration.fromISO(v);
    return d.isValid && d.as('milliseconds') > 0;
  }, { message: 'must be an ISO-8601 duration such as PT5M, PT1H or P3D' });

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 09:00');

export const conditionOps = ['eq', 'neq', 'in', 'not_in', 'contains', 'not_contains', 'exists', 'not_exists', 'gt', 'gte', 'lt', 'lte'] as const;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; op: (typeof conditionOps)[number]; value?: unknown };

/**
 * Condition fields computed on demand from the built-in models and the
 * relationship strength (see facts.ts), with where each comes from. They are
 * the only fields under contact.scores and contact.relationship.
 */
export const scoreFields = {
  'contact.scores.leadConversion': 'lead_conversion',
  'contact.scores.churn': 'churn',
  'contact.scores.dealStall': 'deal_stall',
  'contact.scores.prior': 'prior',
  'contact.relationship.strength': 'relationship',
  'contact.relationship.cooling': 'relationship',
} as const;
export type ScoreField = keyof typeof scoreFields;
export const isScoreField = (field: string): field is ScoreField => Object.hasOwn(scoreFields, field);

/**
 * Why a condition field is not a score the engine can compute, or null when it
 * is one or is not about scores at all. Anything under contact.scores or
 * contact.relationship, or a contact field named like a score
 * (contact.leadScore), must be a known score field; a typo would otherwise read
 * as blank and quietly send every contact down the else-branch. Pure.
 */
export function scoreFieldProblem(field: string): string | null {
  if (isScoreField(field)) return null;
  const [root, second = ''] = field.split('.');
  if (root !== 'contact' || !/^(scores?|relationships?)$|score/i.test(second)) return null;
  return `${field} is not a score field; use one of ${Object.keys(scoreFields).join(', ')}`;
}

const conditionField = z
  .string()
  .regex(/^(contact|event|job|deal|vars|business)(\.[A-Za-z0-9_]+)+$/, 'must be a path like contact.source, event.serviceType or vars.urgency')
  .superRefine((field, ctx) => {
    const problem = scoreFieldProblem(field);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema).min(1).max(50) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1).max(50) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    z
      .object({
        field: conditionField,
        op: z.enum(conditionOps),
        value: z.unknown().optional(),
      })
      .strict(),
  ]),
);

const template = z.string().min(1).max(1600);

const assignee = z.discriminatedUnion('rule', [
  z.object({ rule: z.literal('user'), userId: z.string().min(1) }).strict(),
  z.object({ rule: z.literal('contact_owner'), fallbackRole: z.enum(roles).default('owner') }).strict(),
  z.object({ rule: z.literal('role'), role: z.enum(roles) }).strict(),
  z.object({ rule: z.literal('round_robin'), role: z.enum(roles).default('agent') }).strict(),
  z.object({ rule: z.literal('on_call') }).strict(),
]);

const due = z.union([
  z.object({ in: isoDuration }).strict(),
  z.object({ next: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'business_day']), at: hhmm }).strict(),
]);

const staffTarget = z.union([
  z.object({ userId: z.string().min(1) }).strict(),
  z.object({ role: z.enum(roles) }).strict(),
  z.object({ onCall: z.literal(true), escalateAfterMinutes: z.number().int().min(1).max(240).optional() }).strict(),
  z.object({ contactOwner: z.literal(true) }).strict(),
]);

export const exitReasons = ['replied', 'booked', 'opted_out', 'deal_won', 'deal_lost', 'job_cancelled', 'reviewed', 'emergency'] as const;
export type ExitReason = (typeof exitReasons)[number] | 'manual' | 'stop_step' | 'contact_deleted';

/** A/B variants of a message: each contact gets one, chosen deterministically from the automation and the contact. */
export interface MessageVariant {
  id: string;
  body: string;
  subject?: string;
}

/** Signed ISO-8601 offset from a time field of the enrolment (e.g. 24 hours before job.scheduledStart). */
export interface RelativeTime {
  field: string;
  offset?: string;
  /** When the moment has already passed: go on now, or skip the step right after the wait (a reminder that would come too late). */
  ifPast?: 'continue' | 'skip_next';
}

export type Step =
  | { type: 'send_sms'; id?: string; body?: string; variants?: MessageVariant[]; purpose?: 'marketing' | 'transactional' }
  | { type: 'send_email'; id?: string; subject?: string; body?: string; variants?: MessageVariant[]; purpose?: 'marketing' | 'transactional' }
  | { type: 'wait'; id?: string; duration?: string; until?: { time: string; zone: 'contact' | 'business'; weekdaysOnly?: boolean }; businessHours?: boolean; at?: RelativeTime; forEvent?: { event: string; timeout?: string }; bestTime?: boolean }
  | { type: 'branch'; id?: string; if: Condition; then: Step[]; else?: Step[] }
  | { type: 'create_task'; id?: string; title: string; description?: string; kind?: string; assignee: z.infer<typeof assignee>; due?: z.infer<typeof due> }
  | { type: 'route'; id?: string; mode: 'round_robin' | 'on_call'; role?: (typeof roles)[number]; escalateAfterMinutes?: number; message?: string }
  | { type: 'update'; id?: string; set?: { lifecycleStage?: 'lead' | 'customer' | 'dormant' | 'lost'; source?: string; customFields?: Record<string, string | number | boolean | null> }; addTags?: string[]; removeTags?: string[] }
  | { type: 'notify_staff'; id?: string; to: z.infer<typeof staffTarget>; channel: 'sms' | 'email'; body: string; subject?: string }
  | { type: 'webhook'; id?: string; url: string; payload?: Record<string, unknown> }
  | { type: 'approval'; id?: string; title: string; amountCents?: number | string; autoApproveIf?: Condition; approverRole: 'owner' | 'manager' }
  | { type: 'stop'; id?: string; reason?: string }
  | { type: 'update_job'; id?: string; confirm?: boolean; status?: 'no_show' | 'cancelled' }
  | { type: 'request_review'; id?: string; platform?: 'google' | 'facebook' | 'yelp' | 'nextdoor' | 'angi' | 'internal' | 'other' }
  | { type: 'record_review'; id?: string };

const stepId = z.string().regex(/^[a-z0-9_-]{1,40}$/).optional();
const subject = z.string().min(1).max(200);
const emailBody = z.string().min(1).max(50_000);
const purposeOverride = z.enum(['marketing', 'transactional']).optional();
/** Tasks a person should find by kind (exceptions list: cold_lead, lead_replied, negative_review, quote_stalled, …). */
const taskKind = z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be a short snake_case word such as cold_lead');
const variants = (body: z.ZodString, withSubject: boolean) =>
  z
    .array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, 'must be a short label such as a or b'), body, subject: withSubject ? subject : subject.optional() }).strict())
    .min(2)
    .max(5)
    .refine((vs) => new Set(vs.map((v) => v.id)).size === vs.length, { message: 'variant ids must be unique' });
const signedDuration = z
  .string()
  .max(40)
  .refine((v) => Duration.fromISO(v.replace(/^-/, '')).isValid, { message: 'must be an ISO-8601 duration, optionally negative: -PT24H' });
const relativeTime = z
  .object({
    field: z.string().regex(/^(contact|event|job|deal|vars)(\.[A-Za-z0-9_]+)+$/, 'must be a path like job.scheduledStart'),
    offset: signedDuration.optional(),
    ifPast: z.enum(['continue', 'skip_next']).default('continue'),
  })
  .strict();

export const stepSchema: z.ZodType<Step> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z
      .object({ type: z.literal('send_sms'), id: stepId, body: template.optional(), variants: variants(template, false).optional(), purpose: purposeOverride })
      .strict()
      .refine((m) => Boolean(m.body) !== Boolean(m.variants), { message: 'a message needs a body or variants (not both)' }),
    z
      .object({ type: z.literal('send_email'), id: stepId, subject: subject.optional(), body: emailBody.optional(), variants: variants(emailBody, true).optional(), purpose: purposeOverride })
      .strict()
      .refine((m) => (m.variants ? !m.body && !m.subject : Boolean(m.body && m.subject)), { message: 'an email needs a subject and body, or variants each with a subject and body' }),
    z
      .object({
        type: z.literal('wait'),
        id: stepId,
        duration: isoDuration.optional(),
        until: z.object({ time: hhmm, zone: z.enum(['contact', 'business']).default('contact'), weekdaysOnly: z.boolean().optional() }).strict().optional(),
        businessHours: z.boolean().optional(),
        at: relativeTime.optional(),
        /** Then to the contact's best hour to be reached (from their reply history). */
        bestTime: z.boolean().optional(),
        forEvent: z.object({ event: z.enum(eventTypes as [string, ...string[]]), timeout: isoDuration.optional() }).strict().optional(),
      })
      .strict()
      .refine((w) => Boolean(w.duration || w.until || w.businessHours || w.at || w.forEvent || w.bestTime), { message: 'a wait needs duration, until, businessHours, at, forEvent or bestTime' })
      .refine((w) => !w.forEvent || w.forEvent.timeout || w.duration || w.until || w.businessHours || w.at, { message: 'forEvent needs a timeout, or duration/until/at giving its deadline' }),
    z.object({ type: z.literal('branch'), id: stepId, if: conditionSchema, then: z.array(stepSchema).max(50), else: z.array(stepSchema).max(50).optional() }).strict(),
    z.object({ type: z.literal('create_task'), id: stepId, title: z.string().min(1).max(200), description: z.string().max(5000).optional(), kind: taskKind.optional(), assignee, due: due.optional() }).strict(),
    z
      .object({
        type: z.literal('route'),
        id: stepId,
        mode: z.enum(['round_robin', 'on_call']),
        role: z.enum(roles).optional(),
        escalateAfterMinutes: z.number().int().min(1).max(240).optional(),
        message: template.optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('update'),
        id: stepId,
        set: z
          .object({
            lifecycleStage: z.enum(['lead', 'customer', 'dormant', 'lost']).optional(),
            source: z.string().max(60).optional(),
            customFields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
          })
          .strict()
          .optional(),
        addTags: z.array(z.string().min(1).max(50)).max(20).optional(),
        removeTags: z.array(z.string().min(1).max(50)).max(20).optional(),
      })
      .strict(),
    z.object({ type: z.literal('notify_staff'), id: stepId, to: staffTarget, channel: z.enum(['sms', 'email']), body: template, subject: z.string().max(200).optional() }).strict(),
    z.object({ type: z.literal('webhook'), id: stepId, url: z.url({ protocol: /^https?$/ }), payload: z.record(z.string(), z.unknown()).optional() }).strict(),
    z
      .object({
        type: z.literal('approval'),
        id: stepId,
        title: z.string().min(1).max(200),
        amountCents: z.union([z.number().int().min(0), z.string().regex(/^(event|deal|vars)\.[A-Za-z0-9_.]+$/)]).optional(),
        autoApproveIf: conditionSchema.optional(),
        approverRole: z.enum(['owner', 'manager']).default('manager'),
      })
      .strict(),
    z.object({ type: z.literal('stop'), id: stepId, reason: z.string().max(200).optional() }).strict(),
    z
      .object({ type: z.literal('update_job'), id: stepId, confirm: z.boolean().optional(), status: z.enum(['no_show', 'cancelled']).optional() })
      .strict()
      .refine((u) => u.confirm !== undefined || u.status !== undefined, { message: 'update_job needs confirm or status' }),
    z.object({ type: z.literal('request_review'), id: stepId, platform: z.enum(['google', 'facebook', 'yelp', 'nextdoor', 'angi', 'internal', 'other']).optional() }).strict(),
    z.object({ type: z.literal('record_review'), id: stepId }).strict(),
  ]) as unknown as z.ZodType<Step>,
);

export const segmentSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('last_job_older_than'),
      days: z.number().int().min(1).max(3650),
      serviceType: z.string().max(60).optional(),
      /** Different intervals per service type (e.g. { "maintenance": 335, "install": 700 }); other types use `days` unless `serviceType` limits them. */
      perServiceType: z.record(z.string().min(1).max(60), z.number().int().min(1).max(3650)).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('no_interaction_for'),
      days: z.number().int().min(1).max(3650),
      /** Ignore spells longer than this (leads gone quiet for years are not news). */
      maxDays: z.number().int().min(1).max(3650).optional(),
      lifecycleStage: z.enum(['lead', 'customer', 'dormant', 'lost']).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('lifecycle_stage'), stage: z.enum(['lead', 'customer', 'dormant', 'lost']) }).strict(),
]);
export type Segment = z.infer<typeof segmentSchema>;

export const triggerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('event'),
      event: z.enum(eventTypes as [string, ...string[]]),
      /** More events that start it too (e.g. a deal created already at quote_sent, besides one moved there). */
      alsoOn: z.array(z.enum(eventTypes as [string, ...string[]])).min(1).max(10).optional(),
      filter: conditionSchema.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('segment'),
      segment: segmentSchema,
      filter: conditionSchema.optional(),
      /** Enrol at most this many contacts per day (in the business's time zone): a campaign goes out in daily batches. */
      throttle: z.object({ perDay: z.number().int().min(1).max(100_000) }).strict().optional(),
    })
    .strict(),
  z.object({ type: z.literal('manual') }).strict(),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const automationDefinitionSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().max(2000).optional(),
    trigger: triggerSchema,
    /** Marketing messages obey state quiet hours and frequency caps; transactional ones (reminders, replies) only the federal window. */
    purpose: z.enum(['marketing', 'transactional']).default('marketing'),
    exitOn: z.array(z.enum(exitReasons)).max(exitReasons.length).default(['replied', 'booked', 'opted_out']),
    /** Whether a contact may be enrolled again after finishing (a new occurrence). */
    reenroll: z.boolean().default(true),
    /** Among automations competing for the same contact, the higher priority speaks first. */
    priority: z.number().int().min(0).max(100).default(50),
    /** When the enrolment ends for one of these reasons (usually a reply), a person gets a task in the same transaction. */
    handoff: z
      .object({
        on: z.array(z.enum(exitReasons)).min(1).max(exitReasons.length).default(['replied']),
        title: z.string().min(1).max(200),
        description: z.string().max(5000).optional(),
        kind: taskKind.optional(),
        assignee: z.discriminatedUnion('rule', [
          z.object({ rule: z.literal('contact_owner'), fallbackRole: z.enum(roles).default('owner') }).strict(),
          z.object({ rule: z.literal('role'), role: z.enum(roles) }).strict(),
        ]),
        dueIn: isoDuration.optional(),
      })
      .strict()
      .optional(),
    steps: z.array(stepSchema).min(1).max(200),
  })
  .strict();
export type AutomationDefinition = z.infer<typeof automationDefinitionSchema>;

/** One instruction of the compiled program. */
export type Instruction =
  | { op: 'step'; step: Exclude<Step, { type: 'branch' }>; path: string }
  | { op: 'branch'; if: Condition; elseTarget: number; path: string }
  | { op: 'jump'; target: number; path: string };

/** Flattens nested branches: `branch` jumps to its else-part when the condition is false; the then-part ends with a jump over it. */
export function compile(steps: Step[], prefix = 'steps'): Instruction[] {
  const out: Instruction[] = [];
  const emit = (list: Step[], at: string) => {
    list.forEach((step, i) => {
      const path = `${at}.${i}`;
      if (step.type !== 'branch') {
        out.push({ op: 'step', step, path });
        return;
      }
      const branchAt = out.length;
      out.push({ op: 'branch', if: step.if, elseTarget: -1, path });
      emit(step.then, `${path}.then`);
      const jumpAt = out.length;
      out.push({ op: 'jump', target: -1, path: `${path}.end` });
      (out[branchAt] as { elseTarget: number }).elseTarget = out.length;
      emit(step.else ?? [], `${path}.else`);
      (out[jumpAt] as { target: number }).target = out.length;
    });
  };
  emit(steps, prefix);
  return out;
}
