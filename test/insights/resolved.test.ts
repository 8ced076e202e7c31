import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

interface Item { kind: string; id: string; contactId: string | null; occurrence: string; createdAt: string }
interface Resolved extends Item { resolvedAt: string; resolution: string; title: string }

/**
 * Exceptions resolve themselves when their cause is gone, and the list says so: with
 * ?include=resolved, GET /exceptions adds the items resolved in the last day, with the same identity
 * (kind, id, occurrence) they had on the list, when they resolved and why. Without it, the response
 * is what it always was.
 */
forEachDialect('resolved exceptions are listed with when and why', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let api: ReturnType<typeof client>;

  before(async () => {
    world().clock.set('2026-03-02T15:00:00Z');
    app = await makeApi(world().ctx);
    t = await makeTenant(world().ctx, 'Resolving Roofing');
    api = client(app, t.key);
    assert.equal((await api.patch('/business', { phone: '+15125550800' })).statusCode, 200);
  });
  after(() => app?.close());

  const list = async (q = '') => (await api.get(`/exceptions${q}`)).json() as { data: Item[]; resolved?: Resolved[] };

  test('a reply from a person resolves "reply waiting": gone from the list, listed as resolved with who, then gone after a day', async () => {
    const text = await api.post('/dev/inbound/sms', { from: '+15125550801', body: 'Is there a leak warranty on my new roof?' });
    assert.equal(text.statusCode, 201, text.body);
    const contactId = text.json().contactId as string;
    const open = (await list()).data.find((e) => e.kind === 'reply_waiting' && e.contactId === contactId);
    assert.ok(open);
    assert.equal((await list()).resolved, undefined, 'the default response is unchanged');
    assert.deepEqual((await list('?include=resolved')).resolved?.filter((r) => r.contactId === contactId), []);

    world().clock.advance(5 * 60_000);
    const login = await client(app, null).post('/auth/login', { email: t.ownerEmail, password: t.password });
    const session = login.cookies.find((c) => c.name === 'kinetic_session')!.value;
    const reply = await app.inject({ method: 'POST', url: `/contacts/${contactId}/replies`, cookies: { kinetic_session: session }, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ channel: 'sms', body: 'Yes, ten years on workmanship.' }) });
    assert.equal(reply.statusCode, 201, reply.body);

    const after = await list('?include=resolved');
    assert.ok(!after.data.some((e) => e.kind === 'reply_waiting' && e.contactId === contactId));
    const resolved = after.resolved?.find((r) => r.kind === 'reply_waiting' && r.contactId === contactId);
    assert.ok(resolved, JSON.stringify(after.resolved));
    assert.deepEqual([resolved.id, resolved.occurrence, resolved.createdAt], [open.id, open.occurrence, open.createdAt], 'the same item the list showed');
    assert.equal(resolved.resolvedAt, world().clock.now().toISOString());
    assert.equal(resolved.resolution, 'the team replied: Owner by text');
    assert.equal((await list('?kind=reply_waiting&include=resolved')).resolved?.length, 1, 'filtered by kind like the open items');

    world().clock.advance(25 * 3_600_000);
    assert.ok(!(await list('?include=resolved')).resolved?.some((r) => r.contactId === contactId), 'resolved items show for a day');
  });

  test('a job booked for a lead gone cold resolves "cold lead": "a job was booked"', async () => {
    const lead = await api.post('/contacts', { name: 'Colin Cold', phone: '+15125550802', source: 'website' });
    assert.equal(lead.statusCode, 201, lead.body);
    const contactId = lead.json().id as string;
    world().clock.advance(12 * 86_400_000);
    const open = (await list()).data.find((e) => e.kind === 'cold_lead' && e.contactId === contactId);
    assert.ok(open, 'twelve days without contact: a cold lead');
    const job = await api.post('/jobs', { contactId, serviceType: 'roof_repair', scheduledStart: '2026-03-20T15:00:00Z', scheduledEnd: '2026-03-20T17:00:00Z' });
    assert.equal(job.statusCode, 201, job.body);
    const after = await list('?include=resolved');
    assert.ok(!after.data.some((e) => e.kind === 'cold_lead' && e.contactId === contactId));
    const resolved = after.resolved?.find((r) => r.kind === 'cold_lead' && r.contactId === contactId);
    assert.ok(resolved, JSON.stringify(after.resolved));
    assert.deepEqual([resolved.id, resolved.occurrence], [open.id, open.occurrence]);
    assert.equal(resolved.resolution, 'a job was booked');
  });

  test('a bad include is a 400', async () => {
    assert.equal((await api.get('/exceptions?include=everything')).statusCode, 400);
  });
});
