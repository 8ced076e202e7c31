import assert from 'node:assert/strict';
import { middayTimeZone } from '../helpers/daytime.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import pg from 'pg';
import { createContext } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger, type AppContext } from '../../src/context.ts';
import { createBusiness } from '../../src/crm/businesses/businesses.ts';
import { dropSchema } from '../../src/db/database.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { enroll } from '../../src/engine/enroll.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { newId } from '../../src/lib/ids.ts';
import { PG_URL } from '../helpers/db.ts';
import { startTwilioStandin, type TwilioStandin } from '../helpers/twilio-standin.ts';

/**
 * Never twice, never lost: worker processes are killed with SIGKILL while they
 * send (at least 100 kills), through the Twilio stand-in, and restarted.
 * Afterwards every message step reached Twilio exactly once, or is marked
 * `unknown` for a person; none twice, none missing.
 */
const ACCOUNT = `AC${'c4'.repeat(16)}`;
const TOKEN = 'crash-test-auth-token-0123456789';
const KILLS = Number(process.env.KINETIC_CRASH_KILLS ?? 100);
const STEPS = 3;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

// Worker processes boot from one bundled file (dependencies stay in node_modules): a restart takes ~1 s, not 2.
const bundleDir = path.join(root, 'node_modules', '.cache', 'kinetic-test');
mkdirSync(bundleDir, { recursive: true });
const workerScript = path.join(bundleDir, `crash-worker-${process.pid}.mjs`);
buildSync({ entryPoints: [path.join(here, 'fixtures/crash-worker.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile: workerScript, logLevel: 'silent' });

export function crashSuite(target: { name: 'sqlite' | 'postgres'; workers: number }): void {
  describe(`crash safety [${target.name}, ${target.workers} worker${target.workers > 1 ? 's' : ''}]`, () => {
    let standin: TwilioStandin;
    let env: NodeJS.ProcessEnv;
    let ctx: AppContext;
    let cleanup: () => Promise<void>;
    let businessId: string;
    let automationId: string;
    let contacts = 0;
    const children = new Set<ChildProcess>();

    /** New contacts, enrolled in the three-text automation. */
    // Real clock, real sends: keep recipients inside their sending window whatever the hour.
    const zone = middayTimeZone();
    const addWork = async (n: number) => {
      const now = new Date().toISOString();
      await ctx.db.transaction(async (trx) => {
        for (let k = 0; k < n; k++, contacts++) {
          const id = newId();
          const phone = `+1512${String(2000000 + contacts)}`;
          await trx
            .insertInto('contacts')
            .values({ id, business_id: businessId, first_name: null, last_name: null, display_name: `Person ${contacts}`, phone, email: null, phones: JSON.stringify([{ number: phone }]), emails: '[]', address_line1: null, address_line2: null, city: null, region: null, postal_code: null, country: null, time_zone: zone, time_zone_source: 'explicit', source: null, lifecycle_stage: 'lead', custom_fields: '{}', owner_user_id: null, search_text: '', last_interaction_at: null, created_at: now, updated_at: now })
            .execute();
          await enroll(trx, { businessId, automationId, version: 1, contactId: id, occurrenceKey: 'crash', triggerEventId: null, at: now, reason: 'crash test' });
        }
      });
    };

    before(async () => {
      const random = rng(7);
      standin = await startTwilioStandin({ accountSid: ACCOUNT, authToken: TOKEN, responseDelay: () => 40 + Math.floor(random() * 120) });
      const common = {
        KINETIC_DEMO: '0',
        KINETIC_LOG_LEVEL: 'silent',
        KINETIC_DB_POOL_SIZE: '3',
        KINETIC_SECRET: 'crash-test-secret-0123456789abcdef0123456789',
        TWILIO_ACCOUNT_SID: ACCOUNT,
        TWILIO_AUTH_TOKEN: TOKEN,
        TWILIO_FROM_NUMBER: '+15125550100',
        TWILIO_API_BASE_URL: standin.baseUrl,
      };
      if (target.name === 'sqlite') {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-crash-'));
        env = { ...process.env, ...common, KINETIC_DATA_DIR: dir };
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const schema = `kx_${process.pid}_${randomBytes(3).toString('hex')}`;
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`create schema ${schema}`);
        await c.end();
        env = { ...process.env, ...common, DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
        cleanup = () => dropSchema(PG_URL, schema);
      }
      ctx = await createContext(loadConfig(env), { log: silentLogger });
      const business = await createBusiness(ctx, { name: 'Crash HVAC', timeZone: zone, settings: { compliance: { quietHours: { start: '00:00', end: '23:59' }, marketingPerDay: 20, marketingPerWeek: 50 } } });
      businessId = business.id;
      const automation = await createAutomation(ctx, { businessId, actor: { type: 'cli', id: null } }, {
        definition: {
          name: 'Three texts',
          trigger: { type: 'manual' },
          purpose: 'transactional',
          steps: Array.from({ length: STEPS }, (_, i) => ({ type: 'send_sms', body: `Step ${i + 1} for {{ contact.name }}` })),
        },
      });
      automationId = automation.id;
      // Half the work arrives as queued messages, half as steps the workers still have to run.
      await addWork(150);
      await runDueEnrollments(ctx, 'setup', 1000);
      await addWork(150);
    });

    after(async () => {
      rmSync(workerScript, { force: true });
      for (const c of children) c.kill('SIGKILL');
      await ctx?.db.close();
      await standin?.close();
      await cleanup?.();
    });

    /** Boots a worker process that waits, warm, until `go()` starts its engine. */
    const bootWorker = () => {
      const child = spawn(process.execPath, [workerScript], { cwd: root, env, stdio: ['pipe', 'pipe', 'inherit'] });
      children.add(child);
      child.on('exit', () => children.delete(child));
      let out = '';
      const seen = (word: string) =>
        new Promise<void>((resolve) => {
          const check = () => (out.includes(word) || child.exitCode !== null || child.signalCode !== null) && resolve();
          child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), check()));
          child.on('exit', () => resolve());
          check();
        });
      const ready = seen('ready');
      return {
        child,
        go: async () => {
          await ready;
          child.stdin!.write('go\n');
          await seen('running');
        },
      };
    };

    const count = async (table: 'enrollments' | 'outbox', column: 'status' | 'state', values: string[]) =>
      Number((await ctx.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(column as never, 'in', values as never).executeTakeFirstOrThrow()).n);
    const pending = async () => (await count('enrollments', 'status', ['active', 'waiting'])) + (await count('outbox', 'state', ['queued', 'sending']));
    const heldBy = async (pid: number | undefined) =>
      (await ctx.db.kysely.selectFrom('outbox').select('id').where('state', '=', 'sending').where('locked_by', '=', `crash-${pid}`).execute()).length;

    // Bounded by progress, not by the clock: on a loaded machine every restart boots more slowly, which must
    // not fail a test of exactly-once delivery. Only a loop that stops making progress fails (and the test timeout).
    test(`${KILLS} SIGKILLs mid-send: every step sent exactly once or marked for a person`, { timeout: 1_800_000 }, async () => {
      const random = rng(target.workers * 101);
      const pool = Array.from({ length: target.workers }, bootWorker);
      await Promise.all(pool.map((w) => w.go()));
      const running = new Set(pool);
      const spares = [bootWorker(), bootWorker()];
      let kills = 0;
      let midSend = 0;
      const stall = 120_000;
      let progressAt = Date.now();
      while (kills < KILLS && Date.now() - progressAt < stall) {
        if ((await pending()) < 200) await addWork(100);
        // With several workers, the others keep sending while a replacement boots.
        while (![...running].length) await new Promise((r) => setTimeout(r, 10));
        const candidates = pool.filter((w) => running.has(w));
        const victim = candidates[Math.floor(random() * candidates.length)];
        const i = pool.indexOf(victim);
        // Catch the victim while it holds messages it is sending, then pull the plug a random moment later.
        for (let t = 0; t < 100 && (await heldBy(victim.child.pid)) === 0; t++) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, random() * 250));
        victim.child.kill('SIGKILL');
        if (victim.child.exitCode === null && victim.child.signalCode === null) await once(victim.child, 'exit');
        if ((await heldBy(victim.child.pid)) > 0) midSend++;
        kills++;
        progressAt = Date.now();
        running.delete(victim);
        const replacement = spares.shift()!;
        pool[i] = replacement;
        spares.push(bootWorker());
        const started = replacement.go().then(() => running.add(replacement));
        if (target.workers === 1) await started;
      }
      for (const s of spares) s.child.kill('SIGKILL');
      assert.ok(kills >= KILLS, `only ${kills} kills: none in the last ${stall / 1000} s`);
      assert.ok(midSend >= KILLS / 2, `only ${midSend} of ${kills} kills landed while messages were being sent`);
      await Promise.all(pool.map((w) => w.go()));
      // Let the survivors finish, including reconciling what the dead left in `sending`.
      let left = await pending();
      let settledAt = Date.now();
      while (left > 0 && Date.now() - settledAt < stall) {
        await new Promise((r) => setTimeout(r, 100));
        const now = await pending();
        if (now < left) settledAt = Date.now();
        left = now;
      }
      assert.equal(await pending(), 0, 'everything settled after the kills');
      for (const w of pool) w.child.kill('SIGKILL');

      const rows = await ctx.db.kysely.selectFrom('outbox').select(['to_address', 'body', 'state', 'provider_message_id', 'last_error', 'attempts']).execute();
      const received = new Map<string, number>();
      for (const m of standin.messages) received.set(`${m.to}|${m.body}`, (received.get(`${m.to}|${m.body}`) ?? 0) + 1);
      assert.deepEqual([...received.entries()].filter(([, n]) => n > 1), [], 'no message reached Twilio twice');
      const byKey = new Map(rows.map((r) => [`${r.to_address}|${r.body}`, r]));
      for (const [key] of received) assert.ok(byKey.has(key), `Twilio got ${key} but no outbox row accounts for it`);
      const sids = new Set(standin.messages.map((m) => m.sid));
      for (const r of rows) {
        const n = received.get(`${r.to_address}|${r.body}`) ?? 0;
        if (r.state === 'sent' || r.state === 'delivered') {
          assert.equal(n, 1, `${r.body} to ${r.to_address} is ${r.state} and reached Twilio ${n} times`);
          assert.ok(sids.has(r.provider_message_id!), 'the recorded sid is the one Twilio issued');
        } else {
          assert.equal(r.state, 'unknown', `a message ended ${r.state}: ${r.body}`);
        }
      }
      const enrolments = await ctx.db.kysely.selectFrom('enrollments').select(['status', 'step']).execute();
      assert.ok(enrolments.every((e) => e.status === 'completed' && e.step === STEPS), 'every enrolment ran all its steps');
      assert.equal(rows.length, contacts * STEPS, 'exactly one outbox row per step: none lost, none doubled');
      const recovered = rows.filter((r) => r.last_error?.startsWith('confirmed with the provider')).length;
      const resent = rows.filter((r) => r.attempts > 1).length;
      const unknown = rows.filter((r) => r.state === 'unknown').length;
      process.stdout.write(`# ${target.name}: ${kills} kills (${midSend} mid-send), ${rows.length} messages, ${recovered} confirmed by lookup after a crash, ${resent} sent again after a crash before reaching Twilio, ${unknown} marked unknown\n`);
    });
  });
}
