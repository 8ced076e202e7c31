import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { Config } from '../../config.ts';
import { exportCsv } from '../../crm/csv/export.ts';
import { importCsv, type ImportEntity } from '../../crm/csv/import.ts';
import { AppError } from '../../lib/errors.ts';
import { resolveBusiness, withContext } from '../context.ts';
import { printJson, type CliIo } from '../io.ts';

const entities: ImportEntity[] = ['contacts', 'jobs', 'interactions'];

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

export function registerCsvCommands(program: Command, config: () => Config, io: CliIo): void {
  program
    .command('import <entity> <file>')
    .description('Import contacts, jobs or interactions from CSV (streamed; dedupes contacts by phone/email)')
    .option('--map <header=field>', 'map a CSV column to a field (repeatable); field "ignore" skips it', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--dry-run', 'validate and report; write nothing')
    .option('--errors <file>', 'where rejected rows go (default: <file>.errors.csv when there are any)')
    .option('--business <id|slug>', 'business (default: the only one)')
    .option('--json', 'print the report as JSON')
    .action((entityName: string, file: string, opts: { map: string[]; dryRun?: boolean; errors?: string; business?: string; json?: boolean }) =>
      withContext(config, async (ctx) => {
        const entity = parseEntity(entityName);
        if (!existsSync(file) || !statSync(file).isFile()) throw new AppError('BAD_REQUEST', `cannot read ${file}: no such file`);
        const scope = await resolveBusiness(ctx, opts.business);
        const total = statSync(file).size;
        const errorsPath = opts.errors ?? `${file}.errors.csv`;
        const errorsOut = createWriteStream(errorsPath);
        const bar = io.interactive && !opts.json ? new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {rows} rows | ETA {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
        bar?.start(total, 0, { rows: 0 });
        try {
          const report = await importCsv(ctx, scope, {
            entity,
            input: createReadStream(file),
            mapping: Object.keys(opts.map).length ? parseMapping(opts.map) : undefined,
            dryRun: opts.dryRun,
            errors: errorsOut,
            onProgress: (p) => bar?.update(Math.min(p.bytes, total), { rows: p.rows }),
          });
          bar?.update(total, { rows: report.rows });
          bar?.stop();
          errorsOut.end();
          await finished(errorsOut);
          if (report.rejected === 0 && !opts.errors) {
            const { unlink } = await import('node:fs/promises');
            await unlink(errorsPath).catch(() => undefined);
          }
          if (opts.json) return printJson(io, { ...report, errorsFile: report.rejected ? errorsPath : null });
          io.out(`${report.dryRun ? 'Dry run: would import' : 'Imported'} ${report.rows} rows of ${entity}: ${report.created} created, ${report.merged} merged, ${report.rejected} rejected (${Math.round(report.rowsPerSecond)} rows/s).\n`);
          io.out(`Columns: ${Object.entries(report.mapping).map(([h, f]) => `${h} → ${f}`).join(', ')}\n`);
          if (report.unmappedColumns.length) io.out(`Not imported (map them with --map "Header=custom.name"): ${report.unmappedColumns.join(', ')}\n`);
          if (report.rejected) io.out(`Rejected rows and reasons: ${errorsPath}\n`);
        } catch (err) {
          bar?.stop();
          errorsOut.end();
          throw err;
        }
      }),
    );

  program
    .command('export <entity>')
    .description('Export contacts, jobs or interactions as CSV (formula cells neutralised)')
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--business <id|slug>', 'business (default: the only one)')
    .action((entityName: string, opts: { out?: string; business?: string }) =>
      withContext(config, async (ctx) => {
        const entity = parseEntity(entityName);
        const scope = await resolveBusiness(ctx, opts.business);
        const out = opts.out
          ? createWriteStream(opts.out)
          : new Writable({ write: (chunk: Buffer | string, _enc, done) => (io.out(chunk.toString()), done()) });
        const { rows } = await exportCsv(ctx, scope, entity, out);
        out.end();
        await finished(out);
        if (opts.out) io.err(`Exported ${rows} ${entity} to ${opts.out}.\n`);
      }),
    );
}
