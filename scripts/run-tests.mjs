#!/usr/bin/env node
// Runs every test file under test/ with Node's test runner (TypeScript through tsx)
// and ends with one summary line: "N passed, N failed".
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...collect(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = (only.length ? only.map((f) => path.resolve(f)) : collect(path.join(root, 'test'))).sort();
const args = [
  '--import', 'tsx',
  '--test',
  `--test-concurrency=${process.env.KINETIC_TEST_CONCURRENCY ?? 2}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  `--test-reporter=${path.join(root, 'scripts/summary-reporter.mjs')}`, '--test-reporter-destination=stdout',
  ...files,
];
const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: root, env: { ...process.env, KINETIC_LOG_LEVEL: process.env.KINETIC_LOG_LEVEL ?? 'silent' } });
child.on('exit', (code, signal) => process.exit(signal ? 1 : code ?? 1));
