import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { evaluate } from './conditions.ts';
import type { AutomationDefinition, Segment } from './definition.ts';
import { enroll } from './enroll.ts';
import { loadBusiness, loadFacts, notifyWorkers } from './facts.ts';

export interface SegmentMember {
  contactId: string;
  /** What makes this an occurrence: a contact is enrolled once per key. */
  occurrence: string;
}

/** Contacts in a time-based segment at `now`, each with its occurrence key. */
export async function segmentMembers(trx: Executor, businessId: string, segment: Segment, now: Date, limit = 1000): Promise<SegmentMember[]> {
  const day = 86_400_000;
  if (segment.kind === 'last_job_older_than') {
    const cutoff = new Date(now.getTime() - segment.days * day).toISOString();
    const service = segment.serviceType ?? null;
    // The latest completed job per contact (of the service type, when given), older than the cutoff, and nothing booked since.
    const rows = await sql<{ contact_id: string; job_id: string }>`
      select j.contact_id, j.id as job_id from jobs j
      where j.business_id = ${businessId} and j.status = 'completed' and j.contact_id is not null
        and (cast(${service} as text) is null or j.service_type = ${service})
        and j.completed_at < ${cutoff}
        and not exists (select 1 from jobs k where k.business_id = j.business_id and k.contact_id = j.contact_id
          and ((k.status = 'completed' and k.completed_at > j.completed_at and (cast(${service} as text) is null or k.service_type = ${service})) or (k.status = 'scheduled' and k.scheduled_start >= ${now.toISOString()})))
      order by j.completed_at limit ${limit}`.execute(trx);
    return rows.rows.map((r) => ({ contactId: r.contact_id, occurrence: `job:${r.job_id}` }));
  }
  if (segment.kind === 'no_interaction_for') {
    const cutoff = new Date(now.getTime() - segment.days * day).toISOString();
    let q = trx
      .selectFrom('contacts')
      .select(['id', 'last_interaction_at', 'created_at'])
      .where('business_id', '=', businessId)
      .where((eb) => eb.or([eb('last_interaction_at', '<', cutoff), eb.and([eb('last_interaction_at', 'is', null), eb('created_at', '<', cutoff)])]));
    if (segment.lifecycleStage) q = q.where('lifecycle_stage', '=', segment.lifecycleStage);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ contactId: r.id, occurrence: `quiet-since:${r.last_interaction_at ?? r.created_at}` }));
  }
  const rows = await trx.selectFrom('contacts').select('id').where('business_id', '=', businessId).where('lifecycle_stage', '=', segment.stage).orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ contactId: r.id, occurrence: `stage:${segment.stage}` }));
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
      const members = await segmentMembers(trx, a.business_id, trigger.segment, now);
      const business = await loadBusiness(trx, a.business_id);
      let n = 0;
      for (const m of members) {
        if (trigger.filter) {
          const facts = await loadFacts(trx, a.business_id, m.contactId, {}, {}, business);
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
          vars: { trigger: { type: `segment.${trigger.segment.kind}`, occurrence: m.occurrence } },
          reason: `segment ${trigger.segment.kind}`,
        });
        if (id) n++;
      }
      await trx.updateTable('automations').set({ last_segment_run_at: now.toISOString() }).where('id', '=', a.id).execute();
      if (n) await notifyWorkers(trx);
      return n;
    };
    total += opts.exec ? await work(opts.exec) : await ctx.db.transaction(work);
  }
  return total;
}
