import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { event, type PendingEvent } from '../../events/record.ts';
import { isoNow } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { recordChange } from '../shared/audit.ts';
import { parseInput } from '../shared/validate.ts';
import { getContactRow } from './contacts.ts';
import { consentChannels, consentInputSchema, type ConsentChannel, type ConsentState } from './schema.ts';
import type { z } from 'zod';

type ConsentRecordInput = z.output<typeof consentInputSchema>;

export interface ConsentRecord {
  id: string;
  channel: ConsentChannel;
  status: 'granted' | 'revoked';
  method: string;
  evidence: string | null;
  recordedBy: string | null;
  recordedAt: string;
}

const unknownConsent = (): Record<ConsentChannel, ConsentState> =>
  Object.fromEntries(consentChannels.map((c) => [c, { status: 'unknown', method: null, at: null }])) as Record<ConsentChannel, ConsentState>;

/** Current consent per channel: the latest record wins. */
export async function loadConsent(trx: Executor, businessId: string, contactIds: string[]): Promise<Map<string, Record<ConsentChannel, ConsentState>>> {
  const map = new Map(contactIds.map((id) => [id, unknownConsent()]));
  if (contactIds.length === 0) return map;
  const rows = await trx
    .selectFrom('consents')
    .select(['contact_id', 'channel', 'status', 'method', 'recorded_at'])
    .where('business_id', '=', businessId)
    .where('contact_id', 'in', contactIds)
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    const states = map.get(r.contact_id);
    if (states && (consentChannels as readonly string[]).includes(r.channel)) {
      states[r.channel as ConsentChannel] = { status: r.status as 'granted' | 'revoked', method: r.method, at: r.recorded_at };
    }
  }
  return map;
}

/** Appends consent records (never updates old ones: the history is the evidence). Returns the events to record. */
export async function appendConsents(trx: Executor, scope: Scope, contactId: string, records: ConsentRecordInput[], now: string): Promise<PendingEvent[]> {
  if (records.length === 0) return [];
  await trx
    .insertInto('consents')
    .values(
      records.map((r) => ({
        id: newId(),
        business_id: scope.businessId,
        contact_id: contactId,
        channel: r.channel,
        status: r.status,
        method: r.method,
        evidence: r.evidence ?? null,
        recorded_by: scope.actor.id ? `${scope.actor.type}:${scope.actor.id}` : scope.actor.type,
        recorded_at: r.at ?? now,
      })),
    )
    .execute();
  return records.map((r) => event('consent.changed', { contactId, channel: r.channel, status: r.status, method: r.method }));
}

export async function recordConsent(ctx: AppContext, scope: Scope, contactId: string, input: unknown): Promise<ConsentRecord[]> {
  const data = parseInput(consentInputSchema, input);
  await ctx.db.transaction(async (trx) => {
    await getContactRow(trx, scope.businessId, contactId);
    const now = isoNow(ctx.clock);
    const events = await appendConsents(trx, scope, contactId, [data], now);
    await trx.updateTable('contacts').set({ updated_at: now }).where('business_id', '=', scope.businessId).where('id', '=', contactId).execute();
    await recordChange(trx, scope, now, { entityType: 'contact', entityId: contactId, action: 'update', before: {}, after: { consent: data }, events });
  });
  return listConsentHistory(ctx, scope, contactId);
}

export async function listConsentHistory(ctx: AppContext, scope: Scope, contactId: string): Promise<ConsentRecord[]> {
  await getContactRow(ctx.db.kysely, scope.businessId, contactId);
  const rows = await ctx.db.kysely
    .selectFrom('consents')
    .selectAll()
    .where('business_id', '=', scope.businessId)
    .where('contact_id', '=', contactId)
    .orderBy('recorded_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel as ConsentChannel,
    status: r.status as 'granted' | 'revoked',
    method: r.method,
    evidence: r.evidence,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at,
  }));
}
