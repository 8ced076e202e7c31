import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/** confirmedAt: when the customer confirmed the appointment, in the jobs API next to every field it had before. */
forEachDialect('jobs API: confirmedAt', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  const api = () => client(app, t.key);
  before(async () => {
    app = await makeApi(world().ctx);
    t = await makeTenant(world().ctx, 'Confirmed HVAC');
  });
  after(async () => app?.close());

  test('null until confirmed; a confirmation by reply (jobs.confirmed_at) shows in get and list', async () => {
    const created = await api().post('/jobs', { serviceType: 'tune_up', scheduledStart: '2026-03-10T15:00:00Z', scheduledEnd: '2026-03-10T16:00:00Z' });
    assert.equal(created.statusCode, 201, created.body);
    const job = created.json();
    assert.deepEqual(Object.keys(job).sort(), [
      'amountCents', 'companyId', 'completedAt', 'confirmedAt', 'contactId', 'createdAt', 'externalId', 'id', 'notes',
      'scheduledEnd', 'scheduledStart', 'serviceType', 'source', 'status', 'technicianUserId', 'updatedAt',
    ]);
    assert.equal(job.confirmedAt, null);

    // What the appointment-reminders playbook writes when the customer replies C.
    const at = '2026-03-09T14:30:00.000Z';
    await world().db.kysely.updateTable('jobs').set({ confirmed_at: at }).where('id', '=', job.id).execute();
    assert.equal((await api().get(`/jobs/${job.id}`)).json().confirmedAt, at);
    const listed = (await api().get('/jobs?status=scheduled')).json().data as Array<{ id: string; confirmedAt: string | null }>;
    assert.equal(listed.find((j) => j.id === job.id)?.confirmedAt, at);
  });

  test('the office records or clears a confirmation taken by phone; a bad value names the field', async () => {
    const job = (await api().post('/jobs', { serviceType: 'tune_up', confirmedAt: '2026-03-09T10:00:00-06:00' })).json();
    assert.equal(job.confirmedAt, '2026-03-09T16:00:00.000Z');
    const cleared = await api().patch(`/jobs/${job.id}`, { confirmedAt: null });
    assert.equal(cleared.statusCode, 200, cleared.body);
    assert.equal(cleared.json().confirmedAt, null);
    const bad = await api().patch(`/jobs/${job.id}`, { confirmedAt: 'yesterday' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /^confirmedAt: /);
  });

  test('the OpenAPI document describes confirmedAt on jobs', async () => {
    const doc = (await client(app, null).get('/openapi.json')).json();
    const props = (path: string, method: string) => doc.paths[path][method].requestBody.content['application/json'].schema.properties as Record<string, unknown>;
    assert.ok(props('/jobs', 'post').confirmedAt, 'POST /jobs');
    assert.ok(props('/jobs/{id}', 'patch').confirmedAt, 'PATCH /jobs/{id}');
  });
});
