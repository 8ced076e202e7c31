#!/usr/bin/env node
// Runs every test file under test/ with Node's test runner (TypeScript through tsx)
// and ends with one summary line: "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
// --fast: everything but the browser suites (test/e2e) and the SIGKILL crash suites, for a quick loop while working.
const fast = argv.includes('--fast');
const only = argv.filter((a) => a !== '--fast');
const slow = (file) => file.includes(`${path.sep}e2e${path.sep}`) || /crash-[^/\\]*\.test\.ts$/.test(file);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = (only.length ? only.map((f) => path.resolve(f)) : collect(path.join(root, 'test'))).filter((f) => !fast || !slow(f)).sort();
const args = [
  '--import', 'tsx',
  '--test',
  `--test-concurrency=${process.env.KINETIC_TEST_CONCURRENCY ?? 2}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(root, 'scripts/summary-reporter.mjs')}`, '--test-reporter-destination=stdout',
  ...files,
];
// Output is passed through as it comes; the runner only watches for the summary reporter's closing line,
// so that a run that dies before the reporter can print it (the runner killed, out of memory) still ends with one.
const summaryLine = /^\d+ passed, \d+ failed/m;
let tail = '';
const child = spawn(process.execPath, args, { stdio: ['inherit', 'pipe', 'inherit'], cwd: root, env: { ...process.env, KINETIC_LOG_LEVEL: process.env.KINETIC_LOG_LEVEL ?? 'silent' } });
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});
child.on('close', (code, signal) => {
  const failed = signal !== null || code !== 0;
  if (!summaryLine.test(tail)) {
    process.stdout.write(`\nThe test run ended (${signal ? `signal ${signal}` : `exit code ${code}`}) before its summary was printed.\n0 passed, 1 failed\n`);
    process.exit(1);
  }
  process.exit(failed ? 1 : 0);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
