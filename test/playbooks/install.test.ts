import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { automationDefinitionSchema } from '../../src/engine/definition.ts';
import { playbooks } from '../../src/playbooks/catalog/index.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { cliTargets, runCli } from '../helpers/cli.ts';
import { forEachDialect } from '../helpers/db.ts';

const NAMES = ['speed-to-lead', 'missed-call-text-back', 'emergency-messages', 'quote-follow-up', 'review-request', 'maintenance-reminder', 'cold-lead-flag', 'dormant-reactivation', 'appointment-reminders', 'deal-won-onboarding'];

test('the catalogue has the ten playbooks, each an automation document the engine accepts with its default parameters', () => {
  assert.deepEqual(playbooks.map((p) => p.name), NAMES);
  for (const p of playbooks) {
    const parsed = automationDefinitionSchema.safeParse(p.build(p.params.parse({})));
    assert.ok(parsed.success, `${p.name}: ${JSON.stringify(parsed.error?.issues)}`);
    assert.ok(p.title && p.description.length > 40, `${p.name} explains itself`);
  }
});

forEachDialect('playbooks API', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  let b: ApiTenant;
  before(async () => {
    app = await makeApi(world().ctx);
    a = await makeTenant(world().ctx, 'Playbook HVAC');
    b = await makeTenant(world().ctx, 'Other Plumbing');
  });
  after(() => app.close());

  test('GET /playbooks lists all ten, none installed yet', async () => {
    const res = await client(app, a.key).get('/playbooks');
    assert.equal(res.statusCode, 200);
    const { data } = res.json();
    assert.deepEqual(data.map((p: { name: string }) => p.name), NAMES);
    for (const p of data) {
      assert.deepEqual(Object.keys(p).sort(), ['automationId', 'description', 'enabled', 'installed', 'name', 'title']);
      assert.equal(p.installed, false);
      assert.equal(p.automationId, null);
      assert.equal(p.enabled, false);
    }
  });

  test('install creates an ordinary automation the business can read and edit; the listing shows it', async () => {
    const api = client(app, a.key);
    const res = await api.post('/playbooks/speed-to-lead/install', { enable: true });
    assert.equal(res.statusCode, 201, res.body);
    const automation = res.json();
    assert.equal(automation.playbook, 'speed-to-lead');
    assert.equal(automation.status, 'enabled');
    assert.equal(automation.definition.name, 'Speed to lead');
    assert.equal(automation.definition.trigger.event, 'lead.created');
    const listed = (await api.get('/playbooks')).json().data.find((p: { name: string }) => p.name === 'speed-to-lead');
    assert.deepEqual({ installed: listed.installed, automationId: listed.automationId, enabled: listed.enabled }, { installed: true, automationId: automation.id, enabled: true });
    const edited = { ...automation.definition, priority: 85 };
    const put = await api.put(`/automations/${automation.id}`, { definition: edited });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().version, 2);
    const disabledByDefault = await api.post('/playbooks/cold-lead-flag/install', {});
    assert.equal(disabledByDefault.json().status, 'disabled');
  });

  test('installing the same playbook twice is a 409 naming the existing automation', async () => {
    const api = client(app, a.key);
    const existing = (await api.get('/playbooks')).json().data.find((p: { name: string }) => p.name === 'speed-to-lead');
    const res = await api.post('/playbooks/speed-to-lead/install', {});
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.code, 'CONFLICT');
    assert.match(res.json().error.message, new RegExp(`already installed as automation ${existing.automationId}`));
  });

  test('an unknown playbook is a 404 that lists the real ones; bad input is a 400 naming the field', async () => {
    const api = client(app, a.key);
    const missing = await api.post('/playbooks/speed-to-leads/install', {});
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().error.message, /no playbook named "speed-to-leads"; the playbooks are: speed-to-lead, missed-call-text-back/);
    const badEnable = await api.post('/playbooks/review-request/install', { enable: 'yes' });
    assert.equal(badEnable.statusCode, 400);
    assert.equal(badEnable.json().error.details.issues[0].field, 'enable');
    const badParam = await api.post('/playbooks/review-request/install', { params: { delay: 120 } });
    assert.equal(badParam.statusCode, 400);
    assert.equal(badParam.json().error.details.issues[0].field, 'params.delay');
    const badDuration = await api.post('/playbooks/review-request/install', { params: { delay: 'two hours' } });
    assert.equal(badDuration.statusCode, 400, badDuration.body);
    assert.match(badDuration.json().error.message, /duration/);
    const unknownParam = await api.post('/playbooks/review-request/install', { params: { delayy: 'PT3H' } });
    assert.equal(unknownParam.statusCode, 400);
    assert.equal((await api.get('/playbooks')).json().data.find((p: { name: string }) => p.name === 'review-request').installed, false, 'nothing half-installed');
  });

  test('parameters tune the installed document', async () => {
    const res = await client(app, a.key).post('/playbooks/review-request/install', { params: { delay: 'PT3H', reminderAfter: 'P3D', channel: 'email' } });
    assert.equal(res.statusCode, 201, res.body);
    const steps = res.json().definition.steps;
    assert.deepEqual(steps[0], { type: 'wait', duration: 'PT3H' });
    assert.equal(steps[2].type, 'send_email');
    assert.equal(steps[3].forEvent.timeout, 'P3D');
  });

  test('another business sees its own catalogue state, and cannot reach this one’s automations', async () => {
    const theirs = (await client(app, b.key).get('/playbooks')).json().data;
    assert.ok(theirs.every((p: { installed: boolean }) => !p.installed));
    const mine = (await client(app, a.key).get('/playbooks')).json().data.find((p: { name: string }) => p.name === 'speed-to-lead');
    assert.equal((await client(app, b.key).get(`/automations/${mine.automationId}`)).statusCode, 404);
    const res = await client(app, b.key).post('/playbooks/speed-to-lead/install', {});
    assert.equal(res.statusCode, 201, 'each business installs its own copy');
  });
});

const targets = cliTargets();

for (const target of targets) {
  describe(`kinetic playbook CLI [${target.name}]`, () => {
    after(() => target.cleanup());
    test('list, install (with --enable and --params), install again, unknown name', async () => {
      const env = await target.env();
      const cwd = mkdtempSync(path.join(os.tmpdir(), 'kinetic-pb-cwd-'));
      assert.equal((await runCli(env, cwd, ['migrate'])).code, 0);
      assert.equal((await runCli(env, cwd, ['business', 'create', '--name', 'CLI Heating', '--time-zone', 'America/Denver'])).code, 0);
      const list = await runCli(env, cwd, ['playbook', 'list']);
      assert.equal(list.code, 0, list.err);
      for (const n of NAMES) assert.match(list.out, new RegExp(`^${n}\\s+-\\s`, 'm'));
      const installed = await runCli(env, cwd, ['playbook', 'install', 'review-request', '--business', 'cli-heating', '--enable']);
      assert.equal(installed.code, 0, installed.err);
      assert.match(installed.out, /^Installed "Review request" as automation [0-9a-f-]{36} \(enabled\)\./);
      const again = await runCli(env, cwd, ['playbook', 'install', 'review-request']);
      assert.equal(again.code, 2);
      assert.match(again.err, /already installed as automation/);
      const unknown = await runCli(env, cwd, ['playbook', 'install', 'review-requests']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /no playbook named "review-requests"/);
      const paramsFile = path.join(cwd, 'params.json');
      writeFileSync(paramsFile, JSON.stringify({ days: 300 }));
      const tuned = await runCli(env, cwd, ['playbook', 'install', 'maintenance-reminder', '--params', paramsFile, '--json']);
      assert.equal(tuned.code, 0, tuned.err);
      assert.equal(JSON.parse(tuned.out).definition.trigger.segment.days, 300);
      writeFileSync(paramsFile, JSON.stringify({ days: 'soon' }));
      const badParams = await runCli(env, cwd, ['playbook', 'install', 'cold-lead-flag', '--params', paramsFile]);
      assert.equal(badParams.code, 2);
      assert.match(badParams.err, /params\.days/);
      const json = JSON.parse((await runCli(env, cwd, ['playbook', 'list', '--json'])).out);
      const byName = Object.fromEntries(json.map((p: { name: string; installed: boolean; enabled: boolean }) => [p.name, [p.installed, p.enabled]]));
      assert.deepEqual(byName['review-request'], [true, true]);
      assert.deepEqual(byName['maintenance-reminder'], [true, false]);
      assert.deepEqual(byName['cold-lead-flag'], [false, false]);
    });
  });
}
