// `BENCH_ONLY=startup npm run bench`: how long the commands take to start, from the compiled build
// (dist/, what `npm install` makes) and, for comparison, from src/ through tsx (KINETIC_FROM_SOURCE=1).
// BENCH_STARTUP_ROOT runs another checkout's bin/kinetic.mjs (one whose src/ is not being edited).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, percentile } from './util.ts';

const root = process.env.BENCH_STARTUP_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin/kinetic.mjs');
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
const load = () => os.loadavg()[0].toFixed(1);

function timeHelp(fromSource: boolean): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--help'], { cwd: root, env: { ...process.env, KINETIC_FROM_SOURCE: fromSource ? '1' : '0' }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kinetic --help failed: ${r.stderr}`);
  return performance.now() - t0;
}

/** `kinetic start` until it prints the dashboard's address (it listens before printing), then Ctrl+C. */
function timeStart(dataDir: string, fromSource: boolean, demo: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, 'start'], {
      cwd: root,
      env: { ...process.env, KINETIC_DATA_DIR: dataDir, PORT: '0', KINETIC_DEMO: demo ? '1' : '0', KINETIC_FROM_SOURCE: fromSource ? '1' : '0', KINETIC_LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let took: number | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (took === null && out.includes('Dashboard:')) {
        took = performance.now() - t0;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
    child.on('exit', () => (took === null ? reject(new Error(`kinetic start did not come up:\n${out}`)) : resolve(took)));
  });
}

export async function benchStartup(): Promise<string[]> {
  const { buildState, buildServerOnce } = (await import(pathToFileURL(path.join(root, 'scripts/server-build.mjs')).href)) as { buildState(): string; buildServerOnce(): Promise<boolean> };
  if (buildState() !== 'fresh') await buildServerOnce();
  const lines = [`startup     build ${buildState()} (${root}), load average ${load()} at the start`];
  for (const fromSource of [false, true]) {
    const how = fromSource ? 'src/ via tsx' : 'compiled    ';
    const help = Array.from({ length: RUNS }, () => timeHelp(fromSource));
    lines.push(`startup     ${how} kinetic --help: median ${fmt(median(help), 0)} ms, min ${fmt(Math.min(...help), 0)} ms (${RUNS} runs)                target < 300 ms`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-start-'));
    try {
      const first = await timeStart(dir, fromSource, true);
      lines.push(`startup     ${how} first start with the demo to listening: ${fmt(first / 1000, 2)} s   target < 20 s`);
      const again: number[] = [];
      for (let i = 0; i < Math.max(2, Math.ceil(RUNS / 2)); i++) again.push(await timeStart(dir, fromSource, true));
      lines.push(`startup     ${how} start on the existing database to listening: median ${fmt(median(again) / 1000, 2)} s, min ${fmt(Math.min(...again) / 1000, 2)} s   target < 2 s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    lines.push(`startup     load average ${load()} after the ${how.trim()} runs`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchStartup()) console.log(line);
