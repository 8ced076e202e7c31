import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { formatLeakTable, formatMetricsTable } from '../../insights/format.ts';
import { calculateLeak, leakInputNames, resolveLeakInputs, type LeakInputs } from '../../insights/leak.ts';
import { leakFromData } from '../../insights/leak-from-data.ts';
import { metricsFromQuery } from '../../insights/metrics.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

const flagOf = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

const leakFlags: Record<keyof LeakInputs, string> = {
  inquiriesPerMonth: 'inquiries per month (calls, texts, web forms)',
  answerRate: 'share of inquiries answered (0..1)',
  notBookedRate: 'share of answered inquiries that do not book at once (0..1)',
  followedUpRate: 'share of those that get followed up today (0..1)',
  recoveryRate: 'share of unworked leads a follow-up sequence books (0..1)',
  avgTicket: 'average ticket in dollars',
  voiceRecoveryRate: 'share of unanswered calls that voice answering books (0..1)',
  dormantContacts: 'dormant contacts in the database',
  dormantResponseRate: 'share of dormant contacts that reply to a campaign (0..1)',
  dormantBookingRate: 'share of those who reply that book (0..1)',
};

export function registerInsightCommands(program: Command, config: () => Config, io: CliIo): void {
  program
    .command('metrics')
    .description('Answer rate, speed to lead, lead decay, follow-up coverage, bookings, reviews, no-shows, reactivation and automation revenue, with the previous period')
    .option('--from <instant>', 'start of the period (ISO-8601; default 30 days before --to)')
    .option('--to <instant>', 'end of the period (default now)')
    .option('--min-touches <n>', 'follow-up coverage counts leads with at least this many follow-up touches', '1')
    .option('--business <id or slug>')
    .option('--json', 'print JSON')
    .action((opts: { from?: string; to?: string; minTouches: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const scope = await resolveBusiness(ctx, opts.business);
        const report = await metricsFromQuery(ctx, scope, { from: opts.from, to: opts.to, minTouches: opts.minTouches });
        if (opts.json) printJson(io, report);
        else io.out(formatMetricsTable(report));
      }),
    );

  const leak = program
    .command('leak')
    .description('Revenue leak: unworked leads, unanswered calls and the dormant database, from inputs or from the business\'s data (--from-data)')
    .option('--from-data', 'measure the inputs from the last 12 months of the business\'s data (flags given still win)')
    .option('--business <id or slug>', 'with --from-data')
    .option('--json', 'print JSON');
  for (const [field, help] of Object.entries(leakFlags)) leak.option(`${flagOf(field)} <n>`, help);
  leak.action((opts: Record<string, string | boolean | undefined>) => {
    const given = Object.fromEntries(leakInputNames.map((k) => [k, opts[k]])) as Partial<Record<keyof LeakInputs, unknown>>;
    if (!opts.fromData) {
      const { inputs, defaultsUsed } = resolveLeakInputs(given, flagOf);
      const report = calculateLeak(inputs, defaultsUsed, 'inputs');
      if (opts.json) printJson(io, report);
      else io.out(formatLeakTable(report));
      return;
    }
    // Check the numbers before opening the database.
    resolveLeakInputs(given, flagOf);
    return withContext(config, async (ctx) => {
      const scope = await resolveBusiness(ctx, opts.business as string | undefined);
      const report = await leakFromData(ctx, scope, given, flagOf);
      if (opts.json) printJson(io, report);
      else io.out(formatLeakTable(report));
    });
  });
}
