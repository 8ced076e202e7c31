#!/usr/bin/env node
// Entry point for the `kinetic` CLI. Runs the compiled build in dist/ (made by `npm install`, see
// scripts/server-build.mjs) when it is up to date with src/; otherwise the TypeScript sources through tsx,
// so a stale build never runs: `kinetic start` first recompiles (about a second), other commands run
// src/ directly. KINETIC_FROM_SOURCE=1 always runs src/.
import { buildState } from '../scripts/server-build.mjs';

// `kinetic … | head` closes the pipe early: stop quietly instead of a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
let compiled = false;
if (process.env.KINETIC_FROM_SOURCE !== '1') {
  const state = buildState();
  compiled = state === 'fresh' || state === 'no-source';
  if (!compiled && command === 'start') {
    const { buildServerOnce } = await import('../scripts/server-build.mjs');
    process.stdout.write(state === 'stale' ? 'src/ changed since the last build: compiling the server…\n' : 'Compiling the server…\n');
    compiled = await buildServerOnce().catch((err) => {
      process.stdout.write(`The server could not be compiled (${err instanceof Error ? err.message : String(err)}): running src/ through tsx.\n`);
      return false;
    });
  }
}
let main;
if (compiled) {
  // Stack traces name the TypeScript files and lines.
  process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv);
