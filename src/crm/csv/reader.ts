import { Readable, pipeline } from 'node:stream';
import { TextDecoder } from 'node:util';
import { CsvError, parse, type InfoRecord, type Options } from 'csv-parse';
import { AppError } from '../../lib/errors.ts';

/** One data record of the file: its cells and the line it starts on (1-based; the header is line 1). */
export interface CsvRow {
  line: number;
  values: string[];
  /** What reading the row itself noticed (cells missing at its end), reported like a dropped value. */
  warnings?: string[];
}

export interface CsvSource {
  headers: string[];
  /** How the bytes were read: detected from a byte-order mark, the NUL pattern of UTF-16, or invalid UTF-8 (Windows-1252). */
  encoding(): Encoding;
  delimiter: string;
  rows: AsyncGenerator<CsvRow>;
  /** Bytes read from the input so far (drives the progress bar). */
  bytesRead(): number;
  /** Stops reading and releases the input (safe to call at any time, and more than once). */
  close(): void;
}

/** Longest record accepted: anything longer is almost always a quote that is never closed. */
const maxRecordChars = 1 << 20;
const sniffBytes = 64 * 1024;

const badFile = (message: string, details: Record<string, unknown> = {}) => new AppError('BAD_REQUEST', message, details);

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (or -1). */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0): number {
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return -1; // cut off at the end of the chunk: the next chunk decides
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Decides the encoding from the first bytes: a byte-order mark; UTF-16 without
 * one (every other byte NUL in Latin text); otherwise UTF-8, unless the bytes
 * are not valid UTF-8 (and none before the first bad byte are UTF-8's
 * multi-byte sequences), which in a spreadsheet export means Windows-1252
 * (Excel's "CSV (Comma delimited)" on Windows). Refuses what is clearly not a
 * text CSV before anything is imported.
 */
function sniffEncoding(head: Uint8Array): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    throw badFile('this is a spreadsheet workbook (.xlsx/.zip), not a CSV file: open it and save as "CSV UTF-8 (comma delimited)"');
  }
  let nulEven = 0;
  let nulOdd = 0;
  for (let i = 0; i < head.length; i++) if (head[i] === 0) (i % 2 === 0 ? nulEven++ : nulOdd++);
  if (nulEven + nulOdd > 0) {
    const half = head.length / 2;
    if (nulOdd > half * 0.3 && nulEven < nulOdd / 10) return 'utf-16le';
    if (nulEven > half * 0.3 && nulOdd < nulEven / 10) return 'utf-16be';
    throw badFile('the file contains NUL bytes: it looks like a binary file, not a CSV text file', { encoding: 'binary' });
  }
  const bad = firstInvalidUtf8(head);
  if (bad < 0) return 'utf-8';
  // Valid UTF-8 sequences before the bad byte: a UTF-8 file with one broken byte (reported with its line), not Windows-1252.
  return isAscii(head.subarray(0, bad)) ? 'windows-1252' : 'utf-8';
}

function invalidUtf8(chunk: Uint8Array, offset: number, bytesBefore: number, line: number): AppError {
  const hex = Array.from(chunk.subarray(offset, offset + 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return badFile(
    `the file is not valid UTF-8: line ${line} has the bytes ${hex} at byte ${bytesBefore + offset}, though the text before it is UTF-8 (two encodings mixed in one file); save it as "CSV UTF-8" and import again`,
    { line, byte: bytesBefore + offset, encoding: 'invalid-utf-8' },
  );
}

/** Picks the delimiter the header line uses most: comma, semicolon (European Excel), tab or pipe. */
export function sniffDelimiter(text: string): string {
  const end = text.indexOf('\n');
  const first = end < 0 ? text : text.slice(0, end);
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const count = first.split(d).length - 1;
    if (count > bestCount) (best = d), (bestCount = count);
  }
  return best;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return false;
  return true;
}

interface DecodeState {
  bytes: number;
  lines: number;
  encoding: Encoding;
}

/**
 * Reads the input as text: sniffs the encoding from the first 64 KB, then
 * decodes chunk by chunk with a fatal decoder. A file whose first 64 KB are
 * plain ASCII and which then has a byte that is not UTF-8 is Windows-1252
 * after all (both read ASCII the same, so nothing already read changes); a
 * file that mixes valid UTF-8 with invalid bytes stops with the line they are on,
 * rather than turning them into U+FFFD in the data.
 */
async function* decodeInput(input: NodeJS.ReadableStream, state: DecodeState): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let first = true;
  let asciiSoFar = true;
  const emit = (text: string): string => {
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    state.lines += countLines(text);
    return text;
  };
  const decode = (bytes: Uint8Array, final: boolean): string => {
    decoder ??= new TextDecoder(state.encoding, { fatal: state.encoding !== 'windows-1252' });
    try {
      const text = decoder.decode(bytes, { stream: !final });
      if (asciiSoFar && !isAscii(bytes)) asciiSoFar = false;
      return text;
    } catch {
      const bad = state.encoding === 'utf-8' ? firstInvalidUtf8(bytes) : -1;
      if (state.encoding === 'utf-8' && asciiSoFar && bad >= 0 && isAscii(bytes.subarray(0, bad))) {
        state.encoding = 'windows-1252';
        decoder = new TextDecoder('windows-1252');
        asciiSoFar = false;
        return decoder.decode(bytes, { stream: !final });
      }
      if (bad >= 0) {
        const before = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
        throw invalidUtf8(bytes, bad, state.bytes - bytes.length, state.lines + countLines(before) + 1);
      }
      throw badFile(`the file is not valid ${state.encoding.toUpperCase()} text near line ${state.lines + 1}; save it as "CSV UTF-8" and import again`, { line: state.lines + 1 });
    }
  };
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      state.bytes += Buffer.byteLength(chunk);
      yield emit(chunk); // already text (the caller set an encoding)
      continue;
    }
    const bytes = chunk as Uint8Array;
    state.bytes += bytes.length;
    if (decoder === null) {
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes < sniffBytes) continue;
      const head = Buffer.concat(pending);
      pending = [];
      state.encoding = sniffEncoding(head.subarray(0, sniffBytes));
      yield emit(decode(head, false));
      continue;
    }
    const text = decode(bytes, false);
    if (text) yield emit(text);
  }
  if (decoder === null) {
    const head = Buffer.concat(pending);
    if (head.length === 0) return;
    state.encoding = sniffEncoding(head);
    yield emit(decode(head, true));
    return;
  }
  const rest = decode(new Uint8Array(0), true);
  if (rest) yield emit(rest);
}

/** Physical lines a record spans beyond its first: the line breaks inside its quoted cells (CRLF counts once). */
function extraLines(values: string[]): number {
  let n = 0;
  for (const v of values) {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c === 10) n++;
      else if (c === 13 && v.charCodeAt(i + 1) !== 10) n++;
    }
  }
  return n;
}

function csvFailure(err: CsvError, recordStart: number): AppError {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
    case 'CSV_MAX_RECORD_SIZE':
      return badFile(
        `line ${recordStart}: a quoted field opens there and is never closed (the parser reached ${err.code === 'CSV_MAX_RECORD_SIZE' ? 'the 1 MB record limit' : 'the end of the file'}); look for a stray double quote on that line`,
        { line: recordStart, csvError: err.code },
      );
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return badFile(`line ${err.lines}: a quoted field is followed by other characters before the next comma; wrap the whole field in double quotes and double any quote inside it ("")`, {
        line: err.lines,
        csvError: err.code,
      });
    case 'INVALID_OPENING_QUOTE':
      return badFile(`line ${err.lines}: a double quote appears inside a field that is not quoted; wrap that field in double quotes and double the quote inside it ("")`, {
        line: err.lines,
        csvError: err.code,
      });
    default:
      return badFile(`line ${err.lines ?? recordStart}: the CSV cannot be read (${err.message})`, { line: err.lines ?? recordStart, csvError: err.code });
  }
}

/** Opens a CSV stream: reads the header row and returns the data rows as an async generator (nothing is held in memory but the current chunk). */
export async function openCsv(input: NodeJS.ReadableStream): Promise<CsvSource> {
  const counters: DecodeState = { bytes: 0, lines: 0, encoding: 'utf-8' };
  const text = decodeInput(input, counters);
  // The first chunk decides the delimiter; it is put back in front of the rest.
  const firstChunk = await text.next();
  if (firstChunk.done || firstChunk.value.trim() === '') throw badFile('the file is empty: it needs a header row and at least one data row', { line: 1 });
  const delimiter = sniffDelimiter(firstChunk.value);
  async function* replay(): AsyncGenerator<string> {
    yield firstChunk.value as string;
    yield* text;
  }
  // Line numbers are taken as each record is parsed (not as it is consumed), so a
  // fatal error can name the line its record starts on even if the records
  // before it in the same chunk were never read. They are counted here rather
  // than taken from csv-parse's `lines`, which counts a CRLF inside a quoted
  // cell twice.
  let endLine = 0;
  let empty = 0;
  const options: Options<CsvRow, string[]> = {
    delimiter,
    bom: true,
    relax_column_count: true,
    // A stray quote inside a field ("5" pipe, He said "hi") is read as a character, as Excel and Google Sheets do.
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: maxRecordChars,
    on_record: (record, context: InfoRecord): CsvRow => {
      const line = endLine + 1 + (context.empty_lines - empty);
      endLine = line + extraLines(record);
      empty = context.empty_lines;
      return { line, values: record };
    },
  };
  // csv-parse's overloads type on_record's result only together with `columns`; without them records are string[].
  const parser = parse(options as unknown as Options);
  pipeline(Readable.from(replay()), parser, () => undefined); // errors surface through the iteration below
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRow>;
  const next = async (): Promise<CsvRow | null> => {
    try {
      const result = await records.next();
      return result.done ? null : result.value;
    } catch (err) {
      if (err instanceof CsvError) throw csvFailure(err, endLine + 1);
      throw err;
    }
  };
  const close = () => {
    parser.destroy(); // the pipeline then destroys the input too
  };
  let header: CsvRow | null;
  try {
    header = await next();
  } catch (err) {
    close();
    throw err;
  }
  if (!header) throw badFile('the file is empty: it needs a header row and at least one data row', { line: 1 });
  async function* rows(): AsyncGenerator<CsvRow> {
    try {
      for (let row = await next(); row; row = await next()) yield row;
    } finally {
      close();
    }
  }
  return { headers: header.values.map((h) => h.trim()), encoding: () => counters.encoding, delimiter, rows: rows(), bytesRead: () => counters.bytes, close };
}
