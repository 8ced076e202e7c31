import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';

/** A business's record, loaded once for the built-in models, relationships, the queue and send times (times as epoch ms). */
export interface History {
  now: number;
  timeZone: string;
  users: Array<{ id: string; name: string; role: string }>;
  contacts: Array<{ id: string; name: string; source: string | null; stage: string; ownerUserId: string | null; createdAt: number; tags: string[]; timeZone: string | null }>;
  interactions: Array<{ contactId: string; kind: string; direction: string | null; channel: string; outcome: string | null; userId: string | null; at: number; inquiry: boolean; service: string | null; urgency: string | null }>;
  jobs: Array<{ id: string; contactId: string | null; serviceType: string; status: string; createdAt: number; completedAt: number | null; amountCents: number | null; technicianUserId: string | null }>;
  deals: Array<{ id: string; contactId: string | null; companyId: string | null; title: string; stage: string; status: string; amountCents: number | null; ownerUserId: string | null; createdAt: number; closedAt: number | null }>;
  reviews: Array<{ contactId: string | null; rating: number | null; at: number }>;
  companyLinks: Array<{ contactId: string; companyId: string }>;
  companies: Array<{ id: string; name: string }>;
}

const ms = (v: string | null | undefined): number => (v ? Date.parse(v) : NaN);
const json = <T>(v: string | null, fallback: T): T => {
  try {
    return v ? (JSON.parse(v) as T) : fallback;
  } catch {
    return fallback;
  }
};

/** Loads the business's contacts, interactions, jobs, deals, reviews and company links (every query scoped to the business). */
export async function loadHistory(ctx: AppContext, scope: Scope, only: { contactId?: string } = {}): Promise<History> {
  return loadHistoryAt(ctx.db.kysely, scope.businessId, ctx.clock.now().getTime(), only);
}

/** The same, through a given executor (an automation run's transaction) as of `now` (epoch ms). */
export async function loadHistoryAt(db: Executor, b: string, now: number, only: { contactId?: string } = {}): Promise<History> {
  const one = only.contactId;
  const [business, users, contacts, tags, interactions, jobs, deals, reviews, links, companies] = await Promise.all([
    db.selectFrom('businesses').select(['time_zone']).where('id', '=', b).executeTakeFirst(),
    db.selectFrom('users').select(['id', 'name', 'role']).where('business_id', '=', b).where('disabled_at', 'is', null).orderBy('id').execute(),
    db.selectFrom('contacts').select(['id', 'display_name', 'source', 'lifecycle_stage', 'owner_user_id', 'created_at', 'time_zone']).where('business_id', '=', b).$if(Boolean(one), (q) => q.where('id', '=', one!)).orderBy('id').execute(),
    db.selectFrom('contact_tags').select(['contact_id', 'tag']).where('business_id', '=', b).$if(Boolean(one), (q) => q.where('contact_id', '=', one!)).execute(),
    // Messages Kinetic sent by itself (automations, reminders: `outbox:` interactions with no person) are on the record but
    // are not the business's relationship with the customer: scores and relationship strength read people's touches only.
    db
      .selectFrom('interactions')
      .select(['contact_id', 'kind', 'direction', 'channel', 'outcome', 'user_id', 'occurred_at', 'metadata'])
      .where('business_id', '=', b)
      .where((eb) => eb.or([eb('external_id', 'is', null), eb('external_id', 'not like', 'outbox:%'), eb('user_id', 'is not', null)]))
      .$if(Boolean(one), (q) => q.where('contact_id', '=', one!))
      .orderBy('occurred_at')
      .execute(),
    db.selectFrom('jobs').select(['id', 'contact_id', 'service_type', 'status', 'created_at', 'completed_at', 'amount_cents', 'technician_user_id']).where('business_id', '=', b).$if(Boolean(one), (q) => q.where('contact_id', '=', one!)).orderBy('created_at').execute(),
    db.selectFrom('deals').select(['id', 'contact_id', 'company_id', 'title', 'stage', 'status', 'amount_cents', 'owner_user_id', 'created_at', 'closed_at']).where('business_id', '=', b).$if(Boolean(one), (q) => q.where('contact_id', '=', one!)).orderBy('created_at').execute(),
    db.selectFrom('reviews').select(['contact_id', 'rating', 'received_at', 'created_at']).where('business_id', '=', b).$if(Boolean(one), (q) => q.where('contact_id', '=', one!)).where('status', '=', 'received').execute(),
    db.selectFrom('contact_companies').select(['contact_id', 'company_id']).where('business_id', '=', b).$if(Boolean(one), (q) => q.where('contact_id', '=', one!)).execute(),
    db.selectFrom('companies').select(['id', 'name']).where('business_id', '=', b).execute(),
  ]);
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) {
    const list = tagsOf.get(t.contact_id);
    if (list) list.push(t.tag);
    else tagsOf.set(t.contact_id, [t.tag]);
  }
  return {
    now,
    timeZone: business?.time_zone ?? 'UTC',
    users: users.map((u) => ({ id: u.id, name: u.name, role: u.role })),
    contacts: contacts.map((c) => ({
      id: c.id,
      name: c.display_name,
      source: c.source,
      stage: c.lifecycle_stage,
      ownerUserId: c.owner_user_id,
      createdAt: ms(c.created_at),
      tags: tagsOf.get(c.id) ?? [],
      timeZone: c.time_zone,
    })),
    interactions: interactions.map((i) => {
      const meta = json<Record<string, unknown>>(i.metadata, {});
      return {
        contactId: i.contact_id,
        kind: i.kind,
        direction: i.direction,
        channel: i.channel,
        outcome: i.outcome,
        userId: i.user_id,
        at: ms(i.occurred_at),
        inquiry: meta.inquiry === true,
        service: typeof meta.service === 'string' ? meta.service : null,
        urgency: typeof meta.urgency === 'string' ? meta.urgency : null,
      };
    }),
    jobs: jobs.map((j) => ({
      id: j.id,
      contactId: j.contact_id,
      serviceType: j.service_type,
      status: j.status,
      createdAt: ms(j.created_at),
      completedAt: j.completed_at ? ms(j.completed_at) : null,
      amountCents: j.amount_cents,
      technicianUserId: j.technician_user_id,
    })),
    deals: deals.map((d) => ({
      id: d.id,
      contactId: d.contact_id,
      companyId: d.company_id,
      title: d.title,
      stage: d.stage,
      status: d.status,
      amountCents: d.amount_cents,
      ownerUserId: d.owner_user_id,
      createdAt: ms(d.created_at),
      closedAt: d.closed_at ? ms(d.closed_at) : null,
    })),
    reviews: reviews.map((r) => ({ contactId: r.contact_id, rating: r.rating, at: ms(r.received_at ?? r.created_at) })),
    companyLinks: links.map((l) => ({ contactId: l.contact_id, companyId: l.company_id })),
    companies,
  };
}

/** Groups rows by contact id. */
export function byContact<T extends { contactId: string | null }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    if (!r.contactId) continue;
    const list = out.get(r.contactId);
    if (list) list.push(r);
    else out.set(r.contactId, [r]);
  }
  return out;
}
