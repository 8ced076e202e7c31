import { sql } from 'kysely';
import { loadBusiness } from '../crm/businesses/businesses.ts';
import { DateTime } from 'luxon';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { evaluate } from './conditions.ts';
import type { AutomationDefinition, Segment } from './definition.ts';
import { enroll } from './enroll.ts';
import { loadFacts, notifyWorkers, signalEvidence, signalFieldsIn, type Facts } from './facts.ts';

export interface SegmentMember {
  contactId: string;
  /** What makes this an occurrence: a contact is enrolled once per key. */
  occurrence: string;
  /** The job that put the contact in the segment (templates can read it as job.*). */
  jobId?: string;
}

/** Contacts in a time-based segment at `now`, each with its occurrence key. */
export async function segmentMembers(trx: Executor, businessId: string, segment: Segment, now: Date, limit = 1000): Promise<SegmentMember[]> {
  const day = 86_400_000;
  if (segment.kind === 'last_job_older_than') {
    // One query per interval: the base (days, optionally one service type) and each per-service-type override.
    const intervals: Array<[string | null, number]> = segment.perServiceType ? Object.entries(segment.perServiceType) : [];
    if (!segment.perServiceType || segment.serviceType) intervals.push([segment.serviceType ?? null, segment.days]);
    const seen = new Set<string>();
    const out: SegmentMember[] = [];
    for (const [service, days] of intervals) {
      for (const m of await lastJobOlderThan(trx, businessId, service, days, now, limit)) {
        if (seen.has(m.contactId)) continue;
        seen.add(m.contactId);
        out.push(m);
      }
    }
    return out.slice(0, limit);
  }
  if (segment.kind === 'no_interaction_for') {
    const cutoff = new Date(now.getTime() - segment.days * day).toISOString();
    let q = trx
      .selectFrom('contacts')
      .select(['id', 'last_interaction_at', 'created_at'])
      .where('business_id', '=', businessId)
      .where((eb) => eb.or([eb('last_interaction_at', '<', cutoff), eb.and([eb('last_interaction_at', 'is', null), eb('created_at', '<', cutoff)])]));
    if (segment.maxDays) {
      const floor = new Date(now.getTime() - segment.maxDays * day).toISOString();
      q = q.where((eb) => eb.or([eb('last_interaction_at', '>=', floor), eb.and([eb('last_interaction_at', 'is', null), eb('created_at', '>=', floor)])]));
    }
    if (segment.lifecycleStage) q = q.where('lifecycle_stage', '=', segment.lifecycleStage);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ contactId: r.id, occurrence: `quiet-since:${r.last_interaction_at ?? r.created_at}` }));
  }
  const rows = await trx.selectFrom('contacts').select('id').where('business_id', '=', businessId).where('lifecycle_stage', '=', segment.stage).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ contactId: r.id, occurrence: `stage:${segment.stage}` }));
}

/** The latest completed job per contact (of the service type, when given), older than the cutoff, and nothing booked since. */
async function lastJobOlderThan(trx: Executor, businessId: string, service: string | null, days: number, now: Date, limit: number): Promise<SegmentMember[]> {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const rows = await sql<{ contact_id: string; job_id: string }>`
    select j.contact_id, j.id as job_id from jobs j
    where j.business_id = ${businessId} and j.status = 'completed' and j.contact_id is not null
      and (cast(${service} as text) is null or j.service_type = ${service})
      and j.completed_at < ${cutoff}
      and not exists (select 1 from jobs k where k.business_id = j.business_id and k.contact_id = j.contact_id
        and ((k.status = 'completed' and k.completed_at > j.completed_at and (cast(${service} as text) is null or k.service_type = ${service})) or (k.status = 'scheduled' and k.scheduled_start >= ${now.toISOString()})))
    order by j.completed_at limit ${limit}`.execute(trx);
  return rows.rows.map((r) => ({ contactId: r.contact_id, occurrence: `job:${r.job_id}`, jobId: r.job_id }));
}

/** How many more contacts a throttled automation may enrol today (the business's day). */
async function roomToday(trx: Executor, automationId: string, zone: string, perDay: number, now: Date): Promise<number> {
  const startOfDay = DateTime.fromJSDate(now, { zone }).startOf('day').toUTC().toISO()!;
  const row = await trx
    .selectFrom('enrollments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('automation_id', '=', automationId)
    .where('created_at', '>=', startOfDay)
    .executeTakeFirst();
  return Math.max(0, perDay - Number(row?.n ?? 0));
}

/**
 * Evaluates every enabled segment-triggered automation and enrols each
 * matching contact once per occurrence (unique key), in one transaction per
 * automation. Returns how many contacts were enrolled.
 */
export async function runSegmentTriggers(ctx: AppContext, opts: { now?: Date; exec?: Executor; automationId?: string } = {}): Promise<number> {
  const now = opts.now ?? ctx.clock.now();
  const db = opts.exec ?? ctx.db.kysely;
  let q = db.selectFrom('automations').select(['id', 'business_id', 'version', 'definition']).where('status', '=', 'enabled').where('trigger_type', '=', 'segment');
  if (opts.automationId) q = q.where('id', '=', opts.automationId);
  const automations = await q.execute();
  let total = 0;
  for (const a of automations) {
    const def = JSON.parse(a.definition) as AutomationDefinition;
    if (def.trigger.type !== 'segment') continue;
    const trigger = def.trigger;
    const work = async (trx: Executor) => {
      const business = await loadBusiness(trx, a.business_id);
      // A throttled campaign enrols at most perDay contacts per business day, in segment order; the rest wait for tomorrow's batch.
      let room = trigger.throttle ? await roomToday(trx, a.id, business.timeZone, trigger.throttle.perDay, now) : Infinity;
      const members = room > 0 ? await segmentMembers(trx, a.business_id, trigger.segment, now, trigger.throttle ? Math.min(1000, room + 1000) : 1000) : [];
      let n = 0;
      for (const m of members) {
        if (room <= 0) break;
        let facts: Facts | null = null;
        if (trigger.filter) {
          facts = await loadFacts(trx, a.business_id, m.contactId, {}, {}, business, { fields: signalFieldsIn(trigger.filter), now });
          if (!evaluate(trigger.filter, facts)) continue;
        }
        const id = await enroll(trx, {
          businessId: a.business_id,
          automationId: a.id,
          version: a.version,
          contactId: m.contactId,
          occurrenceKey: def.reenroll ? m.occurrence : 'once',
          triggerEventId: null,
          at: now.toISOString(),
          vars: { trigger: { type: `segment.${trigger.segment.kind}`, occurrence: m.occurrence, ...(m.jobId ? { jobId: m.jobId } : {}) } },
          reason: `segment ${trigger.segment.kind}`,
          ...(trigger.filter && facts ? signalEvidence(trigger.filter, facts) : {}),
        });
        if (id) {
          n++;
          room--;
        }
      }
      await trx.updateTable('automations').set({ last_segment_run_at: now.toISOString() }).where('id', '=', a.id).execute();
      if (n) await notifyWorkers(trx);
      return n;
    };
    total += opts.exec ? await work(opts.exec) : await ctx.db.transaction(work);
  }
  return total;
}
