import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import type { ImportEntity, ImportReport } from '../../crm/csv/import.ts';
import { exportEntities } from '../../crm/csv/export-tables.ts';
import { importFormats, type ImportFormat } from '../../crm/csv/shapes.ts';
import { AppError } from '../../lib/errors.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

const entities: ImportEntity[] = ['contacts', 'jobs', 'interactions', 'deals'];

function parseEntity(value: string): ImportEntity {
  if (!(entities as string[]).includes(value)) throw new AppError('BAD_REQUEST', `unknown entity "${value}": use one of ${entities.join(', ')}`);
  return value as ImportEntity;
}

function parseMapping(pairs: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.lastIndexOf('=');
    if (eq <= 0) throw new AppError('BAD_REQUEST', `--map "${pair}": expected "CSV header=field", e.g. --map "Cell=phone"`);
    mapping[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return mapping;
}

/** How often a non-interactive run (a log, a pipe, CI) says how far the import is: a line at most this often. */
const plainProgressMs = 10_000;

/**
 * Progress for a terminal: a bar with rows, rows/s and the time left. Without
 * one (output to a file or a pipe), a plain line on stderr every ten seconds
 * instead, so a log shows that a long import is alive without filling up.
 * Nothing with --json: its output is the report alone.
 */
function importProgress(io: CliIo, totalBytes: number, quiet: boolean) {
  const started = performance.now();
  const rate = (rows: number) => Math.round((rows * 1000) / Math.max(1, performance.now() - started));
  const rowsPerSecond = (rows: number) => rate(rows).toLocaleString('en-US');
  if (quiet) return { update: (_rows: number, _bytes: number) => undefined, stop: () => undefined };
  if (io.interactive) {
    const bar = new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {rows} rows | {speed} rows/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
    bar.start(totalBytes, 0, { rows: 0, speed: 0 });
    return {
      update: (rows: number, bytes: number) => bar.update(Math.min(bytes, totalBytes), { rows: rows.toLocaleString('en-US'), speed: rowsPerSecond(rows) }),
      stop: () => bar.stop(),
    };
  }
  let lastLine = started;
  return {
    update: (rows: number, bytes: number) => {
      const now = performance.now();
      if (now - lastLine < plainProgressMs || bytes >= totalBytes) return;
      lastLine = now;
      const fraction = totalBytes > 0 ? Math.min(1, bytes / totalBytes) : 0;
      const left = fraction > 0 ? Math.round(((now - started) / 1000) * ((1 - fraction) / fraction)) : null;
      io.err(`import: ${rows.toLocaleString('en-US')} rows, ${Math.floor(fraction * 100)}% of the file, ${rowsPerSecond(rows)} rows/s${left === null ? '' : `, about ${left} s left`}\n`);
    },
    stop: () => undefined,
  };
}

function printReport(io: CliIo, entity: ImportEntity, report: ImportReport, errorsPath: string): void {
  const warned = report.warnings ? `, ${report.warnings} imported without some values` : '';
  io.out(`${report.dryRun ? 'Dry run: would import' : 'Imported'} ${report.rows} rows of ${entity}: ${report.created} created, ${report.merged} merged, ${report.rejected} rejected${warned} (${Math.round(report.rowsPerSecond)} rows/s).\n`);
  if (report.shape) io.out(`Recognised: ${report.shape} export.\n`);
  io.out(`Columns: ${Object.entries(report.mapping).map(([h, f]) => `${h} → ${f}`).join(', ')}\n`);
  if (report.unmappedColumns.length) io.out(`Not imported (map them with --map "Header=custom.name"): ${report.unmappedColumns.join(', ')}\n`);
  const existing = report.merges.filter((m) => m.existing);
  if (existing.length) {
    io.out(`Merged into existing contacts${existing.length === 100 ? ' (the first 100)' : ''}:\n`);
    for (const m of existing) io.out(`  line ${m.row} → ${m.name} (${m.contactId}, same ${m.matchedOn})\n`);
  }
  if (report.possibleDuplicates.length) {
    io.out(`New contacts sharing a phone with someone of another name (check them under Duplicates):\n`);
    for (const d of report.possibleDuplicates) io.out(`  line ${d.row}: ${d.name} shares a phone with ${d.sharesPhoneWith.name} (${d.sharesPhoneWith.contactId})\n`);
  }
  if (report.rejected || report.warnings) io.out(`Rejected rows and dropped values, with reasons: ${errorsPath}\n`);
}

export function registerCsvCommands(program: Command, config: () => Config, io: CliIo): void {
  program
    .command('import <entity> <file>')
    .description('Import contacts, jobs, interactions or deals from CSV (streamed; dedupes contacts by phone/email)')
    .option('--map <header=field>', 'map a CSV column to a field (repeatable); field "ignore" skips it', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--dry-run', 'validate and report; write nothing')
    .option('--update-existing', 'let the file replace values a matched contact already has (default: only empty ones are filled)')
    .option('--format <vendor>', `read the file as this tool's export: ${importFormats.join(', ')} (default: recognised from the header row)`)
    .option('--errors <file>', 'where rejected rows go (default: <file>.errors.csv when there are any)')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json', 'print the report as JSON')
    .action((entityName: string, file: string, opts: { map: string[]; dryRun?: boolean; updateExisting?: boolean; format?: string; errors?: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const entity = parseEntity(entityName);
        if (!existsSync(file) || !statSync(file).isFile()) throw new AppError('BAD_REQUEST', `cannot read ${file}: no such file`);
        const scope = await resolveBusiness(ctx, opts.business);
        const total = statSync(file).size;
        const errorsPath = opts.errors ?? `${file}.errors.csv`;
        const errorsOut = createWriteStream(errorsPath);
        const progress = importProgress(io, total, Boolean(opts.json));
        const { importCsv } = await import('../../crm/csv/import.ts');
        try {
          const report = await importCsv(ctx, scope, {
            entity,
            input: createReadStream(file),
            mapping: Object.keys(opts.map).length ? parseMapping(opts.map) : undefined,
            dryRun: opts.dryRun,
            updateExisting: opts.updateExisting,
            format: opts.format as ImportFormat | undefined,
            errors: errorsOut,
            onProgress: (p) => progress.update(p.rows, p.bytes),
          });
          progress.update(report.rows, total);
          progress.stop();
          errorsOut.end();
          await finished(errorsOut);
          const errorRows = report.rejected + report.warnings;
          if (errorRows === 0 && !opts.errors) {
            const { unlink } = await import('node:fs/promises');
            await unlink(errorsPath).catch(() => undefined);
          }
          if (opts.json) return printJson(io, { ...report, errorsFile: errorRows ? errorsPath : null });
          printReport(io, entity, report, errorsPath);
        } catch (err) {
          progress.stop();
          errorsOut.end();
          throw err;
        }
      }),
    );

  program
    .command('export <entity>')
    .description(`Export ${exportEntities.join(', ')} as CSV (formula cells neutralised) or JSON; "all" writes every entity as CSV and JSON into --out <dir>`)
    .option('--out <file|dir>', 'write to a file instead of standard output (for "all": the directory, created if missing)')
    .option('--json', 'JSON (an array of rows as stored) instead of CSV')
    .option('--business <id|slug>', 'business (default: the only one)')
    .action((entityName: string, opts: { out?: string; json?: boolean; business?: string }) =>
      withContext(config, async (ctx) => {
        const { exportAll, exportEntityCsv, exportEntityJson } = await import('../../crm/csv/export-all.ts');
        if (entityName === 'all') {
          if (!opts.out) throw new AppError('BAD_REQUEST', 'export all needs --out <dir>: it writes one CSV and one JSON file per entity');
          const scope = await resolveBusiness(ctx, opts.business);
          const report = await exportAll(ctx, scope, opts.out);
          const total = Object.values(report.counts).reduce((a, b) => a + b, 0);
          io.err(`Exported ${total} records of ${Object.keys(report.counts).length} entities (CSV and JSON) to ${opts.out}: ${Object.entries(report.counts).map(([e, n]) => `${e} ${n}`).join(', ')}.\n`);
          return;
        }
        if (!(exportEntities as string[]).includes(entityName)) throw new AppError('BAD_REQUEST', `unknown entity "${entityName}": use one of ${exportEntities.join(', ')}, or all`);
        const scope = await resolveBusiness(ctx, opts.business);
        const out = opts.out
          ? createWriteStream(opts.out)
          : new Writable({ write: (chunk: Buffer | string, _enc, done) => (io.out(chunk.toString()), done()) });
        const { rows } = opts.json ? await exportEntityJson(ctx, scope, entityName, out) : await exportEntityCsv(ctx, scope, entityName, out);
        out.end();
        await finished(out);
        if (opts.out) io.err(`Exported ${rows} ${entityName} to ${opts.out}.\n`);
      }),
    );
}
