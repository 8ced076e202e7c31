import type { Command } from 'commander';
import { createContext } from '../../app.ts';
import { buildServer } from '../../api/server.ts';
import { buildDashboard, dashboardNeedsBuild } from '../../api/routes/dashboard.ts';
import type { Config } from '../../config.ts';
import { listBusinesses } from '../../crm/businesses/businesses.ts';
import { DEMO_LOGIN, DEMO_SLUG } from '../../demo/catalog.ts';
import { AppError } from '../../lib/errors.ts';
import { startWorker, type Worker } from '../../worker/worker.ts';
import type { CliIo } from '../io.ts';
import { recordPublicUrl } from '../../db/install-settings.ts';

export function registerStartCommand(program: Command, config: () => Config, io: CliIo): void {
  program
    .command('start')
    .description('Start Kinetic: API, dashboard and worker in one process (loads the demo business into an empty database unless KINETIC_DEMO=0)')
    .option('--api-only', 'serve the API and dashboard, run no worker')
    .option('--worker-only', 'run the worker, serve no HTTP')
    .action(async (opts: { apiOnly?: boolean; workerOnly?: boolean }) => {
      if (opts.apiOnly && opts.workerOnly) throw new AppError('BAD_REQUEST', '--api-only and --worker-only cannot be combined');
      const cfg = config();
      const ctx = await createContext(cfg);
      let businesses = await listBusinesses(ctx);
      let demoLoaded = false;
      if (businesses.length === 0 && cfg.demo && !opts.workerOnly) {
        io.out('Empty database: loading the demo business "Comfort Pro HVAC"…\n');
        // The demo generator (and faker) loads only for an empty database.
        const { loadDemo } = await import('../../demo/index.ts');
        const demo = await loadDemo(ctx);
        io.out(`Demo business loaded in ${(demo.loadMs / 1000).toFixed(1)} s.\n`);
        demoLoaded = true;
        businesses = await listBusinesses(ctx);
      }
      if (!opts.workerOnly && dashboardNeedsBuild()) {
        io.out('Building the dashboard…\n');
        await buildDashboard().catch((err: Error) => io.out(`The dashboard could not be built (${err.message}); the API works without it.\n`));
      }
      const app = opts.workerOnly ? null : await buildServer(ctx, { logger: cfg.logLevel !== 'silent' && cfg.logLevel !== 'info' });
      if (app) {
        await app.listen({ port: cfg.port, host: cfg.host });
        // With PORT=0 the system picks the port: links in messages (booking, unsubscribe) must carry the real one.
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : cfg.port;
        if (port !== cfg.port && cfg.publicUrl.includes(`:${cfg.port}`)) ctx.config.publicUrl = cfg.publicUrl.replace(`:${cfg.port}`, `:${port}`);
        // Commands run from another shell print the links this server sends (kinetic booking link).
        await recordPublicUrl(ctx.db.kysely, ctx.config.publicUrl, ctx.clock.now().toISOString());
      }
      const worker: Worker | null = opts.apiOnly ? null : await startWorker(ctx);
      const where = cfg.database.kind === 'sqlite' ? `SQLite ${cfg.database.file}` : 'PostgreSQL';
      const channels = `SMS via ${cfg.twilio ? 'Twilio' : 'the dev outbox'}, email via ${cfg.smtp ? 'SMTP' : 'the dev outbox'}`;
      io.out(`\nKinetic is running (${where}${worker ? `, worker on: ${channels}` : ''}).\n`);
      if (worker?.smtpPort) io.out(`  Inbound email: SMTP on port ${worker.smtpPort}\n`);
      if (app) {
        const base = ctx.config.publicUrl;
        io.out(`  Dashboard: ${base}/app\n  API docs:  ${base}/docs\n`);
        const hasDemo = demoLoaded || businesses.some((b) => b.slug === DEMO_SLUG);
        if (hasDemo) io.out(`  Log in:    ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}  (demo business; set KINETIC_DEMO=0 for an empty start)\n`);
        else if (businesses.length === 0) io.out('  No business yet: create one with `kinetic business create` and `kinetic user create`.\n');
      }
      io.out('Press Ctrl+C to stop.\n');
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      io.out('Stopping…\n');
      await app?.close();
      await worker?.stop();
      await ctx.db.close();
    });
}
