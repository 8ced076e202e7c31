import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { grantOf } from '../../src/access/permissions.ts';
import { createUser, roles, type Role } from '../../src/access/users.ts';
import { routeAccess, routeRules } from '../../src/api/permissions.ts';
import { buildServer } from '../../src/api/server.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/**
 * Every route of the OpenAPI document, called as every role, answers as the
 * permission table says: 403 where the role has no grant, never 403 where it
 * has one, 404 for rows that are not the caller's own where the grant is
 * `own`. Like the tenant-isolation suite, it enumerates the server itself, so
 * a new route is checked too (an unlisted one must be closed to all but owners
 * and managers).
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const PASSWORD = 'correct horse battery';
const NO_SUCH_ID = 'no-such-row-0000';

interface Caller {
  role: Role;
  cookies: Record<string, string>;
  userId: string;
}

forEachDialect('roles × routes', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  const callers: Partial<Record<Role, Caller>> = {};
  let ownerId: string;
  let techJob: string;
  let otherJob: string;
  let techContact: string;
  let otherContact: string;
  let techTask: string;
  let otherTask: string;

  const as = (who: Caller, method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse> =>
    app.inject({ method, url, cookies: who.cookies, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) } : {}) });

  before(async () => {
    const ctx = world().ctx;
    app = await buildServer(ctx);
    await app.ready();
    t = await makeTenant(ctx, 'Roles Heating');
    ownerId = ((await client(app, t.key).get('/users')).json().data as Array<{ id: string }>)[0].id;
    for (const role of roles) {
      const email = `${role}-${t.scope.businessId.slice(-8)}@roles.example`;
      const user = await createUser(ctx, t.scope, { email, name: `The ${role}`, role, password: PASSWORD });
      const login = await client(app, null).post('/auth/login', { email, password: PASSWORD });
      assert.equal(login.statusCode, 200, login.body);
      callers[role] = { role, userId: user.id, cookies: { kinetic_session: login.cookies.find((c) => c.name === 'kinetic_session')!.value } };
    }
    const api = client(app, t.key);
    const tech = callers.technician!.userId;
    techContact = (await api.post('/contacts', { name: 'On the tech job', phone: '512-555-0101' })).json().id;
    otherContact = (await api.post('/contacts', { name: 'Someone else', phone: '512-555-0102' })).json().id;
    techJob = (await api.post('/jobs', { contactId: techContact, serviceType: 'ac_repair', technicianUserId: tech })).json().id;
    otherJob = (await api.post('/jobs', { contactId: otherContact, serviceType: 'ac_repair' })).json().id;
    techTask = (await api.post('/tasks', { title: 'Tech task', assigneeUserId: tech })).json().id;
    otherTask = (await api.post('/tasks', { title: 'Office task' })).json().id;
    assert.ok(techContact && otherContact && techJob && otherJob && techTask && otherTask);
  });
  after(async () => app?.close());

  test('every route in the OpenAPI document answers every role as the permission table says', async () => {
    const doc = (await client(app, null).get('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      for (const m of Object.keys(ops)) {
        const method = m.toUpperCase() as Method;
        if (!['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].includes(method)) continue;
        const access = routeAccess(method, url);
        if (access.kind === 'public') continue;
        // Logging out or changing a password would end the caller's session mid-test; those have their own tests.
        if (access.kind === 'self' && method !== 'GET') continue;
        // Ids that match nothing: an allowed DELETE or PATCH changes no row, an `own` grant finds nothing of the caller's.
        const target = url.replace(/:kind/g, 'approval').replace(/:name/g, 'no-such-playbook').replace(/:\w+/g, NO_SUCH_ID) + (url === '/events/stream' ? '?follow=false' : '');
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        for (const role of roles) {
          const res = await as(callers[role]!, method, target, body);
          const label = `${role}: ${method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
          assert.ok(res.statusCode < 500, label);
          if (access.kind === 'self') {
            assert.notEqual(res.statusCode, 403, label);
            continue;
          }
          const grant = grantOf(role, access.rule.action);
          if (grant === null) {
            assert.equal(res.statusCode, 403, label);
            assert.equal(res.json().error.code, 'FORBIDDEN', label);
          } else {
            assert.notEqual(res.statusCode, 403, label);
            // An `own` grant on one row: a row that is not theirs is not found, like another business's.
            if (grant === 'own' && access.rule.own && (access.rule.own.kind === 'job' || access.rule.own.kind === 'contact' || access.rule.own.kind === 'task' || access.rule.own.kind === 'task-or-take')) assert.equal(res.statusCode, 404, label);
          }
          checked++;
        }
      }
    }
    assert.ok(checked > 400, `checked ${checked} role × route pairs`);
  });

  test('a route missing from the table is open to owners and managers only', () => {
    const access = routeAccess('POST', '/some/new/route');
    assert.equal(access.kind, 'rule');
    if (access.kind !== 'rule') return;
    assert.equal(access.listed, false);
    assert.deepEqual(roles.filter((r) => grantOf(r, access.rule.action) !== null), ['owner', 'manager']);
    // Every route of this server is listed (public, self or in the table), so none relies on that default by accident.
    for (const key of Object.keys(routeRules)) assert.match(key, /^(GET|POST|PATCH|PUT|DELETE) \//);
  });

  test('the website widget is public: its script, stylesheet and visitor endpoints need no login; answering a chat is messages.send', () => {
    for (const [method, url] of [['GET', '/widget.js'], ['GET', '/widget.css'], ['GET', '/widget/config'], ['POST', '/widget/leads'], ['POST', '/widget/chat'], ['POST', '/widget/chat/messages'], ['GET', '/widget/chat/messages'], ['OPTIONS', '/widget/*']] as const) {
      assert.equal(routeAccess(method, url).kind, 'public', `${method} ${url}`);
    }
    const reply = routeAccess('POST', '/contacts/:id/chat-replies');
    assert.ok(reply.kind === 'rule' && reply.listed && reply.rule.action === 'messages.send');
    // Not public by a lookalike prefix.
    assert.notEqual(routeAccess('GET', '/widgets').kind, 'public');
  });

  test('a technician sees their own jobs and the contacts on them, adds notes there and updates their jobs', async () => {
    const tech = callers.technician!;
    const jobs = (await as(tech, 'GET', '/jobs')).json().data as Array<{ id: string }>;
    assert.deepEqual(jobs.map((j) => j.id), [techJob]);
    // Asking for someone else's jobs still lists only theirs.
    assert.deepEqual(((await as(tech, 'GET', `/jobs?technicianUserId=${ownerId}`)).json().data as Array<{ id: string }>).map((j) => j.id), [techJob]);
    assert.equal((await as(tech, 'GET', `/jobs/${otherJob}`)).statusCode, 404);
    assert.equal((await as(tech, 'PATCH', `/jobs/${otherJob}`, { notes: 'not mine' })).statusCode, 404);
    const patched = await as(tech, 'PATCH', `/jobs/${techJob}`, { notes: 'replaced the capacitor' });
    assert.equal(patched.statusCode, 200, patched.body);

    const contacts = (await as(tech, 'GET', '/contacts')).json().data as Array<{ id: string }>;
    assert.deepEqual(contacts.map((c) => c.id), [techContact]);
    assert.equal((await as(tech, 'GET', `/contacts/${techContact}`)).statusCode, 200);
    assert.equal((await as(tech, 'GET', `/contacts/${techContact}/timeline`)).statusCode, 200);
    assert.equal((await as(tech, 'GET', `/contacts/${otherContact}`)).statusCode, 404);
    assert.equal((await as(tech, 'GET', `/contacts/${otherContact}/timeline`)).statusCode, 404);

    const note = await as(tech, 'POST', '/interactions', { contactId: techContact, kind: 'note', body: 'gate code 1234' });
    assert.equal(note.statusCode, 201, note.body);
    assert.equal((await as(tech, 'POST', '/interactions', { contactId: otherContact, kind: 'note', body: 'x' })).statusCode, 400);
    assert.equal((await as(tech, 'POST', '/interactions', { contactId: techContact, kind: 'sms', direction: 'outbound', body: 'x' })).statusCode, 400);

    assert.deepEqual(((await as(tech, 'GET', '/tasks')).json().data as Array<{ id: string }>).map((x) => x.id), [techTask]);
    assert.equal((await as(tech, 'PATCH', `/tasks/${techTask}`, { status: 'done' })).statusCode, 200);
    assert.equal((await as(tech, 'PATCH', `/tasks/${otherTask}`, { status: 'done' })).statusCode, 404);
    // Taking a task (assigning it to yourself) is how an on-call technician takes the urgent one.
    assert.equal((await as(tech, 'PATCH', `/tasks/${otherTask}`, { assigneeUserId: tech.userId })).statusCode, 200);
    assert.equal((await as(tech, 'PATCH', `/tasks/${otherTask}`, { status: 'done' })).statusCode, 200);

    for (const [method, url] of [['DELETE', `/jobs/${techJob}`], ['DELETE', `/contacts/${techContact}`], ['GET', '/events'], ['GET', '/events/stream?follow=false'], ['GET', '/interactions']] as const) {
      assert.equal((await as(tech, method, url)).statusCode, 403, `${method} ${url}`);
    }
  });

  test('an agent works contacts and tasks but does not delete, merge or export', async () => {
    const agent = callers.agent!;
    assert.equal((await as(agent, 'GET', '/contacts')).statusCode, 200);
    assert.equal((await as(agent, 'PATCH', `/contacts/${otherContact}`, { tags: ['vip'] })).statusCode, 200);
    assert.equal((await as(agent, 'POST', '/tasks', { title: 'Call back' })).statusCode, 201);
    for (const [method, url, body] of [
      ['DELETE', `/contacts/${otherContact}`, undefined],
      ['DELETE', `/jobs/${otherJob}`, undefined],
      ['POST', '/contacts/merge', { survivorId: techContact, mergeIds: [otherContact] }],
      ['GET', '/contacts/duplicates', undefined],
      ['GET', '/events', undefined],
      ['POST', '/imports/contacts', { csv: 'name\nX', dryRun: true }],
    ] as const) {
      const res = await as(agent, method, url, body);
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    }
    // Still there.
    assert.equal((await client(app, t.key).get(`/contacts/${otherContact}`)).statusCode, 200);
  });

  test("a manager cannot make or become an owner, change an owner, or set anyone's password", async () => {
    const manager = callers.manager!;
    const owner = callers.owner!;
    const refused = async (method: Method, url: string, body: unknown, status = 403) => {
      const res = await as(manager, method, url, body);
      assert.equal(res.statusCode, status, `${method} ${url} ${JSON.stringify(body)}: ${res.body}`);
    };
    await refused('POST', '/users', { email: 'new-owner@roles.example', name: 'New Owner', role: 'owner' });
    await refused('POST', '/users', { email: 'new-manager@roles.example', name: 'Peer', role: 'manager' });
    await refused('PATCH', `/users/${manager.userId}`, { role: 'owner' });
    await refused('PATCH', `/users/${owner.userId}`, { role: 'agent' });
    await refused('PATCH', `/users/${owner.userId}`, { disabled: true });
    await refused('PATCH', `/users/${owner.userId}`, { name: 'Renamed' });
    await refused('POST', `/users/${owner.userId}/password-reset`, {});
    // A password is not a field of a user any more, for anyone.
    await refused('PATCH', `/users/${callers.agent!.userId}`, { password: 'taken over 12345' }, 400);
    await refused('POST', '/users', { email: 'with-pass@roles.example', name: 'P', role: 'agent', password: 'chosen by manager' }, 400);
    // A key a manager makes acts as a manager, so it cannot do what the manager cannot.
    await refused('POST', '/api-keys', { name: 'owner key', role: 'owner' });
    const key = await as(manager, 'POST', '/api-keys', { name: 'manager key' });
    assert.equal(key.statusCode, 201, key.body);
    assert.equal(key.json().role, 'manager');
    const viaKey = await client(app, key.json().key).post('/users', { email: 'key-owner@roles.example', name: 'Key Owner', role: 'owner' });
    assert.equal(viaKey.statusCode, 403, viaKey.body);
    assert.equal((await client(app, key.json().key).patch(`/users/${owner.userId}`, { role: 'agent' })).statusCode, 403);

    // Managers do manage the people below them, and owners manage owners.
    const added = await as(manager, 'POST', '/users', { email: 'new-tech@roles.example', name: 'New Tech', role: 'technician' });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json().invitationSentTo, 'new-tech@roles.example');
    assert.equal((await as(manager, 'PATCH', `/users/${added.json().id}`, { role: 'agent' })).statusCode, 200);
    assert.equal((await as(manager, 'PATCH', `/users/${added.json().id}`, { role: 'manager' })).statusCode, 403);
    const coOwner = await as(owner, 'POST', '/users', { email: 'co-owner@roles.example', name: 'Co Owner', role: 'owner' });
    assert.equal(coOwner.statusCode, 201, coOwner.body);
    assert.equal((await as(owner, 'PATCH', `/users/${manager.userId}`, { role: 'owner' })).statusCode, 200);
    assert.equal((await as(owner, 'PATCH', `/users/${manager.userId}`, { role: 'manager' })).statusCode, 200);
    // Nobody changes their own role, owners included; their own name, yes.
    assert.equal((await as(owner, 'PATCH', `/users/${owner.userId}`, { role: 'agent' })).statusCode, 403);
    assert.equal((await as(manager, 'PATCH', `/users/${manager.userId}`, { name: 'Renamed Manager' })).statusCode, 200);
  });

  test("an email used in another business gets the same answer as one used here, naming nobody", async () => {
    const other = await makeTenant(world().ctx, 'Elsewhere Plumbing');
    const there = await client(app, t.key).post('/users', { email: other.ownerEmail, name: 'Clash', role: 'agent' });
    const here = await client(app, t.key).post('/users', { email: `agent-${t.scope.businessId.slice(-8)}@roles.example`, name: 'Clash', role: 'agent' });
    assert.equal(there.statusCode, 409);
    assert.equal(here.statusCode, 409);
    assert.equal(there.json().error.message, here.json().error.message);
    assert.doesNotMatch(there.body, /exists|already/i);
  });
});
