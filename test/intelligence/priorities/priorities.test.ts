import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { DateTime } from 'luxon';
import type { Scope } from '../../../src/context.ts';
import { createUser } from '../../../src/access/users.ts';
import { createContact } from '../../../src/crm/contacts/contacts.ts';
import { deals } from '../../../src/crm/deals/deals.ts';
import { interactions } from '../../../src/crm/interactions/interactions.ts';
import { tasks } from '../../../src/crm/tasks/tasks.ts';
import { createAutomation } from '../../../src/engine/automations.ts';
import { runDueEnrollments } from '../../../src/engine/runner.ts';
import { createAiTasks } from '../../../src/intelligence/priorities/ai-tasks.ts';
import { decay, expectedValueCents, typicalTickets } from '../../../src/intelligence/priorities/expected-value.ts';
import { callQueue } from '../../../src/intelligence/priorities/queue.ts';
import { addReply, bestSendTime, emptyPattern, nextBestMoment, sendTimeFor } from '../../../src/intelligence/priorities/send-time.ts';
import { forEachDialect, makeBusiness } from '../../helpers/db.ts';

const DAY = 86_400_000;

test('expected value: probability × ticket × decay with age (table)', () => {
  const cases: Array<[number, number, number, number, number]> = [
    [0.5, 40_000, 0, 3, 20_000],
    [0.5, 40_000, 3, 3, 10_000],
    [0.5, 40_000, 6, 3, 5_000],
    [1, 10_000, -1, 3, 10_000],
    [0, 99_999, 0, 3, 0],
  ];
  for (const [p, ticket, age, half, want] of cases) assert.equal(expectedValueCents(p, ticket, age, half), want, `${p} ${ticket} ${age}`);
  assert.equal(decay(30, 30), 0.5);
  const t = typicalTickets([
    { serviceType: 'ac_repair', status: 'completed', amountCents: 30_000 },
    { serviceType: 'ac_repair', status: 'completed', amountCents: 50_000 },
    { serviceType: 'ac_repair', status: 'completed', amountCents: 40_000 },
    { serviceType: 'install', status: 'completed', amountCents: 900_000 },
    { serviceType: 'install', status: 'cancelled', amountCents: 800_000 },
  ]);
  assert.equal(t.byService.get('ac_repair'), 40_000);
  assert.equal(t.byService.has('install'), false, 'one job is too few for a typical ticket');
  assert.equal(t.overall, 50_000);
});

test('best send time: the contact’s own replies when there are enough, else the segment and business pattern (table)', () => {
  const zone = 'America/Chicago';
  const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
  const evenings = emptyPattern();
  for (const d of ['2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26', '2026-02-02', '2026-02-09', '2026-02-16', '2026-02-23']) addReply(evenings, at(`${d}T19:20`), zone);
  const lunch = emptyPattern();
  for (let i = 0; i < 40; i++) addReply(lunch, at(`2026-01-${String((i % 20) + 1).padStart(2, '0')}T12:10`), zone);
  const one = emptyPattern();
  addReply(one, at('2026-01-07T19:05'), zone);
  const none = emptyPattern();
  const cases: Array<[string, ReturnType<typeof emptyPattern>, ReturnType<typeof emptyPattern>, number, string]> = [
    ['plenty of own replies win', evenings, lunch, 19, 'contact'],
    ['one reply is shrunk toward the segment', one, lunch, 12, 'segment'],
    ['nothing at all: office hours', none, none, 9, 'default'],
  ];
  for (const [label, own, segment, hour, basis] of cases) {
    const best = bestSendTime(own, segment, segment);
    assert.equal(best.hour, hour, label);
    assert.equal(best.basis, basis, label);
  }
  assert.equal(bestSendTime(evenings, none, none).weekday, 1, 'all on Mondays');
  const best = bestSendTime(evenings, lunch, lunch);
  assert.equal(nextBestMoment(new Date('2026-03-02T15:00:00Z'), zone, best).toISOString(), '2026-03-03T01:00:00.000Z');
  assert.equal(nextBestMoment(new Date('2026-03-03T02:00:00Z'), zone, best).toISOString(), '2026-03-04T01:00:00.000Z');
});

forEachDialect('who to call first, AI tasks and send times', (world) => {
  let scope: Scope;
  const ids: Record<string, string> = {};
  before(async () => {
    const { ctx, clock } = world();
    scope = await makeBusiness(ctx, { timeZone: 'America/Chicago' });
    ids.rep1 = (await createUser(ctx, scope, { email: 'rep1@example.com', name: 'Rep One', role: 'technician' })).id;
    ids.rep2 = (await createUser(ctx, scope, { email: 'rep2@example.com', name: 'Rep Two', role: 'technician' })).id;
    const now = clock.now().getTime();
    const lead = async (name: string, phone: string, owner: string, daysAgo: number) => {
      const c = await createContact(ctx, scope, { name, phone, ownerUserId: owner });
      await interactions.create(ctx, scope, { contactId: c.id, kind: 'sms', direction: 'inbound', body: 'need AC fixed', occurredAt: new Date(now - daysAgo * DAY).toISOString(), metadata: { inquiry: true, service: 'ac_repair', urgency: 'routine' } });
      return c.id;
    };
    ids.fresh = await lead('Fresh Lead', '512-555-0121', ids.rep1, 0.1);
    ids.old = await lead('Older Lead', '512-555-0122', ids.rep2, 10);
    // A deal opened 20 days ago and never touched since.
    clock.set(new Date(now - 20 * DAY));
    ids.dealContact = (await createContact(ctx, scope, { name: 'Deal Contact', phone: '512-555-0123', ownerUserId: ids.rep1 })).id;
    ids.deal = (await deals.create(ctx, scope, { contactId: ids.dealContact, title: 'New furnace', amountCents: 500_000, ownerUserId: ids.rep1 })).id;
    clock.set(new Date(now));
  });

  test('the queue ranks open leads and deals by expected value, with reasons, per rep', async () => {
    const all = (await callQueue(world().ctx, scope, {})).data;
    const order = all.map((i) => i.contactId);
    assert.ok(order.indexOf(ids.fresh) < order.indexOf(ids.old), 'a fresh lead before a ten-day-old one');
    for (const item of all) {
      assert.ok(item.probability > 0 && item.probability < 1);
      assert.ok(item.expectedValueCents >= 0);
      assert.ok(item.reasons.length >= 3, JSON.stringify(item));
    }
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].expectedValueCents >= all[i].expectedValueCents);
    const deal = all.find((i) => i.dealId === ids.deal)!;
    assert.match(deal.reasons.join(' | '), /open deal "New furnace" worth \$5,000/);
    const mine = (await callQueue(world().ctx, scope, { userId: ids.rep1 })).data.map((i) => i.contactId);
    assert.deepEqual(new Set(mine), new Set([ids.fresh, ids.dealContact]));
    assert.deepEqual((await callQueue(world().ctx, scope, { userId: 'someone-else' })).data, []);
    for (const bad of [{ limit: 'ten' }, { limit: '0' }, { sort: 'name' }, { userId: '' }]) {
      await assert.rejects(callQueue(world().ctx, scope, bad), (e: Error & { code?: string }) => e.code === 'VALIDATION_FAILED', JSON.stringify(bad));
    }
  });

  test('a stalled deal becomes one task due next Monday 9:00 in the business zone, through the tasks domain with its event', async () => {
    const { ctx, db } = world();
    const first = await createAiTasks(ctx, scope);
    assert.equal(first.created, 1, JSON.stringify(first));
    const again = await createAiTasks(ctx, scope);
    assert.equal(again.created, 0, 'idempotent: one task per occurrence');
    const made = (await tasks.list(ctx, scope, { origin: 'ai' })).data;
    assert.equal(made.length, 1);
    const task = made[0];
    assert.equal(task.dealId, ids.deal);
    assert.equal(task.assigneeUserId, ids.rep1);
    assert.match(task.title, /Stalled deal: New furnace/);
    // The clock reads Monday 2026-03-02 09:00 in Chicago: the next Monday is 03-09, after the switch to daylight time.
    assert.equal(task.dueAt, '2026-03-09T14:00:00.000Z');
    const events = await db.kysely.selectFrom('events').select(['type', 'payload']).where('business_id', '=', scope.businessId).where('type', '=', 'task.created').execute();
    assert.ok(events.some((e) => JSON.parse(e.payload).taskId === task.id));
    // New activity on the deal ends the occurrence; silence again later is a new one.
    await interactions.create(ctx, scope, { contactId: ids.dealContact, kind: 'call', direction: 'outbound', userId: ids.rep1, body: 'checked in' });
    assert.equal((await createAiTasks(ctx, scope)).created, 0, 'just touched: not stalled');
  });

  test('send time from reply history, and a wait step that waits for the contact’s best hour', async () => {
    const { ctx, db, clock } = world();
    await createAutomation(ctx, scope, { definition: { name: 'Best time follow-up', trigger: { type: 'event', event: 'lead.created' }, purpose: 'marketing', exitOn: [], steps: [{ type: 'wait', bestTime: true }, { type: 'send_sms', body: 'Hi!' }] }, enabled: true });
    const c = await createContact(ctx, scope, { name: 'Night Owl', phone: '512-555-0130' });
    const zone = (await db.kysely.selectFrom('contacts').select('time_zone').where('id', '=', c.id).executeTakeFirstOrThrow()).time_zone ?? 'America/Chicago';
    for (let d = 1; d <= 8; d++) {
      const at = DateTime.fromJSDate(clock.now(), { zone }).minus({ days: d }).set({ hour: 19, minute: 30 }).toISO()!;
      await interactions.create(ctx, scope, { contactId: c.id, kind: 'sms', direction: 'inbound', body: 'ok', occurredAt: at });
    }
    const best = await sendTimeFor(db.kysely, clock.now(), scope, c.id);
    assert.equal(best.hour, 19);
    assert.equal(best.basis, 'contact');
    await runDueEnrollments(ctx, 'w1');
    const en = await db.kysely.selectFrom('enrollments').select(['next_run_at', 'status', 'last_error', 'id']).where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    const log = await db.kysely.selectFrom('enrollment_log').select(['outcome', 'detail']).where('enrollment_id', '=', en.id).execute();
    assert.ok(['active', 'waiting'].includes(en.status), JSON.stringify({ en, log }));
    const expected = DateTime.fromJSDate(clock.now(), { zone }).set({ hour: 19, minute: 0, second: 0, millisecond: 0 });
    assert.equal(new Date(en.next_run_at!).toISOString(), expected.toUTC().toISO());
  });
});
