import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { AppContext } from '../context.ts';
import { onWorkCommitted, WAKE_CHANNEL, wakeToken } from '../db/database.ts';
import { dispatchQueued, reconcileStuck, type Providers } from './outbox/dispatch.ts';
import { runDueEnrollments } from './runner.ts';
import { runSegmentTriggers } from './segments.ts';
import { deliverWebhooks } from './webhooks/deliver.ts';

export interface EngineWorkerOptions {
  workerId?: string;
  /** Poll interval when nothing wakes the worker (ms). */
  pollMs?: number;
  /** Lease on claimed outbox rows (ms); must exceed the providers' request timeout. */
  sendLeaseMs?: number;
  /** Lease on claimed enrolments (ms): a dead worker's claims return after it. */
  stepLeaseMs?: number;
  /** How often time-based segment triggers are evaluated (ms). */
  segmentEveryMs?: number;
}

export interface EngineWorker {
  readonly workerId: string;
  /** One full pass: reconcile, run due steps, send, deliver webhooks. */
  tick(): Promise<{ steps: number; sent: number }>;
  stop(): Promise<void>;
}

/**
 * The execution worker. One per process; on PostgreSQL any number of
 * processes can run it side by side (rows are claimed with SKIP LOCKED).
 * It starts a pass as soon as work is committed: in-process through the
 * database handle's commit signal, from other processes through
 * LISTEN/NOTIFY. The poll interval is only the safety net.
 */
export async function startEngineWorker(ctx: AppContext, providers: Providers, opts: EngineWorkerOptions = {}): Promise<EngineWorker> {
  const workerId = opts.workerId ?? `w-${process.pid}-${randomBytes(3).toString('hex')}`;
  const pollMs = opts.pollMs ?? ctx.config.enginePollMs;
  let stopped = false;
  let running: Promise<{ steps: number; sent: number }> | null = null;
  let again = false;
  let lastSegments = 0;

  const pass = async () => {
    const tally = { steps: 0, sent: 0 };
    await reconcileStuck(ctx, providers, { workerId, leaseMs: opts.sendLeaseMs });
    if (Date.now() - lastSegments >= (opts.segmentEveryMs ?? 15 * 60_000)) {
      lastSegments = Date.now();
      await runSegmentTriggers(ctx);
    }
    // Small batches, alternating: a new lead's first text never waits behind a long backlog of steps.
    for (let i = 0; i < 50; i++) {
      const steps = await runDueEnrollments(ctx, workerId, 50, opts.stepLeaseMs);
      const sent = await dispatchQueued(ctx, providers, { workerId, limit: 50, leaseMs: opts.sendLeaseMs });
      tally.steps += steps;
      tally.sent += sent;
      if (steps === 0 && sent === 0) break;
    }
    await deliverWebhooks(ctx, { workerId, allowPrivate: ctx.config.webhooksAllowPrivate });
    return tally;
  };

  const tick = async () => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let result = { steps: 0, sent: 0 };
      do {
        again = false;
        try {
          result = await pass();
        } catch (err) {
          ctx.log.error({ err }, 'engine pass failed');
        }
      } while (again && !stopped);
      return result;
    })();
    try {
      return await running;
    } finally {
      running = null;
    }
  };

  const unsubscribe = onWorkCommitted(ctx.db, () => {
    if (!stopped) void tick();
  });
  let listener: pg.Client | null = null;
  if (ctx.config.database.kind === 'postgres') {
    const own = wakeToken(ctx.db);
    listener = new pg.Client({ connectionString: ctx.config.database.url });
    await listener.connect();
    // Our own handle's NOTIFY already woke us in-process.
    listener.on('notification', (msg) => {
      if (!stopped && (!own || msg.payload !== own)) void tick();
    });
    listener.on('error', (err) => ctx.log.warn({ err }, 'LISTEN connection lost; polling continues'));
    await listener.query(`LISTEN ${WAKE_CHANNEL}`);
  }
  const timer = setInterval(() => void tick(), pollMs);
  timer.unref();
  void tick();

  return {
    workerId,
    tick,
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      await running;
      await listener?.end().catch(() => undefined);
    },
  };
}
