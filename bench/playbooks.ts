// `node --import tsx bench/playbooks.ts`: a month of the demo business with every playbook on, on a
// virtual clock, on SQLite and PostgreSQL. Prints what was sent per playbook, how often the
// per-contact cap and priority deferred a message, the closest two marketing messages to one
// contact ever came, and how long the engine took. Prints numbers only.
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { silentLogger, type AppContext, type Scope } from '../src/context.ts';
import { createContact } from '../src/crm/contacts/contacts.ts';
import { interactions } from '../src/crm/interactions/interactions.ts';
import { jobs } from '../src/crm/jobs/jobs.ts';
import type { Dialect } from '../src/db/database.ts';
import { loadDemo } from '../src/demo/index.ts';
import { setAutomationStatus } from '../src/engine/automations.ts';
import { installEngine } from '../src/engine/index.ts';
import { runDueEnrollments } from '../src/engine/runner.ts';
import { runSegmentTriggers } from '../src/engine/segments.ts';
import { VirtualClock } from '../src/lib/clock.ts';
import { benchDb, fmt } from './util.ts';

const DAYS = Number(process.env.BENCH_PLAYBOOK_DAYS ?? 30);
const LEADS_PER_DAY = Number(process.env.BENCH_LEADS_PER_DAY ?? 12);
const START = '2026-03-02T06:00:00Z';

async function month(dialect: Dialect): Promise<void> {
  const { db, cleanup } = await benchDb(dialect);
  const clock = new VirtualClock(START);
  const ctx: AppContext = { config: { ...loadConfig({ KINETIC_DEMO: '0' }), secret: 'bench-secret-0123456789abcdef0123456789' }, db, clock, log: silentLogger };
  try {
    const demo = await loadDemo(ctx);
    const scope: Scope = { businessId: demo.businessId, actor: { type: 'cli', id: null } };
    const automations = await db.kysely.selectFrom('automations').select(['id', 'playbook']).where('business_id', '=', demo.businessId).execute();
    for (const a of automations) await setAutomationStatus(ctx, scope, a.id, 'enabled');
    let engineMs = 0;
    let segmentMs = 0;
    let steps = 0;
    const drain = async () => {
      const t = performance.now();
      for (let n = await runDueEnrollments(ctx, 'bench', 500); n > 0; n = await runDueEnrollments(ctx, 'bench', 500)) steps += n;
      engineMs += performance.now() - t;
    };
    let seq = 0;
    for (let day = 0; day < DAYS; day++) {
      const t = performance.now();
      await runSegmentTriggers(ctx);
      segmentMs += performance.now() - t;
      for (let hour = 0; hour < 24; hour++) {
        if (hour >= 24 - LEADS_PER_DAY) {
          const n = seq++;
          const lead = await createContact(ctx, scope, { firstName: `Bench${n}`, phone: `+1737556${String(1000 + n).slice(-4)}`, source: 'website' });
          if (n % 3 === 0) await interactions.create(ctx, scope, { contactId: lead.id, kind: 'sms', direction: 'inbound', body: 'yes please call me' });
          if (n % 4 === 0) await jobs.create(ctx, scope, { contactId: lead.id, serviceType: 'repair', scheduledStart: new Date(clock.now().getTime() + 2 * 86_400_000).toISOString() });
          if (n % 5 === 0) await interactions.create(ctx, scope, { contactId: lead.id, kind: 'call', direction: 'inbound', outcome: 'missed' });
        }
        for (let m = 0; m < 4; m++) {
          await drain();
          clock.advance(15 * 60_000);
        }
      }
    }
    const sent = await db.kysely
      .selectFrom('outbox')
      .innerJoin('enrollments', 'enrollments.id', 'outbox.enrollment_id')
      .innerJoin('automations', 'automations.id', 'enrollments.automation_id')
      .select(['automations.playbook', 'outbox.purpose', (eb) => eb.fn.countAll<number>().as('n')])
      .where('outbox.user_id', 'is', null)
      .groupBy(['automations.playbook', 'outbox.purpose'])
      .execute();
    const deferrals = await db.kysely.selectFrom('enrollment_log').select('detail').where('outcome', '=', 'deferred').execute();
    const reasons = { priority: 0, cap: 0, quiet: 0 };
    for (const d of deferrals) {
      const r = String((JSON.parse(d.detail) as { reason?: string }).reason);
      if (r.startsWith('yields')) reasons.priority++;
      else if (r.startsWith('frequency cap')) reasons.cap++;
      else if (r.startsWith('quiet hours')) reasons.quiet++;
    }
    const marketing = await db.kysely.selectFrom('outbox').select(['contact_id', 'created_at']).where('purpose', '=', 'marketing').where('user_id', 'is', null).orderBy('contact_id').orderBy('created_at').execute();
    let closest = Infinity;
    for (let i = 1; i < marketing.length; i++) if (marketing[i].contact_id === marketing[i - 1].contact_id) closest = Math.min(closest, Date.parse(marketing[i].created_at) - Date.parse(marketing[i - 1].created_at));
    console.log(`\n${dialect}: ${DAYS} virtual days, demo business + ${seq} new leads, every playbook on`);
    for (const r of sent.sort((a, b) => String(a.playbook).localeCompare(String(b.playbook)))) console.log(`  ${String(r.playbook).padEnd(24)} ${r.purpose.padEnd(14)} ${fmt(Number(r.n), 0)} messages`);
    console.log(`  deferred: ${fmt(reasons.priority, 0)} by priority, ${fmt(reasons.cap, 0)} by the per-contact cap, ${fmt(reasons.quiet, 0)} by quiet hours`);
    console.log(`  closest two marketing messages to one contact: ${Number.isFinite(closest) ? fmt(closest / 3_600_000) + ' h' : 'n/a'} (${fmt(marketing.length, 0)} marketing messages)`);
    console.log(`  engine: ${fmt(steps, 0)} enrolment runs in ${fmt(engineMs / 1000, 2)} s (${fmt(engineMs / Math.max(1, steps), 1)} ms per run, including idle polls); segment evaluation ${fmt(segmentMs / DAYS, 0)} ms per day`);
  } finally {
    await cleanup();
  }
}

installEngine();
for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[]) await month(dialect);
