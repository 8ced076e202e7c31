import type { AppContext, Scope } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { newId } from '../../src/lib/ids.ts';

/** Rows written straight into the record with exact timestamps (no events, no automations). */
export function recorder(ctx: AppContext, scope: Scope) {
  const db = ctx.db.kysely;
  const biz = scope.businessId;
  let phone = 2000;
  return {
    async contact(name: string, extra: Record<string, unknown> = {}): Promise<string> {
      phone++;
      const c = await createContact(ctx, scope, { firstName: name, lastName: 'Test', phone: `+1512555${phone}`, email: `${name.toLowerCase()}-${phone}@example.com`, ...extra });
      return c.id;
    },
    async interaction(contactId: string, kind: string, direction: 'inbound' | 'outbound', at: string, outcome: string | null = null, body: string | null = null): Promise<string> {
      const id = newId();
      await db
        .insertInto('interactions')
        .values({ id, business_id: biz, contact_id: contactId, kind, direction, channel: kind === 'call' ? 'phone' : kind, subject: null, body, outcome, duration_seconds: null, user_id: null, external_id: null, metadata: '{}', occurred_at: at, created_at: at })
        .execute();
      return id;
    },
    async job(contactId: string, createdAt: string, scheduledStart: string, status: string, amountCents: number | null = null): Promise<string> {
      const id = newId();
      await db
        .insertInto('jobs')
        .values({ id, business_id: biz, contact_id: contactId, company_id: null, service_type: 'ac_repair', status, scheduled_start: scheduledStart, scheduled_end: scheduledStart, completed_at: status === 'completed' ? scheduledStart : null, amount_cents: amountCents, technician_user_id: null, notes: null, external_id: null, created_at: createdAt, updated_at: createdAt })
        .execute();
      return id;
    },
    async review(contactId: string, requestedAt: string, receivedAt: string | null, rating: number | null, body: string | null = null): Promise<string> {
      const id = newId();
      await db
        .insertInto('reviews')
        .values({ id, business_id: biz, contact_id: contactId, job_id: null, platform: 'google', status: receivedAt ? 'received' : 'requested', rating, body, url: null, requested_at: requestedAt, received_at: receivedAt, created_at: requestedAt, updated_at: receivedAt ?? requestedAt })
        .execute();
      return id;
    },
    async automation(name: string, definition: object): Promise<string> {
      const id = newId();
      const at = '2026-01-01T00:00:00.000Z';
      await db.insertInto('automations').values({ id, business_id: biz, name, status: 'enabled', version: 1, definition: JSON.stringify(definition), trigger_type: 'segment', trigger_event: null, playbook: null, last_segment_run_at: null, created_at: at, updated_at: at }).execute();
      return id;
    },
    async enrollment(automationId: string, contactId: string, at: string, vars: object = {}, status = 'completed'): Promise<string> {
      const id = newId();
      await db
        .insertInto('enrollments')
        .values({ id, business_id: biz, automation_id: automationId, version: 1, contact_id: contactId, occurrence_key: id, trigger_event_id: null, status, step: 0, attempt: 0, next_run_at: null, waiting_for: null, vars: JSON.stringify(vars), last_error: null, exit_reason: null, locked_by: null, locked_until: null, created_at: at, updated_at: at, finished_at: null })
        .execute();
      return id;
    },
    async outbox(o: { contactId: string | null; sentAt: string | null; state: string; enrollmentId?: string; variant?: string; userId?: string; channel?: 'sms' | 'email' }): Promise<string> {
      const id = newId();
      const at = o.sentAt ?? '2026-03-01T00:00:00.000Z';
      await db
        .insertInto('outbox')
        .values({ id, business_id: biz, contact_id: o.contactId, user_id: o.userId ?? null, enrollment_id: o.enrollmentId ?? null, step: 0, idempotency_key: id, channel: o.channel ?? 'sms', purpose: 'marketing', to_address: '+15125550000', from_address: null, subject: null, body: 'Hi', html: null, headers: '{}', state: o.state, provider: 'dev', provider_message_id: null, attempts: 1, not_before: at, last_error: o.state === 'failed' ? 'carrier rejected' : null, locked_by: null, locked_until: null, created_at: at, updated_at: at, sent_at: o.sentAt, delivered_at: o.state === 'delivered' ? at : null, variant: o.variant ?? null })
        .execute();
      return id;
    },
  };
}

export const dormantSegment = { name: 'Win back', trigger: { type: 'segment', segment: { kind: 'lifecycle_stage', stage: 'dormant' } }, steps: [] };

/**
 * The small, hand-computed business of the metrics tests. Period P is
 * 2026-03-01 → 2026-03-08 (one week); the previous period is 2026-02-22 → 03-01.
 */
export async function seedMetricsFixture(ctx: AppContext, scope: Scope) {
  const r = recorder(ctx, scope);
  const [a, b, c, d, e, f, g, h] = await Promise.all(['Ann', 'Bob', 'Cy', 'Dee', 'Eve', 'Fay', 'Gus', 'Hal'].map((n) => r.contact(n)));
  // A: answered call, booked on the call.
  await r.interaction(a, 'call', 'inbound', '2026-03-02T10:00:00.000Z', 'answered');
  await r.job(a, '2026-03-02T10:05:00.000Z', '2026-03-03T15:00:00.000Z', 'completed', 50_000);
  // B: missed call, called back after 3 minutes, one follow-up text, not booked.
  await r.interaction(b, 'call', 'inbound', '2026-03-02T11:00:00.000Z', 'missed');
  await r.interaction(b, 'call', 'outbound', '2026-03-02T11:03:00.000Z', 'no_answer');
  await r.interaction(b, 'sms', 'outbound', '2026-03-03T09:00:00.000Z');
  // C: text answered by an automated text after 30 minutes, two follow-ups, booked later; the job is a no-show.
  await r.interaction(c, 'sms', 'inbound', '2026-03-03T08:00:00.000Z');
  await r.outbox({ contactId: c, sentAt: '2026-03-03T08:30:00.000Z', state: 'delivered' });
  await r.interaction(c, 'call', 'outbound', '2026-03-04T10:00:00.000Z', 'answered');
  await r.interaction(c, 'sms', 'outbound', '2026-03-05T10:00:00.000Z');
  await r.job(c, '2026-03-05T12:00:00.000Z', '2026-03-06T15:00:00.000Z', 'no_show');
  // D: web form / email answered after 30 hours, no follow-up.
  await r.interaction(d, 'email', 'inbound', '2026-03-04T09:00:00.000Z');
  await r.interaction(d, 'email', 'outbound', '2026-03-05T15:00:00.000Z');
  // E: voicemail nobody returned; her text the next morning continues the same inquiry.
  await r.interaction(e, 'call', 'inbound', '2026-03-06T20:00:00.000Z', 'voicemail');
  await r.interaction(e, 'sms', 'inbound', '2026-03-07T08:00:00.000Z', null, 'Anyone there?');
  // F: a lead in the previous period (answered, not booked) who calls again within 24 hours, in P (same inquiry).
  await r.interaction(f, 'call', 'inbound', '2026-02-28T10:00:00.000Z', 'answered');
  await r.interaction(f, 'call', 'inbound', '2026-03-01T09:00:00.000Z', 'answered');
  // Reviews: 3 requested in P, 2 received (5 and 2 stars).
  await r.review(a, '2026-03-02T12:00:00.000Z', '2026-03-03T12:00:00.000Z', 5);
  await r.review(b, '2026-03-04T12:00:00.000Z', '2026-03-06T12:00:00.000Z', 2, 'Nobody showed up on time');
  await r.review(d, '2026-03-05T12:00:00.000Z', null, null);
  // Reactivation campaign with two variants: G (A) delivered, replied and booked $300; H (B) sent only.
  const win = await r.automation('Win back', dormantSegment);
  const eg = await r.enrollment(win, g, '2026-03-02T15:00:00.000Z');
  const eh = await r.enrollment(win, h, '2026-03-02T15:00:00.000Z');
  await r.outbox({ contactId: g, sentAt: '2026-03-02T15:00:00.000Z', state: 'delivered', enrollmentId: eg, variant: 'A' });
  await r.outbox({ contactId: h, sentAt: '2026-03-02T15:00:00.000Z', state: 'sent', enrollmentId: eh, variant: 'B' });
  await r.interaction(g, 'sms', 'inbound', '2026-03-02T16:00:00.000Z', null, 'Yes, book me');
  await r.job(g, '2026-03-03T10:00:00.000Z', '2026-03-03T14:00:00.000Z', 'completed', 30_000);
  return { a, b, c, d, e, f, g, h, win };
}
