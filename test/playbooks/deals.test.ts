import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deals } from '../../src/crm/deals/deals.ts';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { decideApproval } from '../../src/engine/manage.ts';
import { days, drain, enrollmentOf, freshPhone, later, messagesTo, newLead, nextWeekdayAt, runUntil, tasksFor, withDemo, type DemoWorld } from './demo-world.ts';

const smsOk = [{ channel: 'sms', status: 'granted', method: 'web_form' }];
const customer = (w: DemoWorld, firstName: string) => newLead(w, { firstName, phone: freshPhone(), lifecycleStage: 'customer', source: 'referral', consent: smsOk });

async function quoteSent(w: DemoWorld, contactId: string, title: string) {
  const deal = await deals.create(w.ctx, w.scope, { contactId, title, stage: 'qualified', amountCents: 850_000 });
  return deals.update(w.ctx, w.scope, deal.id, { stage: 'quote_sent' });
}

withDemo('playbook: quote follow-up', (world) => {
  test('a sent quote gets follow-ups at +2 and +5 days; still open after that, the owner gets a stalled-quote task', async () => {
    const w = world();
    const monday = await nextWeekdayAt(w, '10:00');
    assert.equal(monday.toISOString(), '2026-03-03T16:00:00.000Z');
    const c = await customer(w, 'Quinn');
    const deal = await quoteSent(w, c.id, 'Heat pump install');
    await runUntil(w, later(w, days(2) - 60_000));
    assert.equal((await messagesTo(w, c.id)).length, 0);
    await runUntil(w, later(w, days(12)));
    const sent = await messagesTo(w, c.id);
    assert.deepEqual(
      sent.map((m) => m.created_at),
      // Sent Tuesday 3 March 10:00: +2 days is Thursday 10:00; +5 days falls on Sunday, so it waits for Monday's opening (08:00 CDT).
      [new Date(monday.getTime() + days(2)).toISOString(), '2026-03-09T13:00:00.000Z'],
    );
    assert.match(sent[0].body, /Any questions about your quote for Heat pump install\?/);
    assert.ok(sent.every((m) => m.purpose === 'marketing'));
    const stalled = (await tasksFor(w, c.id)).filter((t) => t.kind === 'quote_stalled');
    assert.equal(stalled.length, 1);
    assert.equal(stalled[0].title, `Stalled quote: ${deal.title} for Quinn`);
    const owner = await w.db.kysely.selectFrom('users').select('id').where('business_id', '=', w.businessId).where('role', '=', 'owner').executeTakeFirstOrThrow();
    assert.equal(stalled[0].assignee_user_id, owner.id);
  });

  test('a reply stops the follow-ups and hands the question to a person', async () => {
    const w = world();
    await nextWeekdayAt(w, '10:00');
    const c = await customer(w, 'Rex');
    await quoteSent(w, c.id, 'Duct cleaning');
    await runUntil(w, later(w, days(2) + 60_000));
    assert.equal((await messagesTo(w, c.id)).length, 1);
    await interactions.create(w.ctx, w.scope, { contactId: c.id, kind: 'sms', direction: 'inbound', body: 'Is there financing?' });
    await runUntil(w, later(w, days(12)));
    assert.equal((await messagesTo(w, c.id)).length, 1);
    assert.deepEqual((await tasksFor(w, c.id)).map((t) => t.kind), ['quote_reply']);
  });

  test('a deal entered already at quote_sent gets the same follow-up; other stages do not', async () => {
    const w = world();
    await nextWeekdayAt(w, '10:00');
    const c = await customer(w, 'Tao');
    const other = await customer(w, 'Ulf');
    await deals.create(w.ctx, w.scope, { contactId: c.id, title: 'Mini-split', stage: 'quote_sent', amountCents: 420_000 });
    await deals.create(w.ctx, w.scope, { contactId: other.id, title: 'Just asking', stage: 'new' });
    await runUntil(w, later(w, days(2)));
    assert.match((await messagesTo(w, c.id))[0]?.body ?? '', /your quote for Mini-split/);
    assert.equal(await enrollmentOf(w, 'quote-follow-up', other.id), undefined);
  });

  test('winning the deal ends the follow-up', async () => {
    const w = world();
    await nextWeekdayAt(w, '10:00');
    const c = await customer(w, 'Sol');
    const deal = await quoteSent(w, c.id, 'Thermostat upgrade');
    await drain(w);
    await deals.update(w.ctx, w.scope, deal.id, { stage: 'won' });
    assert.equal((await enrollmentOf(w, 'quote-follow-up', c.id))?.exit_reason, 'deal_won');
    await runUntil(w, later(w, days(12)));
    assert.equal((await messagesTo(w, c.id)).filter((m) => /quote/.test(m.body)).length, 0);
    assert.equal((await tasksFor(w, c.id)).filter((t) => t.kind === 'quote_stalled').length, 0);
  });
});

withDemo('playbook: deal won → onboarding', (world) => {
  const roleOf = async (w: DemoWorld, userId: string | null) =>
    userId ? (await w.db.kysely.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirstOrThrow()).role : null;

  test('a discount under $500 is approved by rule: the team gets its tasks and the customer a welcome text at once', async () => {
    const w = world();
    await nextWeekdayAt(w, '10:00');
    const c = await customer(w, 'Tia');
    await deals.create(w.ctx, w.scope, { contactId: c.id, title: 'New furnace', stage: 'won', amountCents: 640_000, discountCents: 25_000 });
    await drain(w);
    const approval = await w.db.kysely.selectFrom('approvals').selectAll().where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    assert.equal(approval.status, 'auto_approved');
    assert.equal(approval.amount_cents, 25_000);
    const tasks = (await tasksFor(w, c.id)).filter((t) => t.kind === 'onboarding');
    assert.deepEqual(tasks.map((t) => t.title), ['Send the contract for New furnace to Tia', 'Schedule the work for New furnace', 'Order equipment and parts for New furnace']);
    assert.deepEqual(await Promise.all(tasks.map((t) => roleOf(w, t.assignee_user_id))), ['manager', 'agent', 'technician']);
    const welcome = await messagesTo(w, c.id);
    assert.equal(welcome.length, 1);
    assert.match(welcome[0].body, /^Welcome to Comfort Pro HVAC, Tia! Thanks for choosing us for New furnace\./);
  });

  test('a discount of $500 or more waits for a manager; approving releases the onboarding, rejecting gives the owner a task instead', async () => {
    const w = world();
    await nextWeekdayAt(w, '10:00');
    const big = await customer(w, 'Uma');
    const bigDeal = await deals.create(w.ctx, w.scope, { contactId: big.id, title: 'Whole-home AC', stage: 'negotiation', amountCents: 1_200_000, discountCents: 80_000 });
    await deals.update(w.ctx, w.scope, bigDeal.id, { stage: 'won' });
    await runUntil(w, later(w, days(1)));
    const pending = await w.db.kysely.selectFrom('approvals').selectAll().where('contact_id', '=', big.id).executeTakeFirstOrThrow();
    assert.equal(pending.status, 'pending');
    assert.equal(pending.approver_role, 'manager');
    assert.equal((await tasksFor(w, big.id)).length, 0, 'nothing happens before the decision');
    assert.equal((await messagesTo(w, big.id)).length, 0);
    await decideApproval(w.ctx, w.scope, pending.id, { decision: 'approve' }, 'manager');
    await drain(w);
    assert.equal((await tasksFor(w, big.id)).filter((t) => t.kind === 'onboarding').length, 3);
    assert.equal((await messagesTo(w, big.id)).length, 1);

    const other = await customer(w, 'Vic');
    await deals.create(w.ctx, w.scope, { contactId: other.id, title: 'Boiler swap', stage: 'won', amountCents: 900_000, discountCents: 60_000 });
    await drain(w);
    const second = await w.db.kysely.selectFrom('approvals').selectAll().where('contact_id', '=', other.id).executeTakeFirstOrThrow();
    await decideApproval(w.ctx, w.scope, second.id, { decision: 'reject', reason: 'margin too thin' }, 'manager');
    await drain(w);
    assert.deepEqual((await tasksFor(w, other.id)).map((t) => t.kind), ['discount_rejected']);
    assert.equal((await messagesTo(w, other.id)).length, 0, 'no welcome before terms are agreed');
  });
});
