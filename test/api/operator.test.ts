import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createUser } from '../../src/access/users.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

forEachDialect('dashboard operator API: CSV import, inbox replies, channel test-send', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await buildServer(world().ctx);
    await app.ready();
    t = await makeTenant(world().ctx, 'Operator Heating');
    api = client(app, t.key);
  });

  test('import preview reports mapping, counts and rejected rows and writes nothing; the import then writes and returns the error report', async () => {
    const csv = ['Full Name,Cell,E-mail,Favourite colour', 'Avery Import,512-555-0101,avery@example.com,blue', 'Blake Import,not a phone,,green', 'Casey Import,512-555-0103,casey@example.com,red', ',not a phone,,'].join('\n');
    const preview = await api.post('/imports/contacts', { csv, dryRun: true, mapping: { 'Full Name': 'name', Cell: 'phone', 'E-mail': 'email' } });
    assert.equal(preview.statusCode, 200, preview.body);
    const p = preview.json();
    assert.equal(p.dryRun, true);
    // Blake is imported without the phone that is not one; the last row has nothing usable.
    assert.deepEqual([p.rows, p.created, p.rejected, p.warnings], [4, 3, 1, 1]);
    assert.deepEqual(p.warningsSample, [{ row: 3, warning: 'Cell: "not a phone" is not a valid phone number' }]);
    assert.equal(p.mapping.Cell, 'phone');
    assert.ok(p.unmappedColumns.includes('Favourite colour') || Object.keys(p.mapping).includes('Favourite colour'));
    assert.equal(p.errorsSample[0].row, 5);
    assert.ok(p.fields.includes('phone'), 'the fields a column can map to');
    assert.equal((await api.get('/contacts?q=Import')).json().data.length, 0, 'a preview writes nothing');

    const done = await api.post('/imports/contacts', { csv, mapping: { 'Full Name': 'name', Cell: 'phone', 'E-mail': 'email' } });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual([done.json().created, done.json().rejected], [3, 1]);
    assert.match(done.json().errorsCsv, /Blake Import,not a phone,,green,3,"imported without: Cell: ""not a phone"" is not a valid phone number"/);
    assert.match(done.json().errorsCsv, /_error/);
    assert.deepEqual((await api.get('/contacts?q=Import')).json().data.map((c: { name: string }) => c.name).sort(), ['Avery Import', 'Blake Import', 'Casey Import']);
  });

  test('exports: the entities with their counts, then one streamed as CSV or JSON; bad input is a 400', async () => {
    const list = await api.get('/exports');
    assert.equal(list.statusCode, 200, list.body);
    const counts = Object.fromEntries((list.json().entities as Array<{ entity: string; rows: number }>).map((e) => [e.entity, e.rows]));
    assert.ok(counts.contacts >= 3 && counts.audit_log >= 1, JSON.stringify(counts));
    const csv = await api.get('/exports?entity=contacts');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(csv.body, /^id,first_name,last_name,name,phone,email/);
    assert.match(csv.body, /Avery Import/);
    const json = await api.get('/exports?entity=contacts&format=json');
    assert.equal(json.statusCode, 200);
    assert.equal((json.json() as unknown[]).length, counts.contacts);
    const bad = await api.get('/exports?entity=sessions');
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().error.message, /entity/);
  });

  test('bad import input is a 4xx naming the problem', async () => {
    const empty = await api.post('/imports/contacts', { csv: '' });
    assert.equal(empty.statusCode, 400, empty.body);
    assert.match(empty.json().error.message, /empty/);
    const badMap = await api.post('/imports/contacts', { csv: 'Name\nX\n', mapping: { Name: 'shoe_size' }, dryRun: true });
    assert.ok(badMap.statusCode >= 400 && badMap.statusCode < 500, badMap.body);
  });

  test('a reply goes through the outbox; a contact who opted out of texts cannot be texted', async () => {
    const c = (await api.post('/contacts', { name: 'Reply Person', phone: '512-555-0111', email: 'reply@example.com' })).json();
    const sent = await api.post(`/contacts/${c.id}/replies`, { channel: 'sms', body: 'We can come Tuesday.', idempotencyKey: 'reply-once-0001' });
    assert.equal(sent.statusCode, 201, sent.body);
    const again = await api.post(`/contacts/${c.id}/replies`, { channel: 'sms', body: 'We can come Tuesday.', idempotencyKey: 'reply-once-0001' });
    assert.equal(again.json().id, sent.json().id, 'the same idempotency key queues one message');
    const outbox = (await api.get(`/outbox?contactId=${c.id}`)).json().data;
    assert.deepEqual(outbox.map((m: { channel: string; body: string; to: string }) => [m.channel, m.body, m.to]), [['sms', 'We can come Tuesday.', '+15125550111']]);

    await api.post(`/contacts/${c.id}/consent`, { channel: 'sms', status: 'revoked', method: 'sms_keyword' });
    const refused = await api.post(`/contacts/${c.id}/replies`, { channel: 'sms', body: 'Are you there?' });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().error.details.optedOut, true);
    const email = await api.post(`/contacts/${c.id}/replies`, { channel: 'email', subject: 'Your visit', body: 'We can come Tuesday.' });
    assert.equal(email.statusCode, 201, email.body);
    const noSubject = await api.post(`/contacts/${c.id}/replies`, { channel: 'email', body: 'x' });
    assert.equal(noSubject.statusCode, 400, noSubject.body);
    assert.equal((await api.get(`/outbox?contactId=${c.id}`)).json().data.length, 2);
  });

  test('integrations show the dev outbox without credentials; a test-send goes only to a team member, marked as a test', async () => {
    const status = (await api.get('/integrations')).json();
    assert.deepEqual([status.sms.provider, status.email.provider, status.ai.provider], ['dev_outbox', 'dev_outbox', 'built_in']);
    assert.ok(!JSON.stringify(status).includes('secret'));
    // Not a team member's phone or address: refused, nothing queued (test sends are not a way around consent).
    const before = (await api.get('/outbox')).json().data.length;
    for (const [channel, to] of [['sms', '(512) 555-0188'], ['email', 'customer@example.com']]) {
      const refused = await api.post('/integrations/test-send', { channel, to });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.match(refused.json().error.message, /member of this business's team/);
    }
    assert.equal((await api.get('/outbox')).json().data.length, before);
    await createUser(world().ctx, t.scope, { email: 'dispatch@operator.example', name: 'Dee Dispatch', role: 'agent', password: 'correct horse battery', phone: '+15125550199' });
    const sms = await api.post('/integrations/test-send', { channel: 'sms', to: '(512) 555-0199' });
    assert.equal(sms.statusCode, 201, sms.body);
    assert.equal(sms.json().to, '+15125550199');
    assert.equal(sms.json().toUser.name, 'Dee Dispatch');
    const email = await api.post('/integrations/test-send', { channel: 'email', to: 'Dispatch@Operator.example' });
    assert.equal(email.statusCode, 201, email.body);
    const out = (await api.get('/outbox')).json().data as Array<{ to: string; body: string; contactId: string | null; userId: string | null; test: boolean }>;
    const test1 = out.find((m) => m.to === '+15125550199');
    assert.ok(test1 && test1.contactId === null && test1.test === true && /test text from Kinetic/.test(test1.body), JSON.stringify(test1));
    assert.ok(out.some((m) => m.to === 'dispatch@operator.example' && m.test), 'the email test is marked too');
    assert.ok(out.filter((m) => !m.to.includes('operator.example') && m.to !== '+15125550199').every((m) => !m.test), 'other messages are not tests');
    const bad = await api.post('/integrations/test-send', { channel: 'email', to: 'not-an-email' });
    assert.equal(bad.statusCode, 400, bad.body);
  });
});
