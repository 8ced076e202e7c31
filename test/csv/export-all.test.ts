import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createContext } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/context.ts';
import { createContact } from '../../src/crm/contacts/contacts.ts';
import { exportEntities } from '../../src/crm/csv/export-all.ts';
import { makeBusiness } from '../helpers/db.ts';
import { cliTargets, runCli } from '../helpers/cli.ts';

for (const target of cliTargets()) {
  describe(`kinetic export all [${target.name}]`, () => {
    after(() => target.cleanup());

    test('writes every entity of the business as CSV and JSON, nothing of another business, no credentials', async () => {
      const env = await target.env();
      const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-export-all-'));
      const ctx = await createContext(loadConfig(env, cwd), { log: silentLogger });
      let slug = '';
      try {
        const scope = await makeBusiness(ctx, { slug: `export-all-${target.name}` });
        slug = `export-all-${target.name}`;
        await createContact(ctx, scope, { name: 'Dana Reyes', phone: '+13105550142', email: 'dana@example.com', tags: ['vip'], customFields: { unit: 'Trane' } });
        await createContact(ctx, scope, { name: '=cmd|evil', email: 'evil@example.com' });
        const other = await makeBusiness(ctx);
        await createContact(ctx, other, { name: 'Other Business Person', phone: '+15125550199' });
      } finally {
        await ctx.db.close();
      }
      assert.equal((await runCli(env, cwd, ['user', 'create', '--business', slug, '--email', `owner-${target.name}@export.example`, '--name', 'Olga', '--role', 'owner', '--password', 'long enough pw'])).code, 0);
      const dir = path.join(cwd, 'out');
      const r = await runCli(env, cwd, ['export', 'all', '--business', slug, '--out', dir]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.err, /Exported \d+ records of \d+ entities \(CSV and JSON\)/);
      const files = readdirSync(dir).sort();
      for (const e of exportEntities) assert.ok(files.includes(`${e}.csv`) && files.includes(`${e}.json`), `${e} is exported`);
      assert.ok(files.includes('manifest.json') && files.includes('business.json'));
      const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
      assert.equal(manifest.counts.contacts, 2);
      assert.equal(manifest.counts.contact_tags, 1);
      assert.equal(manifest.counts.users, 1);
      const contacts = JSON.parse(readFileSync(path.join(dir, 'contacts.json'), 'utf8')) as Array<Record<string, unknown>>;
      assert.deepEqual(contacts.map((c) => c.display_name).sort(), ['=cmd|evil', 'Dana Reyes']);
      const dana = contacts.find((c) => c.display_name === 'Dana Reyes')!;
      assert.deepEqual(dana.custom_fields, { unit: 'Trane' }, 'JSON columns are parsed');
      assert.deepEqual(dana.phones, [{ number: '+13105550142' }]);
      const csv = parse(readFileSync(path.join(dir, 'contacts.csv')), { columns: true }) as Array<Record<string, string>>;
      assert.equal(csv.length, 2);
      assert.equal(csv.find((c) => c.email === 'evil@example.com')?.name, "'=cmd|evil", 'formula cells are neutralised');
      const everything = files.map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
      assert.doesNotMatch(everything, /Other Business Person|\+15125550199/, 'nothing of another business');
      assert.doesNotMatch(everything, /password_hash|scrypt|argon/i, 'no password hashes');
      const users = JSON.parse(readFileSync(path.join(dir, 'users.json'), 'utf8')) as Array<Record<string, unknown>>;
      assert.equal(users[0].email, `owner-${target.name}@export.example`);

      const one = await runCli(env, cwd, ['export', 'contact_tags', '--business', slug, '--json']);
      assert.equal(one.code, 0, one.err);
      assert.deepEqual(JSON.parse(one.out).map((t: { tag: string }) => t.tag), ['vip']);
      const noDir = await runCli(env, cwd, ['export', 'all', '--business', slug]);
      assert.equal(noDir.code, 2);
      assert.match(noDir.err, /needs --out <dir>/);
      const unknown = await runCli(env, cwd, ['export', 'sessions', '--business', slug]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /unknown entity "sessions"/);
    });
  });
}
