import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { dropSchema } from '../../src/db/database.ts';
import { PG_URL } from '../helpers/db.ts';

async function run(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env, cwd, interactive: false };
  const code = await main(['node', 'kinetic', ...args], io);
  return { code, out, err };
}

const targets: Array<{ name: string; env: () => Promise<NodeJS.ProcessEnv>; cleanup: () => Promise<void> }> = [];
{
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-cli-'));
  targets.push({ name: 'sqlite', env: async () => ({ KINETIC_DATA_DIR: dir, KINETIC_DEMO: '0' }), cleanup: async () => {} });
  const schema = `kc_${process.pid}_${randomBytes(3).toString('hex')}`;
  targets.push({
    name: 'postgres',
    env: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`create schema if not exists ${schema}`);
      await c.end();
      return { DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`, KINETIC_DEMO: '0' };
    },
    cleanup: () => dropSchema(PG_URL, schema),
  });
}

for (const target of targets) {
  describe(`kinetic CLI [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-cli-cwd-'));
    after(() => target.cleanup());

    test('migrate, business, user and API key lifecycle', async () => {
      const env = await target.env();
      const m = await run(env, cwd, 'migrate');
      assert.equal(m.code, 0, m.err);
      assert.match(m.out, /up to date|Applied/);
      const none = await run(env, cwd, 'user', 'create', '--email', 'a@example.com', '--name', 'A', '--password', 'long enough pw');
      assert.equal(none.code, 2, none.err);
      assert.match(none.err, /no business yet/);
      const b = await run(env, cwd, 'business', 'create', '--name', 'Acme Plumbing', '--time-zone', 'America/Denver', '--json');
      assert.equal(b.code, 0, b.err);
      const business = JSON.parse(b.out);
      assert.equal(business.slug, 'acme-plumbing');
      const u = await run(env, cwd, 'user', 'create', '--email', 'Owner@Acme.example', '--name', 'Olga', '--role', 'owner', '--password', 'long enough pw');
      assert.equal(u.code, 0, u.err);
      assert.match(u.out, /owner Olga <owner@acme.example>/);
      const dup = await run(env, cwd, 'user', 'create', '--email', 'owner@acme.example', '--name', 'Again', '--password', 'long enough pw');
      assert.equal(dup.code, 2, dup.err);
      assert.match(dup.err, /already exists/);
      const k = await run(env, cwd, 'apikey', 'create', '--name', 'zapier', '--business', 'acme-plumbing', '--json');
      assert.equal(k.code, 0, k.err);
      const key = JSON.parse(k.out);
      assert.match(key.key, /^kin_/);
      const list = await run(env, cwd, 'apikey', 'list');
      assert.match(list.out, /zapier\s+active/);
      assert.doesNotMatch(list.out, new RegExp(key.key));
      assert.equal((await run(env, cwd, 'apikey', 'revoke', key.id)).code, 0);
      assert.match((await run(env, cwd, 'apikey', 'list')).out, /revoked/);
    });

    test('import and export through the CLI', async () => {
      const env = await target.env();
      const file = path.join(cwd, 'contacts.csv');
      writeFileSync(file, 'First Name,Last Name,Mobile,Email,Zip\nAna,Diaz,(720) 555-0101,ana@example.com,80202\nBad,Row,12,not-an-email,80202\n');
      const dry = await run(env, cwd, 'import', 'contacts', file, '--dry-run', '--json');
      assert.equal(dry.code, 0, dry.err);
      assert.equal(JSON.parse(dry.out).created, 1);
      const exported0 = await run(env, cwd, 'export', 'contacts');
      assert.doesNotMatch(exported0.out, /Diaz/, 'dry run wrote nothing');
      const real = await run(env, cwd, 'import', 'contacts', file);
      assert.equal(real.code, 0, real.err);
      assert.match(real.out, /1 created, 0 merged, 1 rejected/);
      const exported = await run(env, cwd, 'export', 'contacts');
      assert.equal(exported.code, 0, exported.err);
      assert.match(exported.out, /Diaz/);
      assert.match(exported.out, /\+17205550101/);
    });

    test('automations from the CLI: validate, create, list, simulate, outbox', async () => {
      const env = await target.env();
      const file = path.join(cwd, 'flow.json');
      writeFileSync(file, JSON.stringify({ name: 'Welcome', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'send_sms', body: 'Welcome {{ contact.firstName }}' }] }));
      const v = await run(env, cwd, 'automation', 'validate', file);
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /valid: "Welcome" \(1 steps, trigger lead.created\)/);
      const c = await run(env, cwd, 'automation', 'create', file, '--enable', '--json');
      assert.equal(c.code, 0, c.err);
      const automation = JSON.parse(c.out);
      assert.match((await run(env, cwd, 'automation', 'list')).out, /enabled\s+v1\s+Welcome/);
      const sim = await run(env, cwd, 'automation', 'simulate', automation.id, '--from', '2020-01-01', '--to', '2020-02-01');
      assert.equal(sim.code, 0, sim.err);
      assert.match(sim.out, /0 enrolled, 0 messages would be sent/);
      const bad = path.join(cwd, 'bad.json');
      writeFileSync(bad, JSON.stringify({ name: 'Bad', trigger: { type: 'event', event: 'lead.created' }, steps: [{ type: 'send_sms', body: '{{ contact.firstName | shout }}' }] }));
      const invalid = await run(env, cwd, 'automation', 'validate', bad);
      assert.equal(invalid.code, 2);
      assert.match(invalid.err, /steps.0.body: template error/);
      assert.match((await run(env, cwd, 'outbox', 'list')).out, /outbox is empty|sms/);
    });

    test('bad input exits with code 2 and a message', async () => {
      const env = await target.env();
      const cases: string[][] = [
        ['import', 'widgets', 'x.csv'],
        ['import', 'contacts', path.join(cwd, 'missing.csv')],
        ['business', 'create', '--name', 'X', '--time-zone', 'Mars/Olympus'],
        ['user', 'create', '--email', 'not-an-email', '--name', 'X', '--password', 'long enough pw'],
        ['apikey', 'revoke', 'no-such-key'],
        ['no-such-command'],
        ['start', '--api-only', '--worker-only'],
        ['automation', 'validate', path.join(cwd, 'missing.json')],
        ['outbox', 'retry', 'no-such-message'],
        ['approval', 'approve', 'no-such-approval'],
      ];
      for (const args of cases) {
        const r = await run(env, cwd, ...args);
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.err}`);
        assert.ok(r.err.length > 0, `${args.join(' ')} printed a message`);
        assert.doesNotMatch(r.err, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
      }
    });

    test('a bad configuration value exits 2 naming the variable', async () => {
      const r = await run({ ...(await target.env()), PORT: 'eighty' }, cwd, 'migrate');
      assert.equal(r.code, 2);
      assert.match(r.err, /PORT/);
    });
  });
}
