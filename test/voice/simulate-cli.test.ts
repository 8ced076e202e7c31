import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliTargets, runCli } from '../helpers/cli.ts';

// `kinetic call simulate`: the receptionist in a terminal, scripted through stdin.

const bin = fileURLToPath(new URL('../../bin/kinetic.mjs', import.meta.url));
function runProcess(env: NodeJS.ProcessEnv, cwd: string, args: string[], stdin: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

const targets = cliTargets();

for (const target of targets) {
  describe(`kinetic call simulate [${target.name}]`, () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-voice-cwd-'));
    after(() => target.cleanup());

    test('an after-hours routine call: greeting, intake, booking text, lead — and nothing saved', async () => {
      const env = await target.env();
      const b = await runCli(env, cwd, ['business', 'create', '--name', 'Lakeside Plumbing', '--time-zone', 'America/Chicago']);
      assert.equal(b.code, 0, b.err);
      const r = await runCli(env, cwd, ['call', 'simulate', '--business', 'lakeside-plumbing', '--at', '2026-03-03 19:30'], { stdin: ['My name is Rosa Diaz', 'yes', '5 Harbor Lane', 'I need a quote to replace my water heater'] });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /at Tue 2026-03-03 19:30 \(America\/Chicago\): after hours/);
      assert.match(r.out, /receptionist: Thanks for calling Lakeside Plumbing\. .*May I have your name, please\?/);
      assert.match(r.out, /caller> My name is Rosa Diaz\nreceptionist: Thanks, Rosa\. Is 2 0 2, 5 5 5, 0 1 4 3 the best number/);
      assert.match(r.out, /decision: routine/);
      assert.match(r.out, /contact: Rosa Diaz \(lead\), 5 Harbor Lane/);
      assert.match(r.out, /text to \+12025550143: Hi Rosa, thanks for calling Lakeside Plumbing/);
      assert.match(r.out, /timeline: call logged as completed/);
      assert.match(r.out, /Simulation only: nothing was saved or sent\./);
      const contacts = await runCli(env, cwd, ['export', 'contacts']);
      assert.equal(contacts.code, 0, contacts.err);
      assert.doesNotMatch(contacts.out, /Rosa/);
    });

    test('an emergency with nobody on call, and a hang-up mid-intake', async () => {
      const env = await target.env();
      const e = await runCli(env, cwd, ['call', 'simulate', '--at', '2026-03-03T08:00:00Z'], { stdin: ['Ken', 'yes', '1 Main Street', 'the basement is flooding'] });
      assert.equal(e.code, 0, e.err);
      assert.match(e.out, /at Tue 2026-03-03 02:00/);
      assert.match(e.out, /receptionist: Help is on the way\. I could not get a technician on the line/);
      assert.match(e.out, /decision: emergency/);
      assert.match(e.out, /task: EMERGENCY: call back Ken now/);
      const h = await runCli(env, cwd, ['call', 'simulate', '--at', '23:15'], { stdin: ['Ana'] });
      assert.equal(h.code, 0, h.err);
      assert.match(h.out, /\[the caller hangs up\]/);
      assert.match(h.out, /decision: incomplete \(the caller hung up at the confirm number question\)/);
      assert.match(h.out, /task: Call back Ana: hung up during intake/);
      assert.match(h.out, /timeline: call logged as abandoned/);
    });

    test('bad --at and unknown business exit with code 2 and a message', async () => {
      const env = await target.env();
      const bad = await runCli(env, cwd, ['call', 'simulate', '--at', 'yesterday-ish'], { stdin: [] });
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--at "yesterday-ish" is not a time/);
      const none = await runCli(env, cwd, ['call', 'simulate', '--business', 'nope'], { stdin: [] });
      assert.equal(none.code, 2);
      assert.match(none.err, /no business with id or slug "nope"/);
    });

    test('scriptable: reads the caller\'s lines from piped stdin', async () => {
      const env = await target.env();
      const r = await runProcess(env, cwd, ['call', 'simulate', '--at', '2026-03-03 21:30'], 'Can I talk to a real person\n');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /caller> Can I talk to a real person/);
      assert.match(r.out, /Someone will call you back tomorrow at 8 AM/);
      assert.match(r.out, /decision: callback \(the caller asked for a person\)/);
    });
  });
}
