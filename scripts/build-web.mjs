#!/usr/bin/env node
// Builds the dashboard (web/ → web/dist) with Vite. Run by `npm install` (prepare) and `npm run build:web`.
// Without dev dependencies (npm install --omit=dev) there is no Vite: say so and leave the build to a machine that has it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let vite;
try {
  vite = await import('vite');
} catch {
  console.warn('Vite is not installed (dev dependencies omitted): the dashboard was not built. Run `npm install` with dev dependencies, then `npm run build:web`.');
  process.exit(0);
}
await vite.build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn' });
console.log('Dashboard built into web/dist.');
