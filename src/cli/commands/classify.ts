import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Config } from '../../config.ts';
import { classifyIntake } from '../../intelligence/intake/classify.ts';
import { AppError } from '../../lib/errors.ts';
import type { CliIo } from '../io.ts';

const OUTPUT_COLUMNS = ['urgency', 'intent', 'serviceType', 'confidence', 'reasons'] as const;

function readCsv(file: string): Array<Record<string, string>> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new AppError('BAD_REQUEST', `cannot read ${file}: no such file`);
  try {
    return parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, trim: false }) as Array<Record<string, string>>;
  } catch (err) {
    throw new AppError('BAD_REQUEST', `${file} is not a readable CSV: ${(err as Error).message}`);
  }
}

/** `kinetic classify`: the offline intake classifier on one text or a CSV column. Needs no database, key or network. */
export function registerClassifyCommand(program: Command, _config: () => Config, io: CliIo): void {
  program
    .command('classify [text]')
    .description('Classify a message (urgency, intent, service type, confidence) with the offline intake model')
    .option('--json', 'print {"urgency","intent","serviceType","confidence"} as JSON')
    .option('--csv <file>', 'classify every row of a CSV file')
    .option('--text-column <col>', 'the CSV column holding the message text')
    .option('--out <file>', 'where the CSV with added columns urgency, intent, serviceType, confidence, reasons goes')
    .action(async (text: string | undefined, opts: { json?: boolean; csv?: string; textColumn?: string; out?: string }) => {
      if (opts.csv) {
        if (text !== undefined) throw new AppError('BAD_REQUEST', 'give either a text or --csv <file>, not both');
        if (!opts.textColumn) throw new AppError('BAD_REQUEST', '--text-column <col> is required with --csv');
        if (!opts.out) throw new AppError('BAD_REQUEST', '--out <file> is required with --csv');
        const input = path.resolve(io.cwd, opts.csv);
        const rows = readCsv(input);
        const header = rows.length ? Object.keys(rows[0]) : ((parse(readFileSync(input), { bom: true, to_line: 1 }) as string[][])[0] ?? []);
        if (!header.includes(opts.textColumn)) {
          throw new AppError('BAD_REQUEST', `--text-column "${opts.textColumn}" is not a column of ${opts.csv} (columns: ${header.join(', ') || 'none'})`);
        }
        const columns = [...header, ...OUTPUT_COLUMNS.filter((c) => !header.includes(c))];
        const out = rows.map((r) => {
          const c = classifyIntake(r[opts.textColumn!] ?? '');
          return { ...r, urgency: c.urgency, intent: c.intent, serviceType: c.serviceType ?? '', confidence: String(c.confidence), reasons: c.reasons.join('; ') };
        });
        writeFileSync(path.resolve(io.cwd, opts.out), stringify(out, { header: true, columns }));
        const emergencies = out.filter((r) => r.urgency === 'emergency').length;
        if (opts.json) io.out(`${JSON.stringify({ rows: out.length, emergencies, out: opts.out })}\n`);
        else io.out(`classified ${out.length} ${out.length === 1 ? 'row' : 'rows'} (${emergencies} ${emergencies === 1 ? 'emergency' : 'emergencies'}) → ${opts.out}\n`);
        return;
      }
      if (text === undefined || !text.trim()) throw new AppError('BAD_REQUEST', 'give the text to classify, e.g. kinetic classify --json "no heat and a newborn at home", or --csv <file> --text-column <col> --out <file>');
      const c = classifyIntake(text);
      if (opts.json) io.out(`${JSON.stringify({ urgency: c.urgency, intent: c.intent, serviceType: c.serviceType, confidence: c.confidence })}\n`);
      else io.out(`${c.urgency} · ${c.intent} · ${c.serviceType ?? 'no service type'} · confidence ${c.confidence}\n${c.reasons.map((r) => `  - ${r}`).join('\n')}\n`);
    });
}
