import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../lib/errors.ts';

export interface StoredUpload {
  path: string;
  bytes: number;
  /** Line breaks in the file: an estimate of its rows (a quoted cell can hold a line break). */
  lines: number;
  /** Whether the last byte is a line break (a final line without one still holds a row). */
  endsWithNewline: boolean;
}

const megabytes = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;

export const tooLarge = (maxBytes: number): AppError =>
  new AppError('PAYLOAD_TOO_LARGE', `the file is larger than the import limit of ${megabytes(maxBytes)} (KINETIC_IMPORT_MAX_BYTES); split it, or raise the limit`, { maxBytes });

/**
 * Writes an upload to `file` as it arrives, chunk by chunk (never whole in
 * memory), counting bytes and line breaks on the way. Refuses it — and
 * removes what was written — once it passes `maxBytes`, or when it is empty.
 */
export async function storeUpload(input: Readable, file: string, maxBytes: number): Promise<StoredUpload> {
  await mkdir(path.dirname(file), { recursive: true });
  let bytes = 0;
  let lines = 0;
  let last = -1;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge(maxBytes));
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      if (chunk.length) last = chunk[chunk.length - 1];
      done(null, chunk);
    },
  });
  try {
    await pipeline(input, meter, createWriteStream(file));
  } catch (err) {
    await unlink(file).catch(() => undefined);
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error).message === 'aborted') {
      throw new AppError('BAD_REQUEST', 'the upload was cut off before the whole file arrived; send it again');
    }
    throw err;
  }
  if (bytes === 0) {
    await unlink(file).catch(() => undefined);
    throw new AppError('BAD_REQUEST', 'the file is empty: it needs a header row and at least one data row', { line: 1 });
  }
  return { path: file, bytes, lines, endsWithNewline: last === 10 };
}

/** Data rows a stored file holds, estimated from its line breaks (the header is one line). */
export function estimatedRows(upload: StoredUpload): number {
  return Math.max(0, upload.lines + (upload.endsWithNewline ? 0 : 1) - 1);
}
