import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';

/** The dashboard (web/, React + Vite) is built into web/dist and served at /app. */
export const webRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
export const distDir = path.join(webRoot, 'dist');
const indexFile = path.join(distDir, 'index.html');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

const newestSource = (dir: string): number => {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    const st = statSync(full);
    newest = Math.max(newest, st.isDirectory() ? newestSource(full) : st.mtimeMs);
  }
  return newest;
};

/** True when web/dist is missing or older than the dashboard's sources (a fresh clone, or sources changed since the last build). */
export function dashboardNeedsBuild(): boolean {
  if (!existsSync(indexFile)) return true;
  if (!existsSync(path.join(webRoot, 'src'))) return false;
  const built = statSync(indexFile).mtimeMs;
  return [path.join(webRoot, 'src'), path.join(webRoot, 'index.html'), path.join(webRoot, 'vite.config.ts')].some((p) => existsSync(p) && (statSync(p).isDirectory() ? newestSource(p) : statSync(p).mtimeMs) > built);
}

/** Builds the dashboard with Vite (a dev dependency: present after `npm install`). */
export async function buildDashboard(): Promise<void> {
  const vite = await import('vite');
  await vite.build({ configFile: path.join(webRoot, 'vite.config.ts'), logLevel: 'warn' });
}

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Kinetic</title></head><body style="font-family:system-ui;margin:40px">
<h1>The dashboard is not built</h1><p>Run <code>npm install</code> (or <code>npm run build:web</code>) and restart Kinetic. The API is up: see <a href="/docs">/docs</a>.</p></body></html>`;

async function sendIndex(reply: FastifyReply) {
  if (!existsSync(indexFile)) return reply.code(503).type('text/html; charset=utf-8').send(notBuilt);
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(await readFile(indexFile));
}

export function registerDashboard(app: FastifyInstance, _ctx: AppContext): void {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/app'));
  app.get('/app', { schema: { hide: true } }, async (_req, reply) => sendIndex(reply));
  // Built files (hashed names under assets/, cached for good), and index.html for every client-side route.
  app.get('/app/*', { schema: { hide: true } }, async (req, reply) => {
    const rel = (req.params as { '*': string })['*'] ?? '';
    const file = path.resolve(distDir, rel);
    if (file.startsWith(distDir + path.sep) && existsSync(file) && statSync(file).isFile()) {
      const cache = rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return reply.type(types[path.extname(file)] ?? 'application/octet-stream').header('cache-control', cache).send(await readFile(file));
    }
    if (rel.startsWith('assets/') || path.extname(rel)) return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    return sendIndex(reply);
  });
}
