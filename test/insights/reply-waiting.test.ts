import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { enqueueMessage } from '../../src/engine/outbox/enqueue.ts';
import { processInboundMessages } from '../../src/intelligence/intake/inbound.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

interface Item { kind: string; id: string; contactId: string | null }

/**
 * "Reply waiting" clears when the team answers — a person's message on any channel, or a drafted
 * reply sent — and not when Kinetic texts the contact by itself (a reminder, a campaign, an
 * automation step): those answer nobody.
 */
forEachDialect('reply waiting clears only on a reply from the team', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let api: ReturnType<typeof client>;

  before(async () => {
    app = await makeApi(world().ctx);
    t = await makeTenant(world().ctx, 'Waiting Plumbing');
    api = client(app, t.key);
    assert.equal((await api.patch('/business', { phone: '+15125550700' })).statusCode, 200);
  });
  after(() => app?.close());

  const waitingFor = async (contactId: string) => ((await api.get('/exceptions?kind=reply_waiting')).json().data as Item[]).filter((e) => e.contactId === contactId);
  const textIn = async (from: string, body: string) => {
    const res = await api.post('/dev/inbound/sms', { from, body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().contactId as string;
  };
  const systemText = async (contactId: string, to: string, reason: string, enrollmentId: string | null = null) => {
    const { ctx } = world();
    await ctx.db.transaction((trx) =>
      enqueueMessage(trx, { businessId: t.scope.businessId, channel: 'sms', purpose: 'transactional', to, body: `Waiting Plumbing: ${reason}`, contactId, enrollmentId, idempotencyKey: `test:${contactId}:${reason}`, notBefore: ctx.clock.now().toISOString(), why: { reason } }, ctx.clock.now().toISOString()),
    );
  };

  test('a reminder Kinetic sends by itself does not clear it; an approved draft (by an API key) does', async () => {
    const from = '+15125550701';
    const contactId = await textIn(from, 'Can someone look at my water heater this week?');
    assert.equal((await waitingFor(contactId)).length, 1);
    world().clock.advance(60_000);
    await systemText(contactId, from, 'appointment reminder');
    await systemText(contactId, from, 'seasonal tune-up campaign');
    assert.equal((await waitingFor(contactId)).length, 1, 'still waiting for a person: automated texts are no reply');

    const [drafted] = await processInboundMessages(world().ctx, null);
    assert.equal(drafted.outcome, 'drafted', JSON.stringify(drafted));
    world().clock.advance(60_000);
    const approved = await api.post(`/drafts/${drafted.draftId}/approve`);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal((await waitingFor(contactId)).length, 0, 'the drafted reply answered them');
  });

  test('a call a person logged clears it; a new text from the contact waits again', async () => {
    const from = '+15125550702';
    const contactId = await textIn(from, 'Please call me about a quote');
    await processInboundMessages(world().ctx, null);
    world().clock.advance(60_000);
    const logged = await api.post('/interactions', { contactId, kind: 'call', direction: 'outbound', body: 'Called back, quote on Friday', outcome: 'answered' });
    assert.equal(logged.statusCode, 201, logged.body);
    assert.equal((await waitingFor(contactId)).length, 0);
    world().clock.advance(60_000);
    await textIn(from, 'Actually, can we make it Thursday?');
    assert.equal((await waitingFor(contactId)).length, 1);
  });
});
