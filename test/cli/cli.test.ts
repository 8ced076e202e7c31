import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliTargets, runCli } from '../helpers/cli.ts';

const targets = cliTargets();

for (const target of targets) {
  describe(`kinetic CLI [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-cli-cwd-'));
    after(() => target.cleanup());

    test('migrate, business, user and API key lifecycle', async () => {
      const env = await target.env();
      const m = await runCli(env, cwd, ['migrate']);
      assert.equal(m.code, 0, m.err);
      assert.match(m.out, /up to date|Applied/);
      const none = await runCli(env, cwd, ['user', 'create', '--email', 'a@example.com', '--name', 'A', '--password', 'long enough pw']);
      assert.equal(none.code, 2, none.err);
      assert.match(none.err, /no business yet/);
      const b = await runCli(env, cwd, ['business', 'create', '--name', 'Acme Plumbing', '--time-zone', 'America/Denver', '--json']);
      assert.equal(b.code, 0, b.err);
      const business = JSON.parse(b.out);
      assert.equal(business.slug, 'acme-plumbing');
      const u = await runCli(env, cwd, ['user', 'create', '--email', 'Owner@Acme.example', '--name', 'Olga', '--role', 'owner', '--password', 'long enough pw']);
      assert.equal(u.code, 0, u.err);
      assert.match(u.out, /owner Olga <owner@acme.example>/);
      const dup = await runCli(env, cwd, ['user', 'create', '--email', 'owner@acme.example', '--name', 'Again', '--password', 'long enough pw']);
      assert.equal(dup.code, 2, dup.err);
      assert.match(dup.err, /cannot be used/);
      const k = await runCli(env, cwd, ['apikey', 'create', '--name', 'zapier', '--business', 'acme-plumbing', '--json']);
      assert.equal(k.code, 0, k.err);
      const key = JSON.parse(k.out);
      assert.match(key.key, /^kin_/);
      const list = await runCli(env, cwd, ['apikey', 'list']);
      assert.match(list.out, /zapier\s+active/);
      assert.doesNotMatch(list.out, new RegExp(key.key));
      assert.equal((await runCli(env, cwd, ['apikey', 'revoke', key.id])).code, 0);
      assert.match((await runCli(env, cwd, ['apikey', 'list'])).out, /revoked/);
    });

    test('import and export through the CLI', async () => {
      const env = await target.env();
      const file = path.join(cwd, 'contacts.csv');
      writeFileSync(file, 'First Name,Last Name,Mobile,Email,Zip\nAna,Diaz,(720) 555-0101,ana@example.com,80202\n,,12,not-an-email,80202\n');
      const dry = await runCli(env, cwd, ['import', 'contacts', file, '--dry-run', '--json']);
      assert.equal(dry.code, 0, dry.err);
      assert.equal(JSON.parse(dry.out).created, 1);
      const exported0 = await runCli(env, cwd, ['export', 'contacts']);
      assert.doesNotMatch(exported0.out, /Diaz/, 'dry run wrote nothing');
      const real = await runCli(env, cwd, ['import', 'contacts', file]);
      assert.equal(real.code, 0, real.err);
      assert.match(real.out, /1 created, 0 merged, 1 rejected/);
      const exported = await runCli(env, cwd, ['export', 'contacts']);
      assert.equal(exported.code, 0, exported.err);
      assert.match(exported.out, /Diaz/);
      assert.match(exported.out, /\+17205550101/);
    });

    test('automations from the CLI: validate, create, list, simulate, outbox', async () => {
      const env = await target.env();
      const file = path.join(cwd, 'flow.json');
      writeFileSync(file, JSON.stringify({ name: 'Welcome', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'send_sms', body: 'Welcome {{ contact.firstName }}' }] }));
      const v = await runCli(env, cwd, ['automation', 'validate', file]);
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /valid: "Welcome" \(1 steps, trigger lead.created\)/);
      const c = await runCli(env, cwd, ['automation', 'create', file, '--enable', '--json']);
      assert.equal(c.code, 0, c.err);
      const automation = JSON.parse(c.out);
      assert.match((await runCli(env, cwd, ['automation', 'list'])).out, /enabled\s+v1\s+Welcome/);
      const sim = await runCli(env, cwd, ['automation', 'simulate', automation.id, '--from', '2020-01-01', '--to', '2020-02-01']);
      assert.equal(sim.code, 0, sim.err);
      assert.match(sim.out, /0 enrolled, 0 messages would be sent/);
      const bad = path.join(cwd, 'bad.json');
      writeFileSync(bad, JSON.stringify({ name: 'Bad', trigger: { type: 'event', event: 'lead.created' }, steps: [{ type: 'send_sms', body: '{{ contact.firstName | shout }}' }] }));
      const invalid = await runCli(env, cwd, ['automation', 'validate', bad]);
      assert.equal(invalid.code, 2);
      assert.match(invalid.err, /steps.0.body: template error/);
      assert.match((await runCli(env, cwd, ['outbox', 'list'])).out, /outbox is empty|sms/);
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
        const r = await runCli(env, cwd, args);
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.err}`);
        assert.ok(r.err.length > 0, `${args.join(' ')} printed a message`);
        assert.doesNotMatch(r.err, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
      }
    });

    test('a bad configuration value exits 2 naming the variable', async () => {
      const r = await runCli({ ...(await target.env()), PORT: 'eighty' }, cwd, ['migrate']);
      assert.equal(r.code, 2);
      assert.match(r.err, /PORT/);
    });
  });
}
