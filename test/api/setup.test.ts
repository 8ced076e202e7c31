import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUser } from '../../src/access/users.ts';
import { installPlaybook } from '../../src/playbooks/install.ts';
import { useApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

interface Checklist { done: number; total: number; steps: Array<{ key: string; done: boolean; detail: string }> }

/** The first-run checklist ticks each step from the record as the owner does it. */
forEachDialect('first-run setup checklist', (world) => {
  const s = useApiTenant(world, 'Fresh Start Plumbing');
  const open = async () => {
    const c = (await s.api.get('/setup')).json() as Checklist;
    return c.steps.filter((s) => !s.done).map((s) => s.key);
  };

  test('a new business: everything but its default hours is to do; each step ticks itself when done', async () => {
    assert.deepEqual(await open(), ['services', 'team', 'on_call', 'number', 'test_send', 'booking', 'playbooks']);
    const services = await s.api.patch('/business', { services: [{ key: 'drain_cleaning', name: 'Drain cleaning', durationMinutes: 90, avgTicketCents: 25_000 }] });
    assert.equal(services.statusCode, 200, services.body);
    assert.deepEqual(await open(), ['team', 'on_call', 'number', 'test_send', 'playbooks'], 'a service bookable online opens the booking page too');
    const tech = await createUser(world().ctx, s.tenant.scope, { email: 'pat@freshstart.example', name: 'Pat Plumber', role: 'technician', phone: '+15125550710' });
    const onCall = await s.api.patch('/business', { onCall: { rotation: [tech.id], anchor: '2026-01-05T00:00:00Z', shiftHours: 168, escalationMinutes: 10, overrides: [] } });
    assert.equal((await s.api.post('/numbers', { number: '+15125550700' })).statusCode, 201);
    assert.equal(onCall.statusCode, 200, onCall.body);
    assert.deepEqual(await open(), ['test_send', 'playbooks']);
    assert.equal((await s.api.post('/integrations/test-send', { channel: 'sms', to: '+15125550710' })).statusCode, 201);
    await installPlaybook(world().ctx, s.tenant.scope, 'speed-to-lead', { enable: true });
    const c = (await s.api.get('/setup')).json() as Checklist;
    assert.deepEqual([c.done, c.total], [8, 8]);
  });

  test('a PATCH of the business changes only what it names (services, address and on-call stay)', async () => {
    const before = (await s.api.get('/business')).json() as { services: unknown[]; onCall: { rotation: string[] } };
    assert.ok(before.services.length === 1 && before.onCall.rotation.length === 1);
    assert.equal((await s.api.patch('/business', { address: { line1: '1 Main St', city: 'Austin', region: 'TX' } })).statusCode, 200);
    const renamed = await s.api.patch('/business', { name: 'Fresh Start Plumbing & Drain' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    const after = renamed.json() as { services: unknown[]; onCall: { rotation: string[] }; address: { city?: string } };
    assert.deepEqual(after.services, before.services);
    assert.deepEqual(after.onCall.rotation, before.onCall.rotation);
    assert.equal(after.address.city, 'Austin');
  });
});
