import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Vite builds without type-checking; the dashboard's TypeScript is checked here instead.
test('the dashboard (web/) type-checks under strict TypeScript', () => {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', path.join(root, 'web/tsconfig.json')], { cwd: root, encoding: 'utf8' });
  assert.equal(run.status, 0, `tsc -p web/tsconfig.json failed:\n${run.stdout}${run.stderr}`);
});
