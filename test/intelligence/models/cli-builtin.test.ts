import assert from 'node:assert/strict';
import os from 'node:os';
import { after, describe, test } from 'node:test';
import { cliTargets, runCli } from '../../helpers/cli.ts';

const targets = cliTargets();

for (const target of targets) {
  describe(`kinetic model list / retrain [${target.name}]`, () => {
    after(() => target.cleanup());
    test('built-in models are listed as priors, retrained into a new version, and an unknown business exits 2', async () => {
      const env = await target.env();
      assert.equal((await runCli(env, os.tmpdir(), ['business', 'create', '--name', 'Model Heating', '--time-zone', 'America/Denver'])).code, 0);
      const listed = await runCli(env, os.tmpdir(), ['model', 'list', '--json']);
      assert.equal(listed.code, 0, listed.err);
      assert.deepEqual(JSON.parse(listed.out).map((m: { model: string; version: number; prior: boolean }) => [m.model, m.version, m.prior]), [
        ['lead_conversion', 0, true],
        ['churn', 0, true],
        ['deal_stall', 0, true],
      ]);
      const retrained = await runCli(env, os.tmpdir(), ['model', 'retrain']);
      assert.equal(retrained.code, 0, retrained.err);
      assert.match(retrained.out, /lead_conversion\s+1\s+prior/);
      assert.match((await runCli(env, os.tmpdir(), ['model', 'list'])).out, /deal_stall\s+1\s+prior/);
      const unknown = await runCli(env, os.tmpdir(), ['model', 'list', '--business', 'no-such-business']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /no business/);
    });
  });
}
