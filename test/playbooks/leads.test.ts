import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interactions } from '../../src/crm/interactions/interactions.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { handleInboundSms } from '../../src/engine/inbound.ts';
import { loadBusiness } from '../../src/crm/businesses/businesses.ts';
import { days, drain, nextWeekdayAt, enrollmentOf, freshPhone, hours, later, messagesTo, newLead, runUntil, tasksFor, withDemo } from './demo-world.ts';

/**
 * Speed to lead and missed-call text-back, end to end on the virtual clock
 * against the demo business (Comfort Pro HVAC, Chicago, open Mon–Fri 8–18,
 * Sat 9–13). The clock starts Monday 2 March 2026 09:00 local; US daylight
 * saving starts on Sunday 8 March.
 */
withDemo('playbook: speed to lead', (world) => {
  test('a new lead is texted at once, then at +1 h, the next morning, +3, +7 and +14 days in business hours, and the sequence ends', async () => {
    const w = world();
    const lead = await newLead(w, { firstName: 'Lena', phone: freshPhone() });
    await drain(w);
    const first = await messagesTo(w, lead.id);
    assert.equal(first.length, 1, 'the first text goes on the first run, with no wait');
    assert.equal(first[0].created_at, '2026-03-02T15:00:00.000Z');
    assert.equal(first[0].channel, 'sms');
    assert.ok(['sent', 'delivered'].includes(first[0].state), 'handed to the (dev) provider');
    assert.match(first[0].body, /^Hi Lena, thanks for reaching out to Comfort Pro HVAC!/);
    assert.match(first[0].body, /http:\/\/localhost:3000\/book\/[\w-]+\.[\w-]+/, 'carries the contact’s signed booking link');
    await runUntil(w, later(w, days(20)));
    const sent = await messagesTo(w, lead.id);
    assert.deepEqual(
      sent.map((m) => m.created_at),
      [
        '2026-03-02T15:00:00.000Z', // Mon 09:00 CST: within a minute
        '2026-03-02T16:00:00.000Z', // +1 h
        '2026-03-03T15:00:00.000Z', // next morning 09:00
        '2026-03-05T15:00:00.000Z', // +3 days (Thu 09:00)
        '2026-03-09T15:00:00.000Z', // +7 days (Mon, now 10:00 CDT)
        '2026-03-16T15:00:00.000Z', // +14 days
      ],
    );
    assert.ok(sent.every((m) => m.channel === 'sms' && m.to_address === lead.phone));
    const en = await enrollmentOf(w, 'speed-to-lead', lead.id);
    assert.equal(en?.status, 'completed');
  });

  test('a lead with no mobile number gets the sequence by email', async () => {
    const w = world();
    await nextWeekdayAt(w);
    const lead = await newLead(w, { firstName: 'Omar', email: 'omar.lead@example.com' });
    await drain(w);
    const sent = await messagesTo(w, lead.id);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].channel, 'email');
    assert.equal(sent[0].subject, 'Thanks for contacting Comfort Pro HVAC');
    assert.equal(sent[0].to_address, 'omar.lead@example.com');
  });

  test('a reply stops the sequence at once and gives a person a task', async () => {
    const w = world();
    await nextWeekdayAt(w);
    const lead = await newLead(w, { firstName: 'Rita', phone: freshPhone() });
    await runUntil(w, later(w, hours(1) + 60_000));
    assert.equal((await messagesTo(w, lead.id)).length, 2);
    await interactions.create(w.ctx, w.scope, { contactId: lead.id, kind: 'sms', direction: 'inbound', body: 'Yes, my AC is blowing warm air' });
    const en = await enrollmentOf(w, 'speed-to-lead', lead.id);
    assert.equal(en?.status, 'exited');
    assert.equal(en?.exit_reason, 'replied');
    const tasks = await tasksFor(w, lead.id);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0].kind, 'lead_replied');
    assert.equal(tasks[0].title, 'Lead replied: answer Rita');
    assert.ok(tasks[0].assignee_user_id, 'assigned to a person');
    await runUntil(w, later(w, days(16)));
    assert.equal((await messagesTo(w, lead.id)).length, 2, 'nothing more after the reply');
  });

  test('booking a job stops the sequence', async () => {
    const w = world();
    await nextWeekdayAt(w);
    const lead = await newLead(w, { firstName: 'Bea', phone: freshPhone() });
    await drain(w);
    await jobs.create(w.ctx, w.scope, { contactId: lead.id, serviceType: 'repair', scheduledStart: later(w, days(2)).toISOString(), scheduledEnd: later(w, days(2) + hours(2)).toISOString() });
    const en = await enrollmentOf(w, 'speed-to-lead', lead.id);
    assert.equal(en?.exit_reason, 'booked');
    await runUntil(w, later(w, days(1)));
    const texts = (await messagesTo(w, lead.id)).filter((m) => m.body.includes('reaching out') || m.body.includes('checking'));
    assert.equal(texts.length, 1, 'only the first text; the booking ended the follow-ups');
  });

  test('STOP opts the lead out and ends the sequence', async () => {
    const w = world();
    await nextWeekdayAt(w);
    const phone = freshPhone();
    const lead = await newLead(w, { firstName: 'Sam', phone });
    await drain(w);
    const business = await loadBusiness(w.db.kysely, w.businessId);
    const r = await handleInboundSms(w.ctx, business, { from: phone, body: 'STOP', messageSid: `SM${lead.id.replace(/-/g, '').slice(0, 32)}` });
    assert.equal(r.intent, 'opt_out');
    const en = await enrollmentOf(w, 'speed-to-lead', lead.id);
    assert.equal(en?.exit_reason, 'opted_out');
    assert.equal((await tasksFor(w, lead.id)).length, 0, 'an opt-out is not a reply to answer');
    await runUntil(w, later(w, days(3)));
    assert.equal((await messagesTo(w, lead.id)).length, 1);
  });

  test('a new lead who texts in first is answered within a minute; their next message is a reply', async () => {
    const w = world();
    await nextWeekdayAt(w);
    const phone = freshPhone();
    const business = await loadBusiness(w.db.kysely, w.businessId);
    const first = await handleInboundSms(w.ctx, business, { from: phone, body: 'Hi, do you service heat pumps?', messageSid: `SM${'1'.repeat(32)}` });
    await drain(w);
    const sent = await messagesTo(w, first.contactId);
    assert.equal(sent.length, 1);
    assert.match(sent[0].body, /^Hi there, thanks for reaching out to Comfort Pro HVAC!/);
    w.clock.set(later(w, 120_000));
    await handleInboundSms(w.ctx, business, { from: phone, body: 'A Trane, about 8 years old', messageSid: `SM${'2'.repeat(32)}` });
    assert.equal((await enrollmentOf(w, 'speed-to-lead', first.contactId))?.exit_reason, 'replied');
    assert.deepEqual((await tasksFor(w, first.contactId)).map((t) => t.kind), ['lead_replied']);
  });

  test('a lead arriving at night is answered when quiet hours end, never at night', async () => {
    const w = world();
    // Tuesday 17 March 22:30 CDT
    w.clock.set('2026-03-18T03:30:00Z');
    const lead = await newLead(w, { firstName: 'Nia', phone: freshPhone() });
    await runUntil(w, '2026-03-18T12:00:00Z');
    assert.equal((await messagesTo(w, lead.id)).length, 0);
    await runUntil(w, '2026-03-18T13:05:00Z');
    const sent = await messagesTo(w, lead.id);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].created_at, '2026-03-18T13:00:00.000Z', '08:00 CDT, the first minute texts are allowed');
  });
});

withDemo('playbook: missed-call text-back', (world) => {
  test('a missed call is texted back within a minute with a callback offer and booking link; no reply → a callback task', async () => {
    const w = world();
    const phone = freshPhone();
    const caller = await newLead(w, { firstName: 'Carl', phone, source: 'inbound_call' });
    await drain(w);
    assert.equal((await messagesTo(w, caller.id)).length, 0, 'speed to lead leaves missed callers to this playbook');
    w.clock.set(later(w, 30_000));
    await interactions.create(w.ctx, w.scope, { contactId: caller.id, kind: 'call', direction: 'inbound', outcome: 'missed' });
    await drain(w);
    const sent = await messagesTo(w, caller.id);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].created_at, w.clock.now().toISOString());
    assert.match(sent[0].body, /Sorry we missed your call! Reply here and we will call you right back, or book a time online: http:\/\/localhost:3000\/book\//);
    await runUntil(w, later(w, hours(1)));
    const tasks = await tasksFor(w, caller.id);
    assert.deepEqual(tasks.map((t) => t.kind), ['missed_call']);
    assert.equal(tasks[0].title, 'Call back Carl (missed call)');
    assert.equal((await messagesTo(w, caller.id)).length, 1, 'one text per missed call');
  });

  test('a reply to the text-back becomes a task and no callback task is added', async () => {
    const w = world();
    await nextWeekdayAt(w);
    const phone = freshPhone();
    const caller = await newLead(w, { firstName: 'Dina', phone, source: 'inbound_call' });
    await interactions.create(w.ctx, w.scope, { contactId: caller.id, kind: 'call', direction: 'inbound', outcome: 'abandoned' });
    await drain(w);
    assert.equal((await messagesTo(w, caller.id)).length, 1);
    await interactions.create(w.ctx, w.scope, { contactId: caller.id, kind: 'sms', direction: 'inbound', body: 'Furnace is out, please call' });
    await runUntil(w, later(w, hours(2)));
    assert.deepEqual((await tasksFor(w, caller.id)).map((t) => t.kind), ['missed_call_reply']);
  });
});
