import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildDashboard, dashboardNeedsBuild, distDir } from '../../src/api/routes/dashboard.ts';
import { buildServer } from '../../src/api/server.ts';
import { openTestDb, testConfig } from '../helpers/db.ts';
import { silentLogger } from '../../src/context.ts';
import { VirtualClock } from '../../src/lib/clock.ts';

// Serving the built dashboard needs no database dialect of its own: SQLite in memory is enough.
let app: FastifyInstance;
let cleanup: () => Promise<void>;

before(async () => {
  if (dashboardNeedsBuild()) await buildDashboard();
  const opened = await openTestDb('sqlite');
  cleanup = opened.cleanup;
  app = await buildServer({ config: testConfig(), db: opened.db, clock: new VirtualClock('2026-03-02T15:00:00Z'), log: silentLogger });
  await app.ready();
});
after(async () => {
  await app?.close();
  await cleanup?.();
});

test('/ redirects to /app, and /app and every client-side route serve the app shell without a login', async () => {
  const root = await app.inject({ method: 'GET', url: '/' });
  assert.equal(root.statusCode, 302);
  assert.equal(root.headers.location, '/app');
  for (const url of ['/app', '/app/', '/app/today', '/app/contacts/01a2', '/app/leak']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.match(res.body, /<div id="root"><\/div>/, url);
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
});

test('built assets are served with their type and cached for good; unknown files are 404, never the shell', async () => {
  const js = readdirSync(path.join(distDir, 'assets')).find((f) => f.endsWith('.js'))!;
  const res = await app.inject({ method: 'GET', url: `/app/assets/${js}` });
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /^text\/javascript/);
  assert.match(res.headers['cache-control'] as string, /immutable/);
  for (const url of ['/app/assets/missing.js', '/app/favicon.ico', '/app/../package.json', '/app/%2e%2e/%2e%2e/package.json', '/app/assets/..%2f..%2f..%2fpackage.json']) {
    const r = await app.inject({ method: 'GET', url });
    assert.ok([400, 401, 404].includes(r.statusCode), `${url} → ${r.statusCode}`);
    assert.doesNotMatch(r.body, /"name": "kinetic"/, `${url} must not reveal files outside web/dist`);
  }
});

test('the API stays behind login while the shell is public', async () => {
  const res = await app.inject({ method: 'GET', url: '/events/stream?follow=false' });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'UNAUTHENTICATED');
});
