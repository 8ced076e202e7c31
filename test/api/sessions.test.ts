import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { lockSeconds, accountPolicy } from '../../src/access/login-throttle.ts';
import { createUser } from '../../src/access/users.ts';
import { buildServer } from '../../src/api/server.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

const PASSWORD = 'correct horse battery';

test('the backoff grows from 1 s after the free attempts and stops at its cap', () => {
  const cases: Array<[number, number]> = [[0, 0], [4, 0], [5, 1], [6, 2], [7, 4], [10, 32], [15, 900], [40, 900]];
  for (const [failures, seconds] of cases) assert.equal(lockSeconds(failures, accountPolicy), seconds, `${failures} failures`);
});

/** Reads an open text/event-stream until the server ends it; resolves with how long that took. */
async function streamUntilEnd(url: string, init: RequestInit): Promise<{ status: number; endedAfterMs: () => Promise<number> }> {
  const res = await fetch(url, init);
  const started = Date.now();
  const reader = res.body!.getReader();
  return {
    status: res.status,
    endedAfterMs: async () => {
      for (;;) {
        const { done } = await reader.read();
        if (done) return Date.now() - started;
      }
    },
  };
}

forEachDialect('logins, sessions and streams', (world) => {
  let app: FastifyInstance;
  let base: string;
  let t: ApiTenant;
  let n = 0;

  const login = (email: string, password: string, ip = '203.0.113.7'): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: '/auth/login', remoteAddress: ip, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email, password }) });
  const cookieOf = (res: LightMyRequestResponse) => res.cookies.find((c) => c.name === 'kinetic_session')!.value;
  const me = (cookie: string) => app.inject({ method: 'GET', url: '/me', cookies: { kinetic_session: cookie } });
  async function person(role: 'manager' | 'agent' | 'technician' = 'agent') {
    n++;
    const email = `person${n}-${t.scope.businessId.slice(-8)}@sessions.example`;
    const user = await createUser(world().ctx, t.scope, { email, name: `Person ${n}`, role, password: PASSWORD });
    return { email, id: user.id };
  }

  before(async () => {
    app = await buildServer(world().ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    t = await makeTenant(world().ctx, 'Sessions Heating');
  });
  after(async () => app?.close());

  test('wrong passwords for one account get 429 with Retry-After after five, even with the right password, until the lock passes', async () => {
    const { email } = await person();
    for (let i = 0; i < 4; i++) assert.equal((await login(email, 'wrong password')).statusCode, 401);
    const fifth = await login(email, 'wrong password');
    assert.equal(fifth.statusCode, 401);
    const locked = await login(email, PASSWORD);
    assert.equal(locked.statusCode, 429, locked.body);
    assert.equal(locked.json().error.code, 'RATE_LIMITED');
    assert.equal(locked.headers['retry-after'], '1');
    // Each further failure doubles the wait.
    world().clock.advance(1_000);
    assert.equal((await login(email, 'wrong password')).statusCode, 401);
    assert.equal((await login(email, PASSWORD)).headers['retry-after'], '2');
    world().clock.advance(2_000);
    const ok = await login(email, PASSWORD);
    assert.equal(ok.statusCode, 200, ok.body);
    // A success clears the account's count.
    for (let i = 0; i < 4; i++) assert.equal((await login(email, 'wrong password')).statusCode, 401);
    assert.equal((await login(email, PASSWORD)).statusCode, 200);
  });

  test('one address guessing across many accounts is throttled too, other addresses are not', async () => {
    const { email } = await person();
    const ip = '198.51.100.23';
    for (let i = 0; i < 20; i++) assert.equal((await login(`nobody${i}@sessions.example`, 'guess', ip)).statusCode, 401);
    const res = await login(email, PASSWORD, ip);
    assert.equal(res.statusCode, 429, res.body);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.equal((await login(email, PASSWORD, '198.51.100.99')).statusCode, 200);
    world().clock.advance(16 * 60_000);
  });

  test('an unknown email costs the same password check as a known one and gets the same answer', async () => {
    const { email } = await person();
    const time = async (e: string) => {
      const started = process.hrtime.bigint();
      const res = await login(e, 'wrong password', `192.0.2.${++n % 250}`);
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, res };
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i++) {
      const k = await time(email);
      const u = await time(`ghost${i}@sessions.example`);
      known.push(k.ms);
      unknown.push(u.ms);
      assert.equal(u.res.statusCode, k.res.statusCode);
      assert.equal(u.res.body, k.res.body);
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1];
    // Without the dummy hash an unknown email answers ~10× faster; with it, within noise of a known one.
    assert.ok(median(unknown) > median(known) * 0.4, `unknown ${median(unknown).toFixed(1)} ms vs known ${median(known).toFixed(1)} ms`);
    world().clock.advance(16 * 60_000);
  });

  test('changing your password ends your other sessions and keeps this one', async () => {
    const { email } = await person();
    const here = cookieOf(await login(email, PASSWORD));
    const elsewhere = cookieOf(await login(email, PASSWORD));
    const wrong = await app.inject({ method: 'POST', url: '/auth/password', cookies: { kinetic_session: here }, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ currentPassword: 'not it', newPassword: 'a brand new password' }) });
    assert.equal(wrong.statusCode, 400, wrong.body);
    const changed = await app.inject({ method: 'POST', url: '/auth/password', cookies: { kinetic_session: here }, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ currentPassword: PASSWORD, newPassword: 'a brand new password' }) });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().endedSessions, 1);
    assert.equal((await me(here)).statusCode, 200);
    assert.equal((await me(elsewhere)).statusCode, 401);
    assert.equal((await login(email, PASSWORD)).statusCode, 401);
    assert.equal((await login(email, 'a brand new password')).statusCode, 200);
  });

  test('a reset link sent by a manager goes to the person only, works once, and ends every session', async () => {
    const managerAccount = await person('manager');
    const agent = await person('agent');
    const manager = cookieOf(await login(managerAccount.email, PASSWORD));
    const agentSession = cookieOf(await login(agent.email, PASSWORD));
    const sent = await app.inject({ method: 'POST', url: `/users/${agent.id}/password-reset`, cookies: { kinetic_session: manager } });
    assert.equal(sent.statusCode, 202, sent.body);
    assert.equal(sent.json().to, agent.email);
    assert.doesNotMatch(sent.body, /token|reset-password/);
    // The outbox shows that a link went, not the link.
    const outbox = (await client(app, t.key).get('/outbox?channel=email')).json().data as Array<{ to: string; body: string }>;
    const mail = outbox.find((m) => m.to === agent.email)!;
    assert.ok(mail, 'the link was emailed to the person');
    assert.doesNotMatch(mail.body, /token=/);
    const row = await world().db.kysely.selectFrom('outbox').select('body').where('to_address', '=', agent.email).executeTakeFirstOrThrow();
    const token = /#token=([\w-]+)/.exec(row.body)![1];
    const reset = (password: string) => app.inject({ method: 'POST', url: '/auth/password-reset', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ token, password }) });
    assert.equal((await reset('short')).statusCode, 400);
    assert.equal((await reset('chosen by the agent')).statusCode, 204);
    assert.equal((await reset('chosen again later')).statusCode, 400, 'a link works once');
    assert.equal((await me(agentSession)).statusCode, 401);
    assert.equal((await login(agent.email, 'chosen by the agent')).statusCode, 200);
  });

  test('an invitation or reset link can go by text to the person\'s own phone, hidden in the outbox like the email', async () => {
    const api = client(app, t.key);
    const invited = await api.post('/users', { name: 'Tex Tech', email: `tex-${t.scope.businessId.slice(-8)}@sessions.example`, role: 'technician', phone: '(512) 555-0177', inviteBy: 'sms' });
    assert.equal(invited.statusCode, 201, invited.body);
    assert.deepEqual([invited.json().invitationChannel, invited.json().invitationSentTo, invited.json().phone], ['sms', '+15125550177', '+15125550177']);
    const text = await world().db.kysely.selectFrom('outbox').select(['body', 'channel', 'user_id']).where('to_address', '=', '+15125550177').executeTakeFirstOrThrow();
    assert.equal(text.channel, 'sms');
    assert.equal(text.user_id, invited.json().id);
    assert.match(text.body, /added you to Kinetic \(log in as tex-.*\)\. Choose your password .*\/app\/reset-password#token=[\w-]+$/);
    const listed = (await api.get('/outbox?channel=sms')).json().data as Array<{ to: string; body: string }>;
    assert.doesNotMatch(listed.find((m) => m.to === '+15125550177')!.body, /token=/, 'the outbox API does not show the link');
    // The link from the text sets the password.
    const token = /#token=([\w-]+)/.exec(text.body)![1];
    const set = await app.inject({ method: 'POST', url: '/auth/password-reset', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ token, password: 'chosen from a text' }) });
    assert.equal(set.statusCode, 204, set.body);
    assert.equal((await login(invited.json().email, 'chosen from a text')).statusCode, 200);
    // A reset by text; without a phone it is refused with a reason, and nothing is sent.
    const again = await api.post(`/users/${invited.json().id}/password-reset`, { by: 'sms' });
    assert.equal(again.statusCode, 202, again.body);
    assert.deepEqual([again.json().channel, again.json().to], ['sms', '+15125550177']);
    const noPhone = await person('agent');
    const refused = await api.post(`/users/${noPhone.id}/password-reset`, { by: 'sms' });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.match(refused.json().error.message, /has no phone number/);
    assert.equal((await api.post(`/users/${noPhone.id}/password-reset`, { by: 'pigeon' })).statusCode, 400);
    const badInvite = await api.post('/users', { name: 'No Phone', email: `nophone-${t.scope.businessId.slice(-8)}@sessions.example`, inviteBy: 'sms' });
    assert.equal(badInvite.statusCode, 400, badInvite.body);
    assert.equal((await api.get('/users')).json().data.some((u: { name: string }) => u.name === 'No Phone'), false, 'the invitation and the user are one transaction');
  });

  test('revoking an API key closes its open event stream within seconds', async () => {
    const key = (await client(app, t.key).post('/api-keys', { name: 'stream key' })).json();
    const stream = await streamUntilEnd(`${base}/events/stream`, { headers: { authorization: `Bearer ${key.key}` } });
    assert.equal(stream.status, 200);
    const ended = stream.endedAfterMs();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await client(app, t.key).delete(`/api-keys/${key.id}`)).statusCode, 204);
    const ms = await ended;
    assert.ok(ms < 5_000, `stream ended after ${ms} ms`);
    assert.equal((await fetch(`${base}/events/stream`, { headers: { authorization: `Bearer ${key.key}` } })).status, 401);
  });

  test('disabling a user closes their open event stream within seconds', async () => {
    const agent = await person('agent');
    const cookie = cookieOf(await login(agent.email, PASSWORD));
    const stream = await streamUntilEnd(`${base}/events/stream`, { headers: { cookie: `kinetic_session=${cookie}` } });
    assert.equal(stream.status, 200);
    const ended = stream.endedAfterMs();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await client(app, t.key).patch(`/users/${agent.id}`, { disabled: true })).statusCode, 200);
    const ms = await ended;
    assert.ok(ms < 5_000, `stream ended after ${ms} ms`);
  });
});
