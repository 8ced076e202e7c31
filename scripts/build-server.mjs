#!/usr/bin/env node
// Compiles the server and CLI (src/ → dist/, one .js file and source map per .ts file, the same tree) with esbuild,
// so `npm start` and `kinetic` run JavaScript instead of compiling TypeScript at every start. Run by `npm install`
// (prepare), `npm run build`, and by bin/kinetic.mjs when src/ changed since the last build.
// Types are not checked here (`npm run typecheck` does that); this only strips them.
import { buildServer } from './server-build.mjs';

const started = performance.now();
try {
  const { files } = await buildServer();
  console.log(`Server and CLI compiled into dist/ (${files} files, ${Math.round(performance.now() - started)} ms).`);
} catch (err) {
  console.error(`The server could not be compiled (${err instanceof Error ? err.message : String(err)}); \`kinetic\` runs from src/ through tsx instead.`);
  process.exitCode = 1;
}
