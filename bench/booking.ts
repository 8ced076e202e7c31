// `node --import tsx bench/booking.ts`: availability and booking speed on SQLite and PostgreSQL. Prints numbers only.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Insertable } from 'kysely';
import { createUser } from '../src/access/users.ts';
import { bookSlot } from '../src/booking/book.ts';
import { findAvailability } from '../src/booking/find-slots.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger, type AppContext, type Scope } from '../src/context.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import { createContact } from '../src/crm/contacts/contacts.ts';
import type { Dialect } from '../src/db/database.ts';
import type { JobTable } from '../src/db/types.ts';
import { installEngine } from '../src/engine/index.ts';
import { VirtualClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { benchDb, fmt, percentile } from './util.ts';

const TECHS = Number(process.env.BENCH_TECHS ?? 8);
const JOBS = Number(process.env.BENCH_JOBS ?? 20_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const BOOKINGS = Number(process.env.BENCH_BOOKINGS ?? 100);
const RACERS = Number(process.env.BENCH_RACERS ?? 20);
const START = '2026-03-02T12:00:00Z';

async function seed(ctx: AppContext): Promise<{ scope: Scope; techs: string[]; contacts: string[] }> {
  const business = await createBusiness(ctx, { name: 'Bench HVAC', timeZone: 'America/Chicago', services: [{ key: 'ac_repair', name: 'AC Repair', durationMinutes: 90, avgTicketCents: 50_000 }] });
  const scope: Scope = { businessId: business.id, actor: { type: 'cli', id: null } };
  const techs: string[] = [];
  for (let i = 0; i < TECHS; i++) techs.push((await createUser(ctx, scope, { email: `t${i}@bench.example`, name: `Tech ${i}`, role: 'technician' })).id);
  const contacts: string[] = [];
  for (let i = 0; i < BOOKINGS + RACERS; i++) contacts.push((await createContact(ctx, scope, { name: `Customer ${i}`, phone: `+1512${String(3000000 + i)}`, email: `c${i}@bench.example` })).id);
  // History plus a busy calendar: jobs spread over the year before and the 30 days after the start.
  const t0 = Date.parse(START);
  for (let start = 0; start < JOBS; start += 500) {
    const rows: Array<Insertable<JobTable>> = [];
    for (let i = start; i < Math.min(JOBS, start + 500); i++) {
      const future = i % 20 === 0;
      const day = future ? (i / 20) % 30 : -((i % 365) + 1);
      const at = new Date(t0 + day * 86_400_000 + ((i % 8) + 2) * 3_600_000);
      rows.push({
        id: newId(), business_id: scope.businessId, contact_id: null, company_id: null, service_type: 'ac_repair', status: future ? 'scheduled' : 'completed',
        scheduled_start: at.toISOString(), scheduled_end: new Date(at.getTime() + 90 * 60_000).toISOString(), completed_at: future ? null : at.toISOString(),
        amount_cents: 50_000, technician_user_id: techs[i % techs.length], notes: null, external_id: null, created_at: START, updated_at: START, source: null,
      });
    }
    await ctx.db.kysely.insertInto('jobs').values(rows).execute();
  }
  return { scope, techs, contacts };
}

async function bench(dialect: Dialect): Promise<string[]> {
  const { db, cleanup } = await benchDb(dialect);
  try {
    const clock = new VirtualClock(START);
    const ctx: AppContext = { config: { ...loadConfig({ KINETIC_DEMO: '0' }), secret: 'bench-secret-0123456789abcdef0123456789abcdef' }, db, clock, log: silentLogger };
    const { scope, contacts } = await seed(ctx);
    const times: number[] = [];
    let slots = 0;
    for (let i = 0; i < QUERIES; i++) {
      const t = performance.now();
      slots = (await findAvailability(ctx, scope, { serviceType: 'ac_repair' })).length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const out = [`${dialect.padEnd(8)} availability, 14 days, ${TECHS} technicians, ${fmt(JOBS, 0)} jobs: p50 ${fmt(percentile(times, 50))} ms, p95 ${fmt(percentile(times, 95))} ms (${slots} slots)`];

    const free = await findAvailability(ctx, scope, { serviceType: 'ac_repair' });
    const bookTimes: number[] = [];
    let used = 0;
    for (let i = 0; i < BOOKINGS && used < free.length; i++, used += 7) {
      const t = performance.now();
      await bookSlot(ctx, scope.businessId, contacts[i], { serviceType: 'ac_repair', start: free[used].start });
      bookTimes.push(performance.now() - t);
    }
    bookTimes.sort((a, b) => a - b);
    out.push(`${dialect.padEnd(8)} book one slot (job, claims, event, confirmations): p50 ${fmt(percentile(bookTimes, 50))} ms, p95 ${fmt(percentile(bookTimes, 95))} ms over ${bookTimes.length}`);

    const [target] = (await findAvailability(ctx, scope, { serviceType: 'ac_repair' })).slice(-1);
    const t = performance.now();
    const raced = await Promise.allSettled(contacts.slice(BOOKINGS, BOOKINGS + RACERS).map((c) => bookSlot(ctx, scope.businessId, c, { serviceType: 'ac_repair', start: target.start })));
    const won = raced.filter((r) => r.status === 'fulfilled').length;
    out.push(`${dialect.padEnd(8)} ${RACERS} concurrent bookings of one start time (${TECHS} technicians free): ${won} booked, ${RACERS - won} got 409, all answered in ${fmt(performance.now() - t)} ms`);
    return out;
  } finally {
    await cleanup();
  }
}

installEngine();
console.log(`Kinetic booking benchmark — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`);
for (const d of ['sqlite', 'postgres'] as const) for (const line of await bench(d)) console.log(line);
process.exit(0);
