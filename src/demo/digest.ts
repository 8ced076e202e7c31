import { createHash } from 'node:crypto';
import type { Executor } from '../db/database.ts';

/**
 * A fingerprint of a loaded demo business that does not depend on its ids:
 * every contact, interaction, job, deal, review, task, enrolment, message and
 * event by what it is and when it happened, in milliseconds from the anchor.
 * Two loads of the same seed and anchor have the same digest.
 */
export async function demoDigest(db: Executor, businessId: string, anchor: string): Promise<{ digest: string; rows: number }> {
  const base = Date.parse(anchor);
  const rel = (v: unknown) => (v === null || v === undefined ? null : Date.parse(new Date(v as string).toISOString()) - base);
  const hash = createHash('sha256');
  let rows = 0;
  const add = (table: string, list: unknown[][]) => {
    const lines = list.map((r) => JSON.stringify(r)).sort();
    rows += lines.length;
    hash.update(`${table}\n${lines.join('\n')}\n`);
  };
  const contacts = await db.selectFrom('contacts').select(['id', 'phone', 'display_name', 'lifecycle_stage', 'source', 'created_at', 'last_interaction_at']).where('business_id', '=', businessId).execute();
  const phone = new Map(contacts.map((c) => [c.id, c.phone]));
  const users = await db.selectFrom('users').select(['id', 'email']).where('business_id', '=', businessId).execute();
  const email = new Map(users.map((u) => [u.id, u.email]));
  const automations = await db.selectFrom('automations').select(['id', 'name', 'status']).where('business_id', '=', businessId).execute();
  const name = new Map(automations.map((a) => [a.id, a.name]));
  add('automations', automations.map((a) => [a.name, a.status]));
  add('contacts', contacts.map((c) => [c.phone, c.display_name, c.lifecycle_stage, c.source, rel(c.created_at), rel(c.last_interaction_at)]));
  const interactions = await db.selectFrom('interactions').select(['contact_id', 'kind', 'direction', 'channel', 'subject', 'outcome', 'user_id', 'occurred_at', 'external_id']).where('business_id', '=', businessId).execute();
  add('interactions', interactions.map((i) => [phone.get(i.contact_id), i.kind, i.direction, i.channel, i.subject, i.outcome, i.user_id ? email.get(i.user_id) : null, rel(i.occurred_at), i.external_id?.startsWith('outbox:') ?? false]));
  const jobs = await db.selectFrom('jobs').select(['contact_id', 'service_type', 'status', 'scheduled_start', 'scheduled_end', 'completed_at', 'amount_cents', 'technician_user_id']).where('business_id', '=', businessId).execute();
  add('jobs', jobs.map((j) => [j.contact_id ? phone.get(j.contact_id) : null, j.service_type, j.status, rel(j.scheduled_start), rel(j.scheduled_end), rel(j.completed_at), j.amount_cents === null ? null : Number(j.amount_cents), j.technician_user_id ? email.get(j.technician_user_id) : null]));
  const deals = await db.selectFrom('deals').select(['contact_id', 'title', 'stage', 'status', 'amount_cents', 'closed_at', 'created_at']).where('business_id', '=', businessId).execute();
  add('deals', deals.map((d) => [d.contact_id ? phone.get(d.contact_id) : null, d.title, d.stage, d.status, d.amount_cents === null ? null : Number(d.amount_cents), rel(d.closed_at), rel(d.created_at)]));
  const reviews = await db.selectFrom('reviews').select(['contact_id', 'platform', 'status', 'rating', 'requested_at', 'received_at']).where('business_id', '=', businessId).execute();
  add('reviews', reviews.map((r) => [r.contact_id ? phone.get(r.contact_id) : null, r.platform, r.status, r.rating, rel(r.requested_at), rel(r.received_at)]));
  const tasks = await db.selectFrom('tasks').select(['title', 'status', 'origin', 'kind', 'created_at', 'completed_at']).where('business_id', '=', businessId).execute();
  add('tasks', tasks.map((t) => [t.title, t.status, t.origin, t.kind, rel(t.created_at), rel(t.completed_at)]));
  const enrollments = await db.selectFrom('enrollments').select(['automation_id', 'contact_id', 'status', 'exit_reason', 'step', 'created_at', 'finished_at']).where('business_id', '=', businessId).execute();
  add('enrollments', enrollments.map((e) => [name.get(e.automation_id), phone.get(e.contact_id), e.status, e.exit_reason, e.step, rel(e.created_at), rel(e.finished_at)]));
  const outbox = await db.selectFrom('outbox').select(['contact_id', 'user_id', 'channel', 'purpose', 'to_address', 'subject', 'state', 'step', 'not_before', 'sent_at']).where('business_id', '=', businessId).execute();
  add('outbox', outbox.map((o) => [o.contact_id ? phone.get(o.contact_id) : null, o.user_id ? email.get(o.user_id) : null, o.channel, o.purpose, o.to_address, o.subject, o.state, o.step, rel(o.not_before), rel(o.sent_at)]));
  const events = await db.selectFrom('events').select(['type', 'contact_id', 'occurred_at']).where('business_id', '=', businessId).execute();
  add('events', events.map((e) => [e.type, e.contact_id ? (phone.get(e.contact_id) ?? null) : null, rel(e.occurred_at)]));
  return { digest: hash.digest('hex'), rows };
}
