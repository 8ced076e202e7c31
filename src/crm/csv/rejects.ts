import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from './neutralise.ts';
import type { CsvRow } from './reader.ts';

const sampleSize = 20;

/**
 * Rejected rows, written as CSV as they happen: the original cells (so the
 * file can be fixed and imported again), then `_row` (the line in the source
 * file) and `_error` (why). Cells of a row longer than the header follow
 * `_error`, so nothing of the row is lost and `_row`/`_error` stay aligned.
 */
export class RejectedRows {
  count = 0;
  readonly sample: Array<{ row: number; error: string }> = [];
  /** Rows imported without some values. */
  warnedRows = 0;
  readonly warningsSample: Array<{ row: number; warning: string }> = [];
  private headerWritten = false;

  constructor(
    private readonly out: NodeJS.WritableStream | undefined,
    private readonly headers: string[],
  ) {}

  async add(row: CsvRow, error: string): Promise<void> {
    this.count++;
    if (this.sample.length < sampleSize) this.sample.push({ row: row.line, error });
    await this.write(row, error);
  }

  /** A row that was imported, but without the values named: written with `_error` starting "imported without". */
  async warn(row: CsvRow, warnings: string[]): Promise<void> {
    this.warnedRows++;
    for (const warning of warnings) if (this.warningsSample.length < sampleSize * 5) this.warningsSample.push({ row: row.line, warning });
    await this.write(row, `imported without: ${warnings.join('; ')}`);
  }

  private async write(row: CsvRow, error: string): Promise<void> {
    if (!this.out) return;
    const width = this.headers.length;
    const cells = row.values.slice(0, width);
    while (cells.length < width) cells.push('');
    const records: string[][] = [];
    if (!this.headerWritten) {
      records.push([...this.headers, '_row', '_error']);
      this.headerWritten = true;
    }
    records.push([...cells, String(row.line), error, ...row.values.slice(width)]);
    const text = stringify(records.map((r) => r.map(neutraliseCell)));
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}
