import { performance } from 'node:perf_hooks';
import { buildServer } from '../src/api/server.ts';
import { createApiKey } from '../src/access/auth.ts';
import { createProviders } from '../src/channels/registry.ts';
import { loadConfig } from '../src/config.ts';
import { silentLogger, type AppContext } from '../src/context.ts';
import { createBusiness } from '../src/crm/businesses/businesses.ts';
import type { Dialect } from '../src/db/database.ts';
import { createAutomation } from '../src/engine/automations.ts';
import { installEngine } from '../src/engine/index.ts';
import { runDueEnrollments } from '../src/engine/runner.ts';
import { startEngineWorker } from '../src/engine/worker.ts';
import { systemClock } from '../src/lib/clock.ts';
import { newId } from '../src/lib/ids.ts';
import { startTwilioStandin } from '../test/helpers/twilio-standin.ts';
import { benchDb, fmt, percentile } from './util.ts';

installEngine();
const STEPS = Number(process.env.BENCH_DUE_STEPS ?? 100_000);
const ACCOUNT = `AC${'be'.repeat(16)}`;
const TOKEN = 'bench-auth-token-0123456789';

const baseConfig = () => ({ ...loadConfig({ KINETIC_DEMO: '0' }), secret: 'bench-secret-0123456789abcdef0123456789abcd' });

/** 100k enrolments due now, each one update step: how many steps per second the scheduler runs. */
export async function benchDueSteps(dialect: Dialect, workers: number): Promise<string> {
  const { db, cleanup } = await benchDb(dialect);
  try {
    const ctx: AppContext = { config: baseConfig(), db, clock: systemClock, log: silentLogger };
    const business = await createBusiness(ctx, { name: 'Bench', timeZone: 'UTC' });
    const scope = { businessId: business.id, actor: { type: 'cli' as const, id: null } };
    const automation = await createAutomation(ctx, scope, { definition: { name: 'Tag', trigger: { type: 'manual' }, steps: [{ type: 'wait', duration: 'PT1H' }] } });
    const now = new Date().toISOString();
    const batch = dialect === 'sqlite' ? 1000 : 2000;
    for (let start = 0; start < STEPS; start += batch) {
      await db.transaction(async (trx) => {
        const contacts = [];
        for (let i = start; i < Math.min(STEPS, start + batch); i++) {
          contacts.push({ id: newId(), business_id: business.id, first_name: null, last_name: null, display_name: `P${i}`, phone: null, email: null, phones: '[]', emails: '[]', address_line1: null, address_line2: null, city: null, region: null, postal_code: null, country: null, time_zone: 'UTC', time_zone_source: 'explicit', source: null, lifecycle_stage: 'lead', custom_fields: '{}', owner_user_id: null, search_text: '', last_interaction_at: null, created_at: now, updated_at: now });
        }
        const enrolments = contacts.map((c) => ({ id: newId(), business_id: business.id, automation_id: automation.id, version: 1, contact_id: c.id, occurrence_key: 'bench', trigger_event_id: null, status: 'active', step: 0, attempt: 0, next_run_at: now, waiting_for: null, vars: '{}', last_error: null, exit_reason: null, locked_by: null, locked_until: null, created_at: now, updated_at: now, finished_at: null }));
        for (let k = 0; k < contacts.length; k += 200) {
          await trx.insertInto('contacts').values(contacts.slice(k, k + 200)).execute();
          await trx.insertInto('enrollments').values(enrolments.slice(k, k + 200)).execute();
        }
      });
    }
    const t0 = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (;;) {
          const n = await runDueEnrollments(ctx, `bench-${w}`, 200);
          if (n === 0) break;
          done += n;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    return `due steps   ${dialect.padEnd(8)} ${workers} worker${workers > 1 ? 's' : ' '} ${fmt(done, 0)} steps in ${fmt(secs, 2)} s = ${fmt(done / secs, 0)} steps/s`;
  } finally {
    await cleanup();
  }
}

/** Leads posted to the API at a steady rate; time until the Twilio stand-in accepts each first text. */
export async function benchLeadToSms(dialect: Dialect, perSecond: number, seconds = 10): Promise<string> {
  const { db, cleanup } = await benchDb(dialect);
  const standin = await startTwilioStandin({ accountSid: ACCOUNT, authToken: TOKEN });
  try {
    const config = { ...baseConfig(), enginePollMs: 200, twilio: { accountSid: ACCOUNT, authToken: TOKEN, fromNumber: '+15125550100', messagingServiceSid: null, apiBaseUrl: standin.baseUrl } };
    const ctx: AppContext = { config, db, clock: systemClock, log: silentLogger };
    const business = await createBusiness(ctx, { name: 'Bench', timeZone: 'UTC', settings: { compliance: { quietHours: { start: '00:00', end: '23:59' } } } });
    const scope = { businessId: business.id, actor: { type: 'cli' as const, id: null } };
    await createAutomation(ctx, scope, { enabled: true, definition: { name: 'Speed to lead', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'send_sms', body: 'Thanks {{ contact.name }}!' }] } });
    const { key } = await createApiKey(ctx, scope, { name: 'bench' });
    const app = await buildServer(ctx);
    await app.ready();
    const worker = await startEngineWorker(ctx, createProviders(config));
    const created = new Map<string, number>();
    const total = perSecond * seconds;
    const t0 = performance.now();
    const posts: Array<Promise<unknown>> = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const phone = `+1512${String(3000000 + i)}`;
      created.set(phone, performance.now());
      posts.push(app.inject({ method: 'POST', url: '/contacts', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ name: `Lead ${i}`, phone }) }));
    }
    await Promise.all(posts);
    const until = performance.now() + 30_000;
    while (standin.messages.length < total && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
    await worker.stop();
    await app.close();
    const times = [...standin.arrivals.entries()].map(([to, at]) => at - (created.get(to) ?? at)).sort((a, b) => a - b);
    return `lead → SMS  ${dialect.padEnd(8)} ${String(perSecond).padStart(2)} leads/s × ${seconds} s: ${times.length}/${total} texts, p50 ${fmt(percentile(times, 50), 0)} ms  p99 ${fmt(percentile(times, 99), 0)} ms`;
  } finally {
    await standin.close();
    await cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const d of ['sqlite', 'postgres'] as const) {
    for (const rate of [10, 50]) console.log(await benchLeadToSms(d, rate));
  }
  console.log(await benchDueSteps('sqlite', 1));
  console.log(await benchDueSteps('postgres', 1));
  console.log(await benchDueSteps('postgres', 4));
}
