import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { createBusiness, listBusinesses } from '../../crm/businesses/businesses.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { DEFAULT_DEMO_SEED, DEMO_SLUG, loadDemo } from '../../demo/index.ts';
import { AppError } from '../../lib/errors.ts';
import { withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

export function registerDataCommands(program: Command, config: () => Config, io: CliIo): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (also done at start-up)')
    .action(() =>
      withContext(config, async (ctx) => {
        const report = await migrateToLatest(ctx.db);
        io.out(report.applied.length ? `Applied: ${report.applied.join(', ')}\n` : `Database is up to date (${report.total} migrations).\n`);
      }),
    );

  program
    .command('demo')
    .description('Load the demo business "Comfort Pro HVAC" (3 years of history)')
    .option('--seed <n>', 'random seed (same seed and anchor, same data)', String(DEFAULT_DEMO_SEED))
    .option('--anchor <instant>', 'the moment the history ends, e.g. 2026-03-02T15:00:00Z (default: now)')
    .action((opts: { seed: string; anchor?: string }) =>
      withContext(config, async (ctx) => {
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed)) throw new AppError('BAD_REQUEST', '--seed must be an integer');
        const anchor = opts.anchor === undefined ? undefined : new Date(opts.anchor);
        if (anchor && Number.isNaN(anchor.getTime())) throw new AppError('BAD_REQUEST', '--anchor must be an ISO-8601 instant, e.g. 2026-03-02T15:00:00Z');
        const existing = (await listBusinesses(ctx)).find((b) => b.slug === DEMO_SLUG);
        if (existing) throw new AppError('CONFLICT', `the demo business already exists (id ${existing.id})`);
        const result = await loadDemo(ctx, { seed, now: anchor });
        io.out(`Loaded demo business ${result.slug} (${result.businessId}) in ${(result.loadMs / 1000).toFixed(1)} s.\n`);
        for (const [k, v] of Object.entries(result.counts)) io.out(`  ${k}: ${v}\n`);
        io.out(`Log in: ${result.login.email} / ${result.login.password}\n`);
      }),
    );

  const business = program.command('business').description('Businesses (tenants)');
  business
    .command('create')
    .description('Create a business')
    .requiredOption('--name <name>', 'business name')
    .requiredOption('--time-zone <zone>', 'IANA time zone, e.g. America/Chicago')
    .option('--slug <slug>', 'URL-friendly id')
    .option('--phone <phone>')
    .option('--email <email>')
    .option('--json', 'print JSON')
    .action((opts: { name: string; timeZone: string; slug?: string; phone?: string; email?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const b = await createBusiness(ctx, { name: opts.name, timeZone: opts.timeZone, slug: opts.slug, phone: opts.phone, email: opts.email });
        if (opts.json) printJson(io, b);
        else io.out(`Created business ${b.name} (id ${b.id}, slug ${b.slug}).\n`);
      }),
    );
  business
    .command('list')
    .description('List businesses')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withContext(config, async (ctx) => {
        const all = await listBusinesses(ctx);
        if (opts.json) return printJson(io, all);
        for (const b of all) io.out(`${b.id}  ${b.slug}  ${b.name}  (${b.timeZone})\n`);
        if (all.length === 0) io.out('No businesses.\n');
      }),
    );
}
