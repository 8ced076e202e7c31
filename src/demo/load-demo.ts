import type { Insertable, Transaction } from 'kysely';
import { createUser } from '../access/users.ts';
import type { AppContext, Logger, Scope } from '../context.ts';
import { systemActor } from '../context.ts';
import { createBusiness } from '../crm/businesses/businesses.ts';
import { onCallSchema, type Business } from '../crm/businesses/schema.ts';
import { prepareNewContact } from '../crm/contacts/prepare.ts';
import type { Executor } from '../db/database.ts';
import type { ConsentTable, ContactIdentityTable, ContactTable, Database } from '../db/types.ts';
import { VirtualClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { newId, withIdSource } from '../lib/ids.ts';
import { installDemoPlaybooks } from '../playbooks/install.ts';
import { DEMO_LOGIN } from './catalog.ts';
import { DEFAULT_DEMO_SEED, generateDemo } from './generate.ts';
import { demoCalendar, splitAtGoLive, type Imported } from './go-live.ts';
import { replayHistory, type ReplayIds } from './replay.ts';
import type { DemoData } from './types.ts';
import { demoWorld, seededIds } from './world.ts';

export interface DemoResult {
  businessId: string;
  slug: string;
  login: { email: string; password: string };
  counts: Record<string, number>;
  /** How long loading took, in milliseconds. */
  loadMs: number;
}

// SQLite allows 32,766 bound parameters per statement (PostgreSQL 65,535): stay under both.
const MAX_PARAMS = 30_000;

async function inChunks<R extends object>(rows: R[], write: (chunk: R[]) => Promise<unknown>): Promise<void> {
  if (rows.length === 0) return;
  const size = Math.max(1, Math.floor(MAX_PARAMS / Object.keys(rows[0]).length));
  for (let i = 0; i < rows.length; i += size) await write(rows.slice(i, i + size));
}

/**
 * Loads the demo business "Comfort Pro HVAC": three years of history ending
 * at `opts.now` (the anchor; default: the context's clock), in one
 * transaction, the same for a given seed and anchor whatever day it is loaded.
 * The two years before go-live are an import of the old records (no events,
 * one audit entry); the last year is lived through the product on a virtual
 * clock (go-live.ts, replay.ts): events, enrolments, the dev outbox, replies,
 * reviews, deals won and lost. Fails with CONFLICT when the demo owner exists.
 */
export async function loadDemo(ctx: AppContext, opts: { seed?: number; now?: Date } = {}): Promise<DemoResult> {
  const seed = opts.seed ?? DEFAULT_DEMO_SEED;
  const started = performance.now();
  // Checked before generating (fast failure) and again inside the transaction (races).
  await assertNotLoaded(ctx.db.kysely);
  const data = generateDemo(seed, opts.now ?? ctx.clock.now());
  const calendar = demoCalendar(data.now);
  const { imported, acts } = splitAtGoLive(data, calendar);
  const clock = new VirtualClock(data.startedAt);
  const failures: string[] = [];
  const log: Logger = {
    ...ctx.log,
    warn: (obj, msg) => {
      failures.push(`${msg ?? ''} ${JSON.stringify(obj, (_k, v: unknown) => (v instanceof Error ? v.message : v))}`.trim());
      ctx.log.warn(obj, msg);
    },
  };
  const result = await withIdSource(seededIds(seed, clock), () =>
    ctx.db.transaction(async (trx) => {
      await assertNotLoaded(trx);
      const w = demoWorld(ctx, trx, clock, log);
      const { business, users } = await writeBusinessAndUsers(w, trx, data);
      clock.set(calendar.goLive);
      const ids = await writeImport(trx, business, users, imported);
      const scope = { businessId: business.id, actor: systemActor };
      // Go-live: the playbooks that react to new activity on; the campaigns are started (and stopped) by the owner later.
      const automations = await installDemoPlaybooks(w, trx, scope);
      const importCounts = { ...ids.counts, automations: automations.length };
      await trx
        .insertInto('audit_log')
        .values({ business_id: business.id, actor_type: 'system', actor_id: null, action: 'import', entity_type: 'business', entity_id: business.id, changes: JSON.stringify({ demo: { seed, now: data.now, startedAt: data.startedAt, goLive: calendar.goLive, counts: importCounts } }), at: calendar.goLive })
        .execute();
      const replayIds: ReplayIds = { ...ids.maps, users, automations: new Map(automations.map((a) => [a.playbook!, a.id])) };
      const stats = await replayHistory(w, clock, business, data, acts, replayIds, seed);
      if (failures.length) throw new AppError('INTERNAL', `the demo history could not be replayed: ${failures.slice(0, 3).join('; ')}`);
      return { businessId: business.id, slug: business.slug, login: { ...DEMO_LOGIN }, counts: { ...(await countRecords(trx, business.id)), ...stats } };
    }),
  );
  return { ...result, loadMs: Math.round(performance.now() - started) };
}

/** What the demo business holds once loaded, table by table. */
async function countRecords(trx: Transaction<Database>, businessId: string): Promise<Record<string, number>> {
  const tables = ['users', 'contacts', 'companies', 'contact_companies', 'consents', 'interactions', 'jobs', 'deals', 'reviews', 'tasks', 'automations', 'events', 'enrollments', 'outbox'] as const;
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const row = await trx.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).where('business_id', '=', businessId).executeTakeFirstOrThrow();
    counts[t === 'contact_companies' ? 'companyLinks' : t] = Number(row.n);
  }
  return counts;
}

async function assertNotLoaded(db: Executor): Promise<void> {
  const clash = await db.selectFrom('users').select('business_id').where('email', '=', DEMO_LOGIN.email).executeTakeFirst();
  if (clash) throw new AppError('CONFLICT', `the demo business is already loaded (business ${clash.business_id}); log in as ${DEMO_LOGIN.email}`);
}

async function writeBusinessAndUsers(w: AppContext, trx: Transaction<Database>, data: DemoData): Promise<{ business: Business; users: ReplayIds['users'] }> {
  const b = data.business;
  const business = await createBusiness(
    w,
    { name: b.name, slug: b.slug, timeZone: b.timeZone, phone: b.phone, email: b.email, address: b.address, businessHours: b.businessHours, services: b.services, reviewLink: b.reviewLink },
    trx,
  );
  const scope: Scope = { businessId: business.id, actor: systemActor };
  const users: ReplayIds['users'] = new Map();
  for (const u of data.users) {
    if (u.password) {
      // createUser hashes the password (and audits the account's creation).
      const user = await createUser(w, scope, { email: u.email, name: u.name, role: u.role, phone: u.phone, password: u.password }, trx);
      users.set(u.key, { id: user.id, phone: u.phone, name: u.name });
    } else {
      const id = newId();
      await trx
        .insertInto('users')
        .values({ id, business_id: business.id, email: u.email, name: u.name, role: u.role, phone: u.phone, password_hash: null, disabled_at: null, created_at: data.startedAt, updated_at: data.startedAt })
        .execute();
      users.set(u.key, { id, phone: u.phone, name: u.name });
    }
  }
  await trx.updateTable('users').set({ created_at: data.startedAt, updated_at: data.startedAt }).where('business_id', '=', business.id).execute();
  const onCall = onCallSchema.parse({ ...b.onCall, rotation: b.onCall.rotation.map((k) => users.get(k)!.id) });
  await trx
    .updateTable('businesses')
    .set({ on_call: JSON.stringify(onCall), created_at: data.startedAt, updated_at: data.startedAt })
    .where('id', '=', business.id)
    .execute();
  return { business: { ...business, onCall, createdAt: data.startedAt, updatedAt: data.startedAt }, users };
}

/** The records as they stood at go-live, written directly (an import: no domain events). */
async function writeImport(
  trx: Transaction<Database>,
  business: Business,
  users: ReplayIds['users'],
  data: Imported,
): Promise<{ counts: Record<string, number>; maps: Omit<ReplayIds, 'users' | 'automations'> }> {
  const businessId = business.id;
  const user = (key: string | null): string | null => (key === null ? null : users.get(key)!.id);

  const contactIds = new Map<string, string>();
  const contacts: Array<Insertable<ContactTable>> = [];
  const identities: Array<Insertable<ContactIdentityTable>> = [];
  const tags: Array<{ business_id: string; contact_id: string; tag: string }> = [];
  const consents: Array<Insertable<ConsentTable>> = [];
  for (const c of data.contacts) {
    const id = newId();
    contactIds.set(c.key, id);
    const prepared = await prepareNewContact(
      business,
      {
        firstName: c.firstName,
        lastName: c.lastName,
        phone: c.phone,
        phones: c.phones,
        email: c.email,
        address: c.address,
        source: c.source,
        lifecycleStage: c.lifecycleStage,
        tags: c.tags,
        customFields: c.customFields,
        ownerUserId: user(c.ownerKey),
      },
      id,
      c.createdAt,
    );
    contacts.push({ ...prepared.row, last_interaction_at: c.lastInteractionAt, updated_at: c.updatedAt });
    identities.push(...prepared.identities);
    tags.push(...prepared.tags.map((tag) => ({ business_id: businessId, contact_id: id, tag })));
    consents.push(
      ...c.consents.map((x) => ({ id: newId(), business_id: businessId, contact_id: id, channel: x.channel, status: x.status, method: x.method, evidence: x.evidence, recorded_by: 'system', recorded_at: x.at })),
    );
  }
  const contact = (key: string | null): string | null => (key === null ? null : contactIds.get(key)!);
  await inChunks(contacts, (rows) => trx.insertInto('contacts').values(rows).execute());
  await inChunks(identities, (rows) => trx.insertInto('contact_identities').values(rows).execute());
  await inChunks(tags, (rows) => trx.insertInto('contact_tags').values(rows).execute());
  await inChunks(consents, (rows) => trx.insertInto('consents').values(rows).execute());

  const companyIds = new Map(data.companies.map((c) => [c.key, newId()]));
  const company = (key: string | null): string | null => (key === null ? null : companyIds.get(key)!);
  const companies = data.companies.map((c) => ({
    id: companyIds.get(c.key)!,
    business_id: businessId,
    name: c.name,
    domain: c.domain,
    phone: c.phone,
    address_line1: c.address.line1,
    city: c.address.city,
    region: c.address.region,
    postal_code: c.address.postalCode,
    custom_fields: JSON.stringify(c.customFields),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  }));
  const companyLinks = data.links.map((l) => ({ business_id: businessId, contact_id: contact(l.contactKey)!, company_id: companyIds.get(l.companyKey)!, title: l.title, created_at: l.since }));
  await inChunks(companies, (rows) => trx.insertInto('companies').values(rows).execute());
  await inChunks(companyLinks, (rows) => trx.insertInto('contact_companies').values(rows).execute());

  const interactions = data.interactions.map((i) => ({
    id: newId(),
    business_id: businessId,
    contact_id: contact(i.contactKey)!,
    kind: i.kind,
    direction: i.direction,
    channel: i.channel,
    subject: i.subject,
    body: i.body,
    outcome: i.outcome,
    duration_seconds: i.durationSeconds,
    user_id: user(i.userKey),
    external_id: null,
    metadata: JSON.stringify(i.metadata),
    occurred_at: i.occurredAt,
    created_at: i.occurredAt,
  }));
  await inChunks(interactions, (rows) => trx.insertInto('interactions').values(rows).execute());

  const jobIds = new Map(data.jobs.map((j) => [j.key, newId()]));
  const jobs = data.jobs.map((j) => ({
    id: jobIds.get(j.key)!,
    business_id: businessId,
    contact_id: contact(j.contactKey),
    company_id: company(j.companyKey),
    service_type: j.serviceType,
    status: j.status,
    scheduled_start: j.scheduledStart,
    scheduled_end: j.scheduledEnd,
    completed_at: j.completedAt,
    amount_cents: j.amountCents,
    technician_user_id: user(j.technicianKey),
    notes: j.notes,
    external_id: null,
    created_at: j.createdAt,
    updated_at: j.updatedAt,
  }));
  await inChunks(jobs, (rows) => trx.insertInto('jobs').values(rows).execute());

  const dealIds = new Map(data.deals.map((d) => [d.key, newId()]));
  const deals = data.deals.map((d) => ({
    id: dealIds.get(d.key)!,
    business_id: businessId,
    contact_id: contact(d.contactKey),
    company_id: company(d.companyKey),
    title: d.title,
    pipeline: 'default',
    stage: d.stage,
    status: d.status,
    amount_cents: d.amountCents,
    expected_close_date: d.expectedCloseDate,
    closed_at: d.closedAt,
    close_reason: d.closeReason,
    owner_user_id: user(d.ownerKey),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  }));
  await inChunks(deals, (rows) => trx.insertInto('deals').values(rows).execute());

  const reviews = data.reviews.map((r) => ({
    id: newId(),
    business_id: businessId,
    contact_id: contact(r.contactKey),
    job_id: jobIds.get(r.jobKey) ?? null,
    platform: r.platform,
    status: r.status,
    rating: r.rating,
    body: r.body,
    url: null,
    requested_at: r.requestedAt,
    received_at: r.receivedAt,
    created_at: r.requestedAt,
    updated_at: r.receivedAt ?? r.requestedAt,
  }));
  await inChunks(reviews, (rows) => trx.insertInto('reviews').values(rows).execute());

  const taskIds = new Map(data.tasks.map((t) => [t.key, newId()]));
  const tasks = data.tasks.map((t) => ({
    id: taskIds.get(t.key)!,
    business_id: businessId,
    contact_id: contact(t.contactKey),
    deal_id: t.dealKey === null ? null : (dealIds.get(t.dealKey) ?? null),
    job_id: t.jobKey === null ? null : (jobIds.get(t.jobKey) ?? null),
    title: t.title,
    description: t.description,
    assignee_user_id: user(t.assigneeKey),
    due_at: t.dueAt,
    status: t.status,
    origin: 'manual',
    origin_ref: null,
    completed_at: t.completedAt,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  }));
  await inChunks(tasks, (rows) => trx.insertInto('tasks').values(rows).execute());

  return {
    counts: { contacts: contacts.length, companies: companies.length, interactions: interactions.length, jobs: jobs.length, deals: deals.length, reviews: reviews.length, tasks: tasks.length },
    maps: { contacts: contactIds, companies: companyIds, jobs: jobIds, deals: dealIds, tasks: taskIds },
  };
}
