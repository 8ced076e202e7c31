import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { CliIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { dropSchema } from '../../src/db/database.ts';
import { PG_URL, runsOn } from './db.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `kinetic <args>` in this process with its output captured. `stdin` is
 * what the user types, one line per entry (read by `kinetic call simulate`).
 */
export async function runCli(env: NodeJS.ProcessEnv, cwd: string, args: string[], opts: { stdin?: string[] } = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: CliIo & { input?: AsyncIterable<string> } = { out: (t) => void (out += t), err: (t) => void (err += t), env, cwd, interactive: false };
  if (opts.stdin) io.input = lines(opts.stdin);
  const code = await main(['node', 'kinetic', ...args], io);
  return { code, out, err };
}

async function* lines(typed: string[]): AsyncIterable<string> {
  for (const line of typed) yield line;
}

/** A PostgreSQL URL whose connections use `schema` as their search path. */
export const pgSchemaUrl = (schema: string): string => `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

/** A database the CLI runs against, given to it through the environment. */
export interface CliTarget {
  name: 'sqlite' | 'postgres';
  /** The CLI's environment; the PostgreSQL schema is created on first use. */
  env(): Promise<NodeJS.ProcessEnv>;
  cleanup(): Promise<void>;
}

/**
 * The two databases a CLI test runs on: SQLite in a fresh data directory and
 * PostgreSQL in a private schema, each with `extra` added to the environment.
 */
export function cliTargets(extra: NodeJS.ProcessEnv = {}): CliTarget[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-cli-db-'));
  const schema = `kcli_${process.pid}_${randomBytes(3).toString('hex')}`;
  const targets: CliTarget[] = [
    { name: 'sqlite', env: async () => ({ KINETIC_DATA_DIR: dir, KINETIC_DEMO: '0', ...extra }), cleanup: async () => {} },
    {
      name: 'postgres',
      env: async () => {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        try {
          await c.query(`create schema if not exists ${schema}`);
        } finally {
          await c.end();
        }
        return { KINETIC_DEMO: '0', ...extra, DATABASE_URL: pgSchemaUrl(schema) };
      },
      cleanup: () => dropSchema(PG_URL, schema),
    },
  ];
  return targets.filter((t) => runsOn(t.name));
}
