import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

test('output piped into a reader that stops early (kinetic … | head) ends quietly, no EPIPE stack trace', async () => {
  const child = spawn(process.execPath, ['bin/kinetic.mjs', 'leak', '--dormant-contacts', '347'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KINETIC_DEMO: '0', KINETIC_DATA_DIR: '/nonexistent-kinetic-epipe-test' } });
  child.stdout.destroy(); // the reader is gone before the command writes anything
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(err, /EPIPE|Unhandled 'error'/, err);
  assert.equal(code, 0, err);
});
