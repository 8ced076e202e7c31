import { PostgresAdapter, sql } from 'kysely';
import type { Executor } from '../db/database.ts';
import { loadContact } from '../crm/contacts/contacts.ts';
import { deals } from '../crm/deals/deals.ts';
import { jobs } from '../crm/jobs/jobs.ts';
import { toBusiness } from '../crm/businesses/businesses.ts';
import type { Business } from '../crm/businesses/schema.ts';

/** What conditions and templates can see: the contact, the business, the triggering event, its job or deal, and the enrolment's variables. */
export interface Facts extends Record<string, unknown> {
  contact: Record<string, unknown>;
  business: Business;
  event: Record<string, unknown>;
  job?: Record<string, unknown>;
  deal?: Record<string, unknown>;
  vars: Record<string, unknown>;
}

export async function loadBusiness(trx: Executor, businessId: string): Promise<Business> {
  return toBusiness(await trx.selectFrom('businesses').selectAll().where('id', '=', businessId).executeTakeFirstOrThrow());
}

export async function loadFacts(trx: Executor, businessId: string, contactId: string, event: Record<string, unknown>, vars: Record<string, unknown>, business?: Business): Promise<Facts> {
  const [contact, biz] = await Promise.all([loadContact(trx, businessId, contactId), business ?? loadBusiness(trx, businessId)]);
  // "The channel the customer uses": the one they last wrote to us on, else text when there is a number, else email.
  const lastInbound = await trx
    .selectFrom('interactions')
    .select('kind')
    .where('business_id', '=', businessId)
    .where('contact_id', '=', contactId)
    .where('direction', '=', 'inbound')
    .where('kind', 'in', ['sms', 'email'])
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const preferredChannel = lastInbound?.kind ?? (contact.phone ? 'sms' : contact.email ? 'email' : null);
  const facts: Facts = { contact: { ...contact, preferredChannel }, business: biz, event, vars };
  if (typeof event.jobId === 'string') {
    const row = await trx.selectFrom('jobs').selectAll().where('business_id', '=', businessId).where('id', '=', event.jobId).executeTakeFirst();
    // serviceName: the business's own name for the service ("Maintenance tune-up"), for messages.
    if (row) facts.job = { ...jobs.toApiRow(row), serviceName: biz.services.find((s) => s.key === row.service_type)?.name ?? row.service_type.replace(/_/g, ' ') };
  }
  if (typeof event.dealId === 'string') {
    const row = await trx.selectFrom('deals').selectAll().where('business_id', '=', businessId).where('id', '=', event.dealId).executeTakeFirst();
    if (row) facts.deal = { ...deals.toApiRow(row) };
  }
  return facts;
}

export const isPostgres = (trx: Executor): boolean => trx.getExecutor().adapter instanceof PostgresAdapter;

/** Wakes sleeping workers (PostgreSQL LISTEN/NOTIFY; delivered when the transaction commits). */
export async function notifyWorkers(trx: Executor): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_notify('kinetic_due', '')`.execute(trx);
}
