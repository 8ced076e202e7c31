import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kinetic-config-'));

test('defaults: embedded SQLite in ./data, port 3000, demo on', () => {
  const cwd = tmp();
  const c = loadConfig({}, cwd);
  assert.deepEqual(c.database, { kind: 'sqlite', file: path.join(cwd, 'data', 'kinetic.db') });
  assert.equal(c.port, 3000);
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.demo, true);
});

test('DATABASE_URL postgres:// selects PostgreSQL; KINETIC_DATA_DIR moves SQLite', () => {
  const cwd = tmp();
  assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u@h:5432/db' }, cwd).database, { kind: 'postgres', url: 'postgres://u@h:5432/db' });
  assert.equal(loadConfig({ KINETIC_DATA_DIR: '/var/lib/kinetic' }, cwd).database.kind, 'sqlite');
  assert.equal((loadConfig({ KINETIC_DATA_DIR: '/var/lib/kinetic' }, cwd).database as { file: string }).file, '/var/lib/kinetic/kinetic.db');
});

const bad: Array<[Record<string, string>, string]> = [
  [{ PORT: 'abc' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
  [{ KINETIC_PUBLIC_URL: 'not a url' }, 'KINETIC_PUBLIC_URL'],
  [{ KINETIC_DEMO: 'maybe' }, 'KINETIC_DEMO'],
  [{ KINETIC_LOG_LEVEL: 'loud' }, 'KINETIC_LOG_LEVEL'],
];
for (const [env, name] of bad) {
  test(`a bad ${name} stops start-up with a message naming it`, () => {
    assert.throws(() => loadConfig(env, tmp()), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, new RegExp(name));
      return true;
    });
  });
}

test('kinetic.config.json is read, and the environment wins over it', () => {
  const cwd = tmp();
  writeFileSync(path.join(cwd, 'kinetic.config.json'), JSON.stringify({ port: 4100, publicUrl: 'https://crm.example.com/', demo: false }));
  const c = loadConfig({}, cwd);
  assert.equal(c.port, 4100);
  assert.equal(c.publicUrl, 'https://crm.example.com');
  assert.equal(c.demo, false);
  assert.equal(loadConfig({ PORT: '5000' }, cwd).port, 5000);
});

test('a config file with an unknown key or broken JSON is refused', () => {
  const cwd = tmp();
  writeFileSync(path.join(cwd, 'kinetic.config.json'), JSON.stringify({ prot: 1 }));
  assert.throws(() => loadConfig({}, cwd), /unknown key "prot"/);
  writeFileSync(path.join(cwd, 'kinetic.config.json'), '{ nope');
  assert.throws(() => loadConfig({}, cwd), /not valid JSON/);
  assert.throws(() => loadConfig({ KINETIC_CONFIG: 'missing.json' }, cwd), /KINETIC_CONFIG/);
});

test('KINETIC_TRUST_PROXY: off by default (a client cannot pick its own address); hops, all, or proxy addresses when set', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ KINETIC_TRUST_PROXY: '0' }).trustProxy, false);
  assert.equal(loadConfig({ KINETIC_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ KINETIC_TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({ KINETIC_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ KINETIC_TRUST_PROXY: '10.0.0.0/8,127.0.0.1' }).trustProxy, '10.0.0.0/8,127.0.0.1');
  assert.throws(() => loadConfig({ KINETIC_TRUST_PROXY: 'everyone please' }), /KINETIC_TRUST_PROXY/);
});
