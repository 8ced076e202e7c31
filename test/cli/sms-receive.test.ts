import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { cliTargets, runCli } from '../helpers/cli.ts';

/**
 * `kinetic sms receive`: a text fed through the real inbound path without Twilio (the dev
 * outbox), on both databases; refused (exit 2) once Twilio is configured.
 */
for (const target of cliTargets()) {
  describe(`kinetic sms receive [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-cli-sms-'));
    after(() => target.cleanup());

    test('a customer text makes a contact; the same sender is the same contact; STOP is answered at once', async () => {
      const env = await target.env();
      assert.equal((await runCli(env, cwd, ['business', 'create', '--name', 'Receive Heating', '--time-zone', 'America/Chicago'])).code, 0);
      const first = await runCli(env, cwd, ['sms', 'receive', '--from', '(512) 555-0180', '--body', 'Do you service tankless water heaters?', '--json']);
      assert.equal(first.code, 0, first.err);
      const r = JSON.parse(first.out) as { simulated: boolean; from: string; handledAs: string; contactId: string | null; intent: string | null; reply: string | null; messageSid: string };
      assert.equal(r.simulated, true);
      assert.equal(r.from, '+15125550180', 'normalised like a Twilio number');
      assert.equal(r.handledAs, 'customer');
      assert.equal(r.intent, 'message');
      assert.equal(r.reply, null, 'a question is for the team (and the worker), not answered at once');
      assert.match(r.messageSid, /^SM[0-9a-f]{32}$/);
      assert.ok(r.contactId);

      const stop = await runCli(env, cwd, ['sms', 'receive', '--from', '+15125550180', '--body', 'STOP']);
      assert.equal(stop.code, 0, stop.err);
      assert.match(stop.out, new RegExp(`Received from \\+15125550180 \\(contact ${r.contactId}\\)`), 'the same contact');
      assert.match(stop.out, /Answered at once: Receive Heating: you are unsubscribed/);
    });

    test('bad input is exit 2 with a message; with Twilio configured the command refuses (exit 2)', async () => {
      const env = await target.env();
      const bad = await runCli(env, cwd, ['sms', 'receive', '--from', '12', '--body', 'hi']);
      assert.equal(bad.code, 2, bad.out);
      assert.match(bad.err, /from/);
      const withTwilio = { ...env, TWILIO_ACCOUNT_SID: `AC${'e5'.repeat(16)}`, TWILIO_AUTH_TOKEN: 'sms-receive-test-auth-token-0001', TWILIO_FROM_NUMBER: '+15125550199' };
      const refused = await runCli(withTwilio, cwd, ['sms', 'receive', '--from', '+15125550181', '--body', 'hello']);
      assert.equal(refused.code, 2, refused.out);
      assert.match(refused.err, /Twilio is configured/);
    });
  });
}
