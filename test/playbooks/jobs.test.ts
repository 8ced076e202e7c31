import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { days, drain, enrollmentOf, freshPhone, hours, later, messagesTo, newLead, nextWeekdayAt, runUntil, tasksFor, withDemo, type DemoWorld } from './demo-world.ts';

const newCustomer = (w: DemoWorld, input: Record<string, unknown>) => newLead(w, { lifecycleStage: 'customer', source: 'referral', ...input });
const reply = (w: DemoWorld, contactId: string, body: string) => interactions.create(w.ctx, w.scope, { contactId, kind: 'sms', direction: 'inbound', body });

async function ownerAlerts(w: DemoWorld, contactId: string) {
  return w.db.kysely
    .selectFrom('outbox')
    .innerJoin('users', 'users.id', 'outbox.user_id')
    .select(['outbox.body', 'outbox.channel', 'users.role'])
    .where('outbox.contact_id', '=', contactId)
    .execute();
}

withDemo('playbook: review request', (world) => {
  test('every customer is asked 2 hours after the job is completed, on their channel, with one reminder, then it stops', async () => {
    const w = world();
    await nextWeekdayAt(w, '09:00');
    // No consent of any kind on record: the request still goes (no gating, transactional).
    const customer = await newCustomer(w, { firstName: 'Gwen', phone: freshPhone() });
    await drain(w);
    const before = (await messagesTo(w, customer.id)).length;
    const job = await jobs.create(w.ctx, w.scope, { contactId: customer.id, serviceType: 'repair', status: 'completed', amountCents: 42_000 });
    await runUntil(w, later(w, hours(2) - 60_000));
    assert.equal((await messagesTo(w, customer.id)).length, before, 'nothing before the delay');
    await runUntil(w, later(w, 60_000));
    const asked = (await messagesTo(w, customer.id)).slice(before);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].channel, 'sms');
    assert.match(asked[0].body, /How did we do\? Reply with a rating from 1 to 5.*https:\/\//);
    const requested = await w.db.kysely.selectFrom('reviews').selectAll().where('contact_id', '=', customer.id).execute();
    assert.equal(requested.length, 1);
    assert.equal(requested[0].status, 'requested');
    assert.equal(requested[0].job_id, job.id);
    await runUntil(w, later(w, days(2)));
    const all = (await messagesTo(w, customer.id)).slice(before);
    assert.equal(all.length, 2, 'one reminder after 2 days');
    assert.match(all[1].body, /a quick reminder/);
    assert.equal(Date.parse(all[1].created_at) - Date.parse(all[0].created_at), days(2));
    await runUntil(w, later(w, days(10)));
    assert.equal((await messagesTo(w, customer.id)).slice(before).length, 2, 'no third message');
    assert.equal((await enrollmentOf(w, 'review-request', customer.id))?.status, 'completed');
  });

  test('a customer with only an email is asked by email', async () => {
    const w = world();
    await nextWeekdayAt(w, '09:00');
    const customer = await newCustomer(w, { firstName: 'Hal', email: 'hal.customer@example.com' });
    await drain(w);
    const before = (await messagesTo(w, customer.id)).length;
    await jobs.create(w.ctx, w.scope, { contactId: customer.id, serviceType: 'tune_up', status: 'completed' });
    await runUntil(w, later(w, hours(2)));
    const asked = (await messagesTo(w, customer.id)).slice(before);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].channel, 'email');
    assert.equal(asked[0].subject, 'How did we do, Hal?');
  });

  test('a customer who writes to us by email is asked by email, though they have a mobile number', async () => {
    const w = world();
    await nextWeekdayAt(w, '09:00');
    const customer = await newCustomer(w, { firstName: 'Ida', phone: freshPhone(), email: 'ida.customer@example.com' });
    await interactions.create(w.ctx, w.scope, { contactId: customer.id, kind: 'email', direction: 'inbound', subject: 'Invoice', body: 'Could you email me the invoice?' });
    await jobs.create(w.ctx, w.scope, { contactId: customer.id, serviceType: 'repair', status: 'completed' });
    await runUntil(w, later(w, hours(2)));
    const asked = await messagesTo(w, customer.id);
    assert.deepEqual(asked.map((m) => [m.channel, m.to_address]), [['email', 'ida.customer@example.com']]);
  });

  test('a low rating is recorded as a review, alerts the owner and opens a task; the reminder is not sent', async () => {
    const w = world();
    await nextWeekdayAt(w, '09:00');
    const customer = await newCustomer(w, { firstName: 'Ivy', phone: freshPhone() });
    await jobs.create(w.ctx, w.scope, { contactId: customer.id, serviceType: 'repair', status: 'completed' });
    await runUntil(w, later(w, hours(3)));
    const before = (await messagesTo(w, customer.id)).length;
    await reply(w, customer.id, '2 - the tech was late and the unit is still not working');
    await drain(w);
    const received = await w.db.kysely.selectFrom('reviews').selectAll().where('contact_id', '=', customer.id).where('status', '=', 'received').execute();
    assert.equal(received.length, 1);
    assert.equal(received[0].rating, 2);
    assert.equal(received[0].platform, 'internal');
    const event = await w.db.kysely.selectFrom('events').select('payload').where('type', '=', 'review.received').where('contact_id', '=', customer.id).executeTakeFirst();
    assert.equal(JSON.parse(event!.payload).rating, 2, 'review.received feeds review velocity');
    const alerts = await ownerAlerts(w, customer.id);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].role, 'owner');
    assert.match(alerts[0].body, /Unhappy reply from Ivy .*"2 - the tech was late/);
    const tasks = (await tasksFor(w, customer.id)).filter((t) => t.kind === 'negative_review');
    assert.equal(tasks.length, 1);
    await runUntil(w, later(w, days(4)));
    assert.equal((await messagesTo(w, customer.id)).length, before, 'no reminder after a reply');
  });

  test('negative words alert the owner even without a number; a happy rating is recorded with no alert', async () => {
    const w = world();
    await nextWeekdayAt(w, '09:00');
    const upset = await newCustomer(w, { firstName: 'Jon', phone: freshPhone() });
    const happy = await newCustomer(w, { firstName: 'Kay', phone: freshPhone() });
    await jobs.create(w.ctx, w.scope, { contactId: upset.id, serviceType: 'repair', status: 'completed' });
    await jobs.create(w.ctx, w.scope, { contactId: happy.id, serviceType: 'repair', status: 'completed' });
    await runUntil(w, later(w, hours(2) + 60_000));
    await reply(w, upset.id, 'Honestly disappointed, I felt overcharged');
    await reply(w, happy.id, '5 stars, great job!');
    await drain(w);
    assert.equal((await ownerAlerts(w, upset.id)).length, 1);
    assert.equal((await ownerAlerts(w, happy.id)).length, 0);
    const happyReview = await w.db.kysely.selectFrom('reviews').select(['rating', 'status']).where('contact_id', '=', happy.id).where('status', '=', 'received').executeTakeFirstOrThrow();
    assert.equal(happyReview.rating, 5);
    assert.equal((await tasksFor(w, happy.id)).filter((t) => t.kind === 'negative_review').length, 0);
  });
});

/** hh:mm on the given day in Chicago, as a Date. */
const local = (d: Date, dayOffset: number, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromJSDate(d, { zone: 'America/Chicago' }).plus({ days: dayOffset }).set({ hour: h, minute: m, second: 0, millisecond: 0 }).toJSDate();
};

withDemo('playbook: appointment reminders', (world) => {
  async function booked(w: DemoWorld, name: string, start: Date) {
    const c = await newLead(w, { firstName: name, phone: freshPhone() });
    await drain(w);
    const job = await jobs.create(w.ctx, w.scope, { contactId: c.id, serviceType: 'tune_up', scheduledStart: start.toISOString(), scheduledEnd: new Date(start.getTime() + hours(2)).toISOString() });
    const speedToLead = (await messagesTo(w, c.id)).length;
    return { c, job, reminders: async () => (await messagesTo(w, c.id)).slice(speedToLead) };
  }

  test('24 h and 2 h before; replying C confirms the job', async () => {
    const w = world();
    const monday = await nextWeekdayAt(w, '09:00');
    const start = local(monday, 3, '14:00');
    const { c, job, reminders } = await booked(w, 'Lou', start);
    await runUntil(w, new Date(start.getTime() - hours(24) - 60_000));
    assert.equal((await reminders()).length, 0);
    await runUntil(w, new Date(start.getTime() - hours(24)));
    const first = await reminders();
    assert.equal(first.length, 1);
    assert.equal(first[0].created_at, new Date(start.getTime() - hours(24)).toISOString());
    assert.match(first[0].body, /Maintenance tune-up appointment with Comfort Pro HVAC on \w+day \w+ \d+ at 2:00 PM\. Reply C to confirm or R to reschedule\./);
    await runUntil(w, later(w, hours(1)));
    await reply(w, c.id, 'C');
    await drain(w);
    const row = await w.db.kysely.selectFrom('jobs').select(['confirmed_at', 'status']).where('id', '=', job.id).executeTakeFirstOrThrow();
    assert.equal(row.confirmed_at, w.clock.now().toISOString());
    const afterConfirm = await reminders();
    assert.equal(afterConfirm.length, 2);
    assert.match(afterConfirm[1].body, /^Thanks, you are confirmed for/);
    await runUntil(w, start);
    const all = await reminders();
    assert.equal(all.length, 3);
    assert.equal(all[2].created_at, new Date(start.getTime() - hours(2)).toISOString());
    assert.match(all[2].body, /See you soon/);
    await jobs.update(w.ctx, w.scope, job.id, { status: 'completed' });
    await runUntil(w, later(w, hours(30)));
    assert.equal((await reminders()).filter((m) => /missed you/.test(m.body)).length, 0, 'no no-show message for a completed job');
    assert.equal((await enrollmentOf(w, 'appointment-reminders', c.id))?.status, 'completed');
  });

  test('replying R asks for a reschedule: a task for the office, the booking link, and no 2-hour reminder', async () => {
    const w = world();
    const monday = await nextWeekdayAt(w, '09:00');
    const start = local(monday, 2, '10:00');
    const { c, reminders } = await booked(w, 'May', start);
    await runUntil(w, new Date(start.getTime() - hours(23)));
    await reply(w, c.id, "R - can't make it, something came up");
    await drain(w);
    const tasks = await tasksFor(w, c.id);
    assert.deepEqual(tasks.filter((t) => t.kind === 'reschedule').map((t) => t.title), ['Reschedule May (Maintenance tune-up)']);
    await runUntil(w, start);
    const sent = await reminders();
    assert.equal(sent.length, 2);
    assert.match(sent[1].body, /Pick a new time here: http:\/\/localhost:3000\/book\//);
  });

  test('a no-show gets a follow-up with the booking link and a task', async () => {
    const w = world();
    const monday = await nextWeekdayAt(w, '09:00');
    const start = local(monday, 1, '15:00');
    const { c, job, reminders } = await booked(w, 'Ned', start);
    await runUntil(w, new Date(start.getTime() + hours(3)));
    assert.equal((await reminders()).length, 2, 'two reminders');
    await jobs.update(w.ctx, w.scope, job.id, { status: 'no_show' });
    await drain(w);
    const sent = await reminders();
    assert.equal(sent.length, 3);
    assert.match(sent[2].body, /we missed you today\. Want to pick another time\? http:\/\/localhost:3000\/book\//);
    assert.equal((await tasksFor(w, c.id)).filter((t) => t.kind === 'no_show').length, 1);
  });

  test('booked less than 24 h ahead: the day-before reminder is skipped, the 2-hour one still goes', async () => {
    const w = world();
    const monday = await nextWeekdayAt(w, '09:00');
    const start = local(monday, 0, '16:00');
    const { reminders } = await booked(w, 'Oli', start);
    await runUntil(w, start);
    const sent = await reminders();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].created_at, new Date(start.getTime() - hours(2)).toISOString());
  });

  test('rescheduling the job moves the reminders; cancelling it stops them', async () => {
    const w = world();
    const monday = await nextWeekdayAt(w, '09:00');
    const start = local(monday, 2, '11:00');
    const moved = local(monday, 3, '13:00');
    const { job, reminders } = await booked(w, 'Pia', start);
    await drain(w);
    await jobs.update(w.ctx, w.scope, job.id, { scheduledStart: moved.toISOString(), scheduledEnd: new Date(moved.getTime() + hours(2)).toISOString() });
    await runUntil(w, new Date(moved.getTime() - hours(24)));
    const sent = await reminders();
    assert.equal(sent.length, 1);
    assert.equal(sent[0].created_at, new Date(moved.getTime() - hours(24)).toISOString(), 'the day-before reminder follows the new time');
    const other = await booked(w, 'Quin', local(monday, 4, '09:00'));
    await jobs.update(w.ctx, w.scope, other.job.id, { status: 'cancelled' });
    assert.equal((await enrollmentOf(w, 'appointment-reminders', other.c.id))?.exit_reason, 'job_cancelled');
    await runUntil(w, local(monday, 5, '09:00'));
    assert.equal((await other.reminders()).length, 0);
  });
});
