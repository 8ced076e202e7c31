import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { main } from '../../../src/cli/main.ts';
import type { CliIo } from '../../../src/cli/io.ts';
import { dropSchema } from '../../../src/db/database.ts';
import { PG_URL } from '../../helpers/db.ts';

async function run(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env, cwd: os.tmpdir(), interactive: false };
  return { code: await main(['node', 'kinetic', ...args], io), out, err };
}

const schema = `km_${process.pid}_${randomBytes(3).toString('hex')}`;
const targets: Array<{ name: string; env: () => Promise<NodeJS.ProcessEnv>; cleanup: () => Promise<void> }> = [
  { name: 'sqlite', env: async () => ({ KINETIC_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'kinetic-model-db-')), KINETIC_DEMO: '0' }), cleanup: async () => {} },
  {
    name: 'postgres',
    env: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`create schema if not exists ${schema}`);
      await c.end();
      return { DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`, KINETIC_DEMO: '0' };
    },
    cleanup: () => dropSchema(PG_URL, schema),
  },
];

for (const target of targets) {
  describe(`kinetic model list / retrain [${target.name}]`, () => {
    after(() => target.cleanup());
    test('built-in models are listed as priors, retrained into a new version, and an unknown business exits 2', async () => {
      const env = await target.env();
      assert.equal((await run(env, 'business', 'create', '--name', 'Model Heating', '--time-zone', 'America/Denver')).code, 0);
      const listed = await run(env, 'model', 'list', '--json');
      assert.equal(listed.code, 0, listed.err);
      assert.deepEqual(JSON.parse(listed.out).map((m: { model: string; version: number; prior: boolean }) => [m.model, m.version, m.prior]), [
        ['lead_conversion', 0, true],
        ['churn', 0, true],
        ['deal_stall', 0, true],
      ]);
      const retrained = await run(env, 'model', 'retrain');
      assert.equal(retrained.code, 0, retrained.err);
      assert.match(retrained.out, /lead_conversion\s+1\s+prior/);
      assert.match((await run(env, 'model', 'list')).out, /deal_stall\s+1\s+prior/);
      const unknown = await run(env, 'model', 'list', '--business', 'no-such-business');
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /no business/);
    });
  });
}
