import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createContext } from '../../src/app.ts';
import { verifyBookingToken } from '../../src/booking/links.ts';
import { loadConfig } from '../../src/config.ts';
import { recordPublicUrl } from '../../src/db/install-settings.ts';
import { silentLogger } from '../../src/context.ts';
import { cliTargets, runCli } from '../helpers/cli.ts';
import { makeCustomer, makeShop, makeTechnician } from './helpers.ts';

const SECRET = 'cli-booking-secret-0123456789abcdef0123456789';

const targets = cliTargets({ KINETIC_SECRET: SECRET, KINETIC_PUBLIC_URL: 'https://crm.example.com', KINETIC_LOG_LEVEL: 'silent' });

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

      const link = await runCli(env, cwd, ['booking', 'link', contactId, '--json']);
      assert.equal(link.code, 0, link.err);
      const url = JSON.parse(link.out).url as string;
      assert.match(url, /^https:\/\/crm\.example\.com\/book\//);
      const check = verifyBookingToken({ ...ctx, config: { ...ctx.config, secret: SECRET }, clock: { now: () => new Date() } }, url.split('/book/')[1]);
      assert.ok(check.ok && check.claims.contactId === contactId);

      const slots = await runCli(env, cwd, ['booking', 'slots', '--service', 'tune_up', '--from', '2030-01-07T00:00:00Z', '--to', '2030-01-08T00:00:00Z', '--json']);
      assert.equal(slots.code, 0, slots.err);
      const data = JSON.parse(slots.out).data as Array<{ start: string; technicianId: string }>;
      assert.equal(data[0].start, '2030-01-07T14:00:00.000Z', 'Monday 08:00 in Chicago');
      assert.ok(data.every((s) => s.technicianId === tech));
      const text = await runCli(env, cwd, ['booking', 'slots', '--service', 'tune_up', '--from', '2030-01-07T00:00:00Z', '--to', '2030-01-08T00:00:00Z']);
      assert.match(text.out, /Mon, Jan 7 at 8:00 AM CST/);

      const badService = await runCli(env, cwd, ['booking', 'slots', '--service', 'sauna']);
      assert.equal(badService.code, 2);
      assert.match(badService.err, /serviceType: unknown service "sauna"/);
      const noContact = await runCli(env, cwd, ['booking', 'link', 'nobody']);
      assert.equal(noContact.code, 2);
      assert.match(noContact.err, /contact nobody was not found/);
    });
  });
}

for (const target of cliTargets({ KINETIC_SECRET: SECRET, KINETIC_LOG_LEVEL: 'silent' })) {
  describe(`kinetic booking link without KINETIC_PUBLIC_URL [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-booking-url-'));
    after(() => target.cleanup());

    test('prints the address the running server recorded, not localhost; says so when there is none', async () => {
      const env = await target.env();
      assert.equal(env.KINETIC_PUBLIC_URL, undefined, 'this shell has no public address configured');
      const ctx = await createContext(loadConfig(env, cwd), { log: silentLogger });
      let contactId: string;
      try {
        const scope = await makeShop(ctx);
        await makeTechnician(ctx, scope);
        contactId = await makeCustomer(ctx, scope);
      } finally {
        await ctx.db.close();
      }

      // No server has started on this database yet: a localhost link, with a note on stderr naming the variable.
      const before = await runCli(env, cwd, ['booking', 'link', contactId, '--json']);
      assert.equal(before.code, 0, before.err);
      assert.match(JSON.parse(before.out).url as string, /^http:\/\/localhost:3000\/book\//);
      assert.match(before.err, /no public address is configured.*Set KINETIC_PUBLIC_URL/);

      // `kinetic start` elsewhere, with its own environment, records the address it serves links at.
      const server = await createContext(loadConfig({ ...env, KINETIC_PUBLIC_URL: 'https://book.comfortpro.example/' }, cwd), { log: silentLogger });
      try {
        assert.equal(server.config.publicUrlConfigured, true);
        await recordPublicUrl(server.db.kysely, server.config.publicUrl, new Date().toISOString());
      } finally {
        await server.db.close();
      }
      const after = await runCli(env, cwd, ['booking', 'link', contactId]);
      assert.equal(after.code, 0, after.err);
      assert.match(after.out, /^https:\/\/book\.comfortpro\.example\/book\/\S+\n$/);
      assert.equal(after.err, '');
      // A public address configured for the command itself still wins.
      const own = await runCli({ ...env, KINETIC_PUBLIC_URL: 'https://crm.example.com' }, cwd, ['booking', 'link', contactId, '--json']);
      assert.match(JSON.parse(own.out).url as string, /^https:\/\/crm\.example\.com\/book\//);
    });
  });
}
