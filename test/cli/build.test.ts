import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CliIo } from '../../src/cli/io.ts';
import { main as mainFromSource } from '../../src/cli/main.ts';

/**
 * The production build (scripts/server-build.mjs): src/ compiled to one .js
 * file per module with source maps; `kinetic --help` from it lists exactly
 * what the sources list, without loading a command module; a build older
 * than src/ is known to be stale (bin/kinetic.mjs then never runs it).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the project, so compiled modules find node_modules as dist/ does.
const out = path.join(root, 'node_modules', '.cache', 'kinetic-test', `dist-${process.pid}`);
type Build = { buildServer(outDir: string): Promise<{ files: number }>; buildState(outDir: string): string };
let build: Build;

const capture = async (run: (argv: string[], io: CliIo) => Promise<number>, args: string[]) => {
  let text = '';
  const io: CliIo = { out: (t) => void (text += t), err: (t) => void (text += t), env: { KINETIC_DEMO: '0' }, cwd: root, interactive: false };
  const code = await run(['node', 'kinetic', ...args], io);
  return { code, text };
};

before(async () => {
  build = (await import(pathToFileURL(path.join(root, 'scripts/server-build.mjs')).href)) as Build;
  await build.buildServer(out);
});
after(() => rmSync(out, { recursive: true, force: true }));

test('every module is compiled with its source map, and the data files next to them', () => {
  assert.ok(existsSync(path.join(out, 'cli/main.js')));
  assert.match(readFileSync(path.join(out, 'cli/main.js'), 'utf8'), /sourceMappingURL=main\.js\.map/);
  assert.ok(existsSync(path.join(out, 'cli/main.js.map')));
  // Loaded by path at run time (the receptionist's optional modules) and read from disk (the intake model's data).
  assert.ok(existsSync(path.join(out, 'intelligence/intake/classify.js')));
  assert.ok(existsSync(path.join(out, 'intelligence/intake/data/train.jsonl')));
});

test('kinetic --help from the build is the same listing as from src/, and loads no command module', async () => {
  const compiled = (await import(pathToFileURL(path.join(out, 'cli/main.js')).href)) as { main: typeof mainFromSource };
  assert.deepEqual(await capture(compiled.main, ['--help']), await capture(mainFromSource, ['--help']));
  assert.deepEqual(await capture(compiled.main, ['no-such-command']), await capture(mainFromSource, ['no-such-command']));
  // In a fresh process: the help needs commander and nothing else of the product.
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(out, 'cli/main.js')).href)}); const io = { out() {}, err() {}, env: {}, cwd: process.cwd(), interactive: false }; await main(['node', 'kinetic', '--help'], io); const { createRequire } = await import('node:module'); process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`], { cwd: root, encoding: 'utf8' });
  assert.equal(probe.status, 0, probe.stderr);
  const loaded = JSON.parse(probe.stdout) as string[];
  for (const heavy of ['twilio', 'mailparser', '@faker-js', 'fastify', 'kysely', 'better-sqlite3', 'zod']) assert.ok(!loaded.some((f) => f.includes(`node_modules/${heavy}/`)), `${heavy} loaded for --help`);
});

test('a build older than src/ is stale', () => {
  const stamp = path.join(out, 'build.json');
  const fresh = readFileSync(stamp, 'utf8');
  writeFileSync(stamp, JSON.stringify({ ...JSON.parse(fresh), newestSource: 0 }));
  assert.equal(build.buildState(out), 'stale');
  writeFileSync(stamp, JSON.stringify({ ...JSON.parse(fresh), files: 1 }));
  assert.equal(build.buildState(out), 'stale', 'a file added or removed');
  // (src/ may be edited while this runs: "fresh" is checked against a stamp newer than any edit.)
  writeFileSync(stamp, JSON.stringify({ ...JSON.parse(fresh), newestSource: Date.now() + 3_600_000 }));
  assert.equal(build.buildState(out), 'fresh');
});
