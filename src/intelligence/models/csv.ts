import { createReadStream, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { openCsv } from '../../crm/csv/reader.ts';
import { AppError, validationError } from '../../lib/errors.ts';
import type { SavedModel } from './model.ts';
import type { Table } from './schema.ts';

const badFile = (message: string) => new AppError('BAD_REQUEST', message);

/** Reads a whole CSV into a table of strings. Ragged rows, blank or repeated header names are refused with the line that is wrong. */
export async function readCsvTable(file: string): Promise<Table> {
  if (!existsSync(file) || !statSync(file).isFile()) throw badFile(`cannot read ${file}: no such file`);
  const source = await openCsv(createReadStream(file));
  const columns = source.headers;
  const blank = columns.findIndex((c) => c === '');
  if (blank >= 0) throw badFile(`${file}: column ${blank + 1} of the header row has no name`);
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup) throw badFile(`${file}: the header names column "${dup}" twice`);
  const rows: string[][] = [];
  for await (const row of source.rows) {
    if (row.values.length !== columns.length) {
      source.close();
      throw badFile(`${file}: line ${row.line} has ${row.values.length} fields but the header has ${columns.length} (a ragged row: check quoting and delimiters)`);
    }
    rows.push(row.values);
  }
  if (rows.length === 0) throw badFile(`${file}: the file has a header row but no data rows`);
  return { columns, rows };
}

const savedModelShape = z.object({ format: z.literal('kinetic-model'), formatVersion: z.literal(1), features: z.array(z.object({ name: z.string(), column: z.string() }).passthrough()).min(1) }).passthrough();

export function readModelFile(file: string): SavedModel {
  if (!existsSync(file)) throw badFile(`cannot read ${file}: no such file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw badFile(`${file} is not JSON: expected a model saved by \`kinetic model train\``);
  }
  if (!savedModelShape.safeParse(parsed).success) throw badFile(`${file} is not a Kinetic model (saved by \`kinetic model train\`)`);
  return parsed as SavedModel;
}

export function writeModelFile(file: string, model: SavedModel): void {
  writeFileSync(file, JSON.stringify(model));
}

/** The scoring file must carry every column the model learned from (the label may be absent). */
export function checkScoringColumns(model: SavedModel, table: Table): void {
  const need = [...new Set(model.features.map((f) => f.column)), ...(model.idColumn ? [model.idColumn] : [])];
  const missing = need.filter((c) => !table.columns.includes(c));
  if (missing.length) throw validationError([{ field: 'csv', message: `the scoring file lacks column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} that the model was trained with` }]);
}

export function writeScoresCsv(file: string, header: string[], rows: Array<Array<string | number>>): void {
  writeFileSync(file, stringify([header, ...rows]));
}
