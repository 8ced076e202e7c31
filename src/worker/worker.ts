import type { AppContext } from '../context.ts';
import { createProviders, messageIdHostname, type Providers } from '../channels/registry.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../channels/inbound-email.ts';
import { handleInboundEmail } from '../engine/inbound.ts';
import { startEngineWorker, type EngineWorker } from '../engine/worker.ts';
import { expireSessions, markDormantCustomers } from './mark-dormant.ts';
import { intelligenceSchedule } from '../intelligence/priorities/schedule.ts';
import { evaluateDueAlerts } from '../insights/alerts/evaluate.ts';
import { startIntakeLoop } from '../intelligence/intake/loop.ts';
import { verifyAllPendingNumbers } from '../channels/number-check.ts';
import { claimInstallDefaultsForFirstBusiness } from '../crm/businesses/channels.ts';
import { startImportLoop } from './imports.ts';

export interface Worker {
  readonly engine: EngineWorker;
  readonly smtpPort: number | null;
  /** Runs one housekeeping pass and one engine pass now. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The background side of Kinetic: the execution engine (automations, outbox,
 * webhooks), CSV imports queued through the API, the inbound SMTP receiver
 * when configured, and periodic housekeeping of the record (dormancy,
 * expired sessions).
 */
export async function startWorker(ctx: AppContext, opts: { providers?: Providers } = {}): Promise<Worker> {
  const providers = opts.providers ?? createProviders(ctx.config);
  // An install upgraded with TWILIO_FROM_NUMBER set: the number becomes its first business's verified sender.
  await claimInstallDefaultsForFirstBusiness(ctx);
  const engine = await startEngineWorker(ctx, providers);
  const intake = startIntakeLoop(ctx);
  const imports = startImportLoop(ctx);
  let receiver: SmtpReceiver | null = null;
  if (ctx.config.smtpReceiverPort !== null) {
    const hostname = messageIdHostname(ctx.config.publicUrl);
    receiver = await startSmtpReceiver({ port: ctx.config.smtpReceiverPort, host: ctx.config.host, onMessage: async (email) => void (await handleInboundEmail(ctx, email, hostname)) });
    ctx.log.info({ port: receiver.port }, 'SMTP receiver listening');
  }
  let running: Promise<void> | null = null;
  const intelligencePass = intelligenceSchedule();
  const housekeeping = async () => {
    if (running) return running;
    running = (async () => {
      try {
        const dormant = await markDormantCustomers(ctx);
        const sessions = await expireSessions(ctx);
        const alerts = (await evaluateDueAlerts(ctx)).filter((a) => a.transition).length;
        const numbersVerified = await verifyAllPendingNumbers(ctx);
        if (dormant || sessions || alerts || numbersVerified) ctx.log.info({ dormant, sessions, alerts, numbersVerified }, 'housekeeping pass');
        const judgment = await intelligencePass(ctx);
        if (judgment.retrained || judgment.tasks) ctx.log.info(judgment, 'intelligence pass: models retrained, tasks created');
      } catch (err) {
        ctx.log.error({ err }, 'housekeeping pass failed');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void housekeeping(), ctx.config.workerIntervalSeconds * 1000);
  timer.unref();
  void housekeeping();
  return {
    engine,
    smtpPort: receiver?.port ?? null,
    async tick() {
      await housekeeping();
      await intake.tick();
      await imports.tick();
      await engine.tick();
    },
    async stop() {
      clearInterval(timer);
      await running;
      await intake.stop();
      await imports.stop();
      await engine.stop();
      await receiver?.close();
      await providers.close();
    },
  };
}
