#!/usr/bin/env node
// Entry point for the `kinetic` CLI: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
// `kinetic … | head` closes the pipe early: stop quietly instead of a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
