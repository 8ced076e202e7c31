import { performance } from 'node:perf_hooks';
import { buildServer } from '../src/api/server.ts';
import { createApiKey } from '../src/access/auth.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger, type AppContext } from '../src/context.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import type { Dialect } from '../src/db/database.ts';
import { sql, type Insertable } from 'kysely';
import type { ContactTable, ContactTagTable } from '../src/db/types.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { benchDb, fmt, percentile } from './util.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const stages = ['lead', 'customer', 'dormant', 'lost'];
const sources = ['google_ads', 'referral', 'website', 'facebook', 'yard_sign'];
const surnames = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez'];

async function seed(ctx: AppContext, businessId: string): Promise<void> {
  const now = new Date().toISOString();
  const batch = ctx.db.dialect === 'sqlite' ? 500 : 1000;
  for (let start = 0; start < CONTACTS; start += batch) {
    const rows: Array<Insertable<ContactTable>> = [];
    const tags: Array<Insertable<ContactTagTable>> = [];
    for (let i = start; i < Math.min(CONTACTS, start + batch); i++) {
      const id = newId();
      const last = surnames[i % surnames.length];
      const name = `Person${i} ${last}`;
      const phone = `+1512${String(2000000 + i).padStart(7, '0')}`;
      rows.push({
        id, business_id: businessId, first_name: `Person${i}`, last_name: last, display_name: name, phone, email: `p${i}@example.com`,
        phones: JSON.stringify([{ number: phone }]), emails: JSON.stringify([{ address: `p${i}@example.com` }]),
        address_line1: null, address_line2: null, city: 'Austin', region: 'TX', postal_code: '78701', country: 'US',
        time_zone: 'America/Chicago', time_zone_source: 'postal_code', source: sources[i % sources.length], lifecycle_stage: stages[i % stages.length],
        custom_fields: '{}', owner_user_id: null, search_text: `${name} p${i}@example.com ${phone.slice(1)}`.toLowerCase(),
        last_interaction_at: null, created_at: now, updated_at: now,
      });
      if (i % 7 === 0) tags.push({ business_id: businessId, contact_id: id, tag: 'vip' });
    }
    await ctx.db.transaction(async (trx) => {
      await trx.insertInto('contacts').values(rows).execute();
      if (tags.length) await trx.insertInto('contact_tags').values(tags).execute();
    });
  }
}

/** p50/p99 of GET /contacts with filters, through the HTTP layer, at 100k contacts. */
export async function benchContactList(dialect: Dialect): Promise<string[]> {
  const { db, cleanup } = await benchDb(dialect);
  try {
    const ctx: AppContext = { config: { ...loadConfig({ KINETIC_DEMO: '0' }) }, db, clock: systemClock, log: silentLogger };
    const business = await createBusiness(ctx, { name: 'Bench HVAC', timeZone: 'America/Chicago' });
    const t0 = performance.now();
    await seed(ctx, business.id);
    const seedMs = performance.now() - t0;
    // Fresh bulk-loaded tables have no planner statistics yet; autovacuum would gather them in production.
    await sql`analyze`.execute(db.kysely);
    const { key } = await createApiKey(ctx, { businessId: business.id, actor: { type: 'cli', id: null } }, { name: 'bench' });
    const app = await buildServer(ctx);
    await app.ready();
    const queries = ['/contacts?lifecycleStage=lead&limit=50', '/contacts?source=referral&tag=vip&limit=50', '/contacts?q=garcia&limit=50', '/contacts?lifecycleStage=dormant,lost&source=website&limit=100'];
    const lines: string[] = [];
    for (const url of queries) {
      for (let i = 0; i < 10; i++) await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
      const times: number[] = [];
      for (let i = 0; i < REQUESTS; i++) {
        const s = performance.now();
        const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
        times.push(performance.now() - s);
        if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode}: ${res.body}`);
      }
      times.sort((a, b) => a - b);
      lines.push(`contact list ${dialect.padEnd(8)} ${fmt(CONTACTS, 0)} contacts  GET ${url.padEnd(58)} p50 ${fmt(percentile(times, 50), 2)} ms  p99 ${fmt(percentile(times, 99), 2)} ms`);
    }
    lines.unshift(`contact list ${dialect.padEnd(8)} seeded ${fmt(CONTACTS, 0)} contacts in ${fmt(seedMs / 1000, 2)} s`);
    await app.close();
    return lines;
  } finally {
    await cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const d of ['sqlite', 'postgres'] as const) for (const line of await benchContactList(d)) console.log(line);
}
