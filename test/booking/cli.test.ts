import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { createContext } from '../../src/app.ts';
import { verifyBookingToken } from '../../src/booking/links.ts';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/context.ts';
import { dropSchema } from '../../src/db/database.ts';
import { PG_URL } from '../helpers/db.ts';
import { makeCustomer, makeShop, makeTechnician } from './helpers.ts';

const SECRET = 'cli-booking-secret-0123456789abcdef0123456789';

async function run(env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), env, cwd, interactive: false };
  const code = await main(['node', 'kinetic', ...args], io);
  return { code, out, err };
}

const targets: Array<{ name: string; env: () => Promise<NodeJS.ProcessEnv>; cleanup: () => Promise<void> }> = [];
{
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-booking-cli-'));
  const base = { KINETIC_DATA_DIR: dir, KINETIC_DEMO: '0', KINETIC_SECRET: SECRET, KINETIC_PUBLIC_URL: 'https://crm.example.com', KINETIC_LOG_LEVEL: 'silent' };
  targets.push({ name: 'sqlite', env: async () => base, cleanup: async () => {} });
  const schema = `kb_${process.pid}_${randomBytes(3).toString('hex')}`;
  targets.push({
    name: 'postgres',
    env: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`create schema if not exists ${schema}`);
      await c.end();
      return { ...base, DATABASE_URL: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}` };
    },
    cleanup: () => dropSchema(PG_URL, schema),
  });
}

for (const target of targets) {
  describe(`kinetic booking [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-booking-cwd-'));
    after(() => target.cleanup());

    test('booking link and booking slots', async () => {
      const env = await target.env();
      const ctx = await createContext(loadConfig(env, cwd), { log: silentLogger });
      let contactId: string;
      let tech: string;
      try {
        const scope = await makeShop(ctx);
        tech = await makeTechnician(ctx, scope);
        contactId = await makeCustomer(ctx, scope);
      } finally {
        await ctx.db.close();
      }

      const link = await run(env, cwd, 'booking', 'link', contactId, '--json');
      assert.equal(link.code, 0, link.err);
      const url = JSON.parse(link.out).url as string;
      assert.match(url, /^https:\/\/crm\.example\.com\/book\//);
      const check = verifyBookingToken({ ...ctx, config: { ...ctx.config, secret: SECRET }, clock: { now: () => new Date() } }, url.split('/book/')[1]);
      assert.ok(check.ok && check.claims.contactId === contactId);

      const slots = await run(env, cwd, 'booking', 'slots', '--service', 'tune_up', '--from', '2030-01-07T00:00:00Z', '--to', '2030-01-08T00:00:00Z', '--json');
      assert.equal(slots.code, 0, slots.err);
      const data = JSON.parse(slots.out).data as Array<{ start: string; technicianId: string }>;
      assert.equal(data[0].start, '2030-01-07T14:00:00.000Z', 'Monday 08:00 in Chicago');
      assert.ok(data.every((s) => s.technicianId === tech));
      const text = await run(env, cwd, 'booking', 'slots', '--service', 'tune_up', '--from', '2030-01-07T00:00:00Z', '--to', '2030-01-08T00:00:00Z');
      assert.match(text.out, /Mon, Jan 7 at 8:00 AM CST/);

      const badService = await run(env, cwd, 'booking', 'slots', '--service', 'sauna');
      assert.equal(badService.code, 2);
      assert.match(badService.err, /serviceType: unknown service "sauna"/);
      const noContact = await run(env, cwd, 'booking', 'link', 'nobody');
      assert.equal(noContact.code, 2);
      assert.match(noContact.err, /contact nobody was not found/);
    });
  });
}
