import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliTargets, runCli } from '../helpers/cli.ts';
import { startTwilioStandin, type TwilioStandin } from '../helpers/twilio-standin.ts';

/** `kinetic number add|list|remove` against a Twilio account (stand-in over HTTP), on both databases. */
const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'cli-number-test-auth-token-000111';

let standin: TwilioStandin;
before(async () => {
  standin = await startTwilioStandin({ accountSid: ACCOUNT, authToken: TOKEN });
  standin.addNumber('+15125550170');
  standin.addNumber('+15125550171');
});
after(() => standin?.close());

for (const target of cliTargets()) {
  describe(`kinetic number [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-cli-number-'));
    after(() => target.cleanup());
    const env = async () => ({ ...(await target.env()), TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM_NUMBER: '+15125550170', TWILIO_API_BASE_URL: standin.baseUrl });

    test('the install number goes to the first business; numbers on the account are added verified, others refused (exit 2); a second business cannot take one', async () => {
      const e = await env();
      assert.equal((await runCli(e, cwd, ['business', 'create', '--name', 'First Heating', '--time-zone', 'America/Chicago'])).code, 0);
      assert.equal((await runCli(e, cwd, ['business', 'create', '--name', 'Second Plumbing', '--time-zone', 'America/Chicago'])).code, 0);
      const first = await runCli(e, cwd, ['number', 'list', '--business', 'first-heating', '--json']);
      assert.equal(first.code, 0, first.err);
      assert.deepEqual((JSON.parse(first.out) as Array<{ number: string; verified: boolean; source: string }>).map((n) => `${n.number} ${n.verified} ${n.source}`), ['+15125550170 true install_default']);
      const empty = await runCli(e, cwd, ['number', 'list', '--business', 'second-plumbing']);
      assert.match(empty.out, /No numbers yet/);
      const added = await runCli(e, cwd, ['number', 'add', '(512) 555-0171', '--business', 'second-plumbing']);
      assert.equal(added.code, 0, added.err);
      assert.match(added.out, /Added \+15125550171 \(verified/);
      const notOurs = await runCli(e, cwd, ['number', 'add', '+15125550179', '--business', 'second-plumbing']);
      assert.equal(notOurs.code, 2);
      assert.match(notOurs.err, /not a phone number on Twilio account/);
      const taken = await runCli(e, cwd, ['number', 'add', '+15125550170', '--business', 'second-plumbing']);
      assert.equal(taken.code, 2);
      assert.match(taken.err, /already registered to another business/);
      assert.doesNotMatch(taken.err, /First Heating/);
      const list = await runCli(e, cwd, ['number', 'list', '--business', 'second-plumbing']);
      assert.match(list.out, /\+15125550171\s+verified\s+api/);
      const removed = await runCli(e, cwd, ['number', 'remove', '+15125550171', '--business', 'second-plumbing']);
      assert.equal(removed.code, 0, removed.err);
      assert.match((await runCli(e, cwd, ['number', 'list', '--business', 'second-plumbing'])).out, /No numbers yet/);
      const gone = await runCli(e, cwd, ['number', 'remove', '+15125550171', '--business', 'second-plumbing']);
      assert.equal(gone.code, 2);
    });
  });
}
