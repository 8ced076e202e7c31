import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/access/users.ts';
import { createDevProvider } from '../../src/channels/dev-outbox.ts';
import { createSmtpEmailProvider } from '../../src/channels/smtp-email.ts';
import { deleteContact } from '../../src/crm/contacts/contacts.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { startSmtpStandin, type SmtpStandin } from '../helpers/smtp-standin.ts';
import { ONE_SLOT_WEEK, THE_SLOT } from './helpers.ts';

const services = [
  { key: 'ac_repair', name: 'AC Repair', durationMinutes: 120, avgTicketCents: 45000 },
  { key: 'tune_up', name: 'Tune-up', durationMinutes: 60, avgTicketCents: 12000 },
];
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

forEachDialect('booking over HTTP', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let tech: string;
  let smtp: SmtpStandin;
  const api = () => client(app, t.key);
  const pathOf = (url: string) => new URL(url).pathname;
  const newContact = async (n: number) => {
    const res = await api().post('/contacts', { firstName: 'Rita', lastName: `Booker${n}`, phone: `+1512555${3000 + n}`, email: `rita${n}@customer.example`, consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const linkFor = async (contactId: string) => {
    const res = await api().post(`/contacts/${contactId}/booking-link`);
    assert.equal(res.statusCode, 200, res.body);
    return pathOf(res.json().url as string);
  };

  before(async () => {
    app = await makeApi(world().ctx);
    smtp = await startSmtpStandin();
    t = await makeTenant(world().ctx, 'Comfort Booking HVAC');
    assert.equal((await api().patch('/business', { services, phone: '+15125550100', email: 'office@comfort.example' })).statusCode, 200);
    tech = (await createUser(world().ctx, t.scope, { email: `tech-${t.scope.businessId.slice(-8)}@comfort.example`, name: 'Dana Tech', role: 'technician' })).id;
  });
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  test('GET /availability lists slots; bad input names the field', async () => {
    const res = await api().get('/availability?serviceType=tune_up&from=2026-03-02T06:00:00Z&to=2026-03-03T06:00:00Z');
    assert.equal(res.statusCode, 200, res.body);
    const data = res.json().data as Array<{ start: string; end: string; technicianId: string }>;
    assert.ok(data.length > 0);
    assert.deepEqual(Object.keys(data[0]).sort(), ['end', 'start', 'technicianId']);
    assert.equal(data[0].technicianId, tech);
    for (const [q, field] of [['', 'serviceType'], ['serviceType=sauna', 'serviceType'], ['serviceType=tune_up&to=nope', 'to'], ['serviceType=tune_up&technicianId=nobody', 'technicianId']]) {
      const bad = await api().get(`/availability?${q}`);
      assert.equal(bad.statusCode, 400, `${q}: ${bad.body}`);
      assert.match(bad.json().error.message, new RegExp(field));
    }
    const missing = await api().get('/availability');
    assert.match(missing.json().error.message, /serviceType.*is required/);
    assert.doesNotMatch(missing.body, /received undefined/);
    assert.equal((await client(app, null).get('/availability?serviceType=tune_up')).statusCode, 401);
    const openapi = await client(app, null).get('/openapi.json');
    assert.equal(openapi.statusCode, 200);
    assert.ok(openapi.json().paths['/availability'] && openapi.json().paths['/book/{token}'], 'booking routes are documented');
  });

  test('technician schedule and booking settings over the API', async () => {
    const put = await api().put(`/users/${tech}/schedule`, { weeklyHours: ONE_SLOT_WEEK, daysOff: ['2026-03-10'] });
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual((await api().get(`/users/${tech}/schedule`)).json().weeklyHours.tue, [{ open: '08:00', close: '10:00' }]);
    const bad = await api().put(`/users/${tech}/schedule`, { weeklyHours: { tue: [{ open: '10:00', close: '08:00' }] } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /weeklyHours\.tue\.0/);
    assert.equal((await api().put('/booking/settings', { horizonDays: 0 })).statusCode, 400);
    assert.equal((await api().get('/booking/settings')).json().horizonDays, 14);
    assert.equal((await api().get('/users/nobody/schedule')).statusCode, 404);
  });

  test('the booking page: HTML for a phone, no login, business time zone', async () => {
    const contactId = await newContact(1);
    const path = await linkFor(contactId);
    assert.match(path, /^\/book\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const page = await app.inject({ method: 'GET', url: `${path}?service=ac_repair` });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.headers['content-type'] as string, /text\/html/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.match(page.body, /<html lang="en">/);
    assert.match(page.body, /name="viewport"/);
    assert.match(page.body, /Comfort Booking HVAC/);
    assert.match(page.body, /Hi Rita/);
    assert.match(page.body, /<legend>Tuesday, March 3<\/legend>/);
    assert.match(page.body, new RegExp(`<input type="radio" name="start" value="${THE_SLOT}"`));
    assert.match(page.body, />8:00 AM</, 'times in Chicago time');
    assert.match(page.body, /Confirm booking/);
    const slots = await app.inject({ method: 'GET', url: `${path}/slots?serviceType=ac_repair` });
    assert.equal(slots.statusCode, 200, slots.body);
    assert.deepEqual(slots.json(), { timeZone: 'America/Chicago', serviceType: 'ac_repair', data: [{ start: THE_SLOT, end: '2026-03-03T16:00:00.000Z' }] });
    const noService = await app.inject({ method: 'GET', url: `${path}/slots` });
    assert.equal(noService.statusCode, 400);
  });

  test('forged, expired and dead links get a clear 403/404 page', async () => {
    const { ctx, clock } = world();
    const contactId = await newContact(2);
    const path = await linkFor(contactId);
    const [payload, mac] = path.slice('/book/'.length).split('.');
    const forged = await app.inject({ method: 'GET', url: `/book/${payload}.${mac.slice(0, -3)}abc` });
    assert.equal(forged.statusCode, 403);
    assert.match(forged.body, /This booking link is not valid/);
    assert.match(forged.headers['content-type'] as string, /text\/html/);
    const garbage = await app.inject({ method: 'GET', url: '/book/not-a-token' });
    assert.equal(garbage.statusCode, 403);
    const forgedJson = await app.inject({ method: 'POST', url: `/book/${payload}.AAAAAAAAAAAAAAAAAAAAAA`, payload: { serviceType: 'ac_repair', start: THE_SLOT } });
    assert.equal(forgedJson.statusCode, 403);
    assert.equal(forgedJson.json().error.code, 'FORBIDDEN');
    const saved = clock.now();
    clock.advance(31 * 86_400_000);
    const expired = await app.inject({ method: 'GET', url: path });
    clock.set(saved);
    assert.equal(expired.statusCode, 403);
    assert.match(expired.body, /expired/);
    await deleteContact(ctx, t.scope, contactId);
    const gone = await app.inject({ method: 'GET', url: path });
    assert.equal(gone.statusCode, 404);
    assert.match(gone.body, /no longer leads anywhere/);
  });

  test('two people book the last slot at the same moment: one 201, one 409 with fresh slots', async () => {
    const [c1, c2] = [await newContact(3), await newContact(4)];
    const [p1, p2] = [await linkFor(c1), await linkFor(c2)];
    const body = { serviceType: 'ac_repair', start: THE_SLOT };
    const results = await Promise.all([p1, p2].map((url) => app.inject({ method: 'POST', url, payload: body })));
    const codes = results.map((r) => r.statusCode).sort();
    assert.deepEqual(codes, [201, 409], results.map((r) => r.body).join('\n'));
    const won = results.find((r) => r.statusCode === 201)!.json();
    assert.equal(won.job.status, 'scheduled');
    assert.equal(won.job.source, 'booking');
    assert.equal(won.job.technicianUserId, tech);
    const lost = results.find((r) => r.statusCode === 409)!.json();
    assert.equal(lost.error.code, 'CONFLICT');
    assert.match(lost.error.message, /just booked/);
    assert.ok(Array.isArray(lost.error.details.slots));
    assert.ok(!lost.error.details.slots.some((s: { start: string }) => s.start === THE_SLOT));
    const jobs = (await api().get(`/jobs?technicianUserId=${tech}&status=scheduled`)).json().data as Array<{ scheduledStart: string }>;
    assert.equal(jobs.filter((j) => j.scheduledStart === THE_SLOT).length, 1);
  });

  test('booking from the HTML form, a 409 page when taken, and cancelling from the link', async () => {
    await api().put(`/users/${tech}/schedule`, { weeklyHours: null });
    const contactId = await newContact(5);
    const path = await linkFor(contactId);
    const start = '2026-03-04T15:00:00.000Z'; // Wed 09:00 Chicago
    const res = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ serviceType: 'tune_up', start }) });
    assert.equal(res.statusCode, 201, res.body);
    assert.match(res.body, /You are booked/);
    assert.match(res.body, /Wednesday, March 4, 9:00 AM–10:00 AM CST/);
    assert.match(res.body, /Dana Tech/);
    const again = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ serviceType: 'tune_up', start }) });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /role="alert">Sorry, that time was just booked/);
    assert.match(again.body, /name="start"/, 'the page offers fresh times');
    const missing = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ serviceType: 'tune_up' }) });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /start: /);

    const page = await app.inject({ method: 'GET', url: path });
    assert.match(page.body, /Your upcoming appointments/);
    const jobId = /name="jobId" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(jobId);
    const cancel = await app.inject({ method: 'POST', url: `${path}/cancel`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ jobId }) });
    assert.equal(cancel.statusCode, 200, cancel.body);
    assert.match(cancel.body, /cancelled/);
    assert.equal((await api().get(`/jobs/${jobId}`)).json().status, 'cancelled');
    const events = (await api().get(`/events?type=job.cancelled&contactId=${contactId}`)).json().data;
    assert.equal(events.length, 1);
    const rebook = await app.inject({ method: 'POST', url: path, payload: { serviceType: 'tune_up', start } });
    assert.equal(rebook.statusCode, 201, 'the cancelled time is free again');
    const otherContactsJob = await app.inject({ method: 'POST', url: `${await linkFor(await newContact(6))}/cancel`, payload: { jobId: rebook.json().job.id } });
    assert.equal(otherContactsJob.statusCode, 404, "one contact's link cannot cancel another's booking");
  });

  test('moving a booking from the link: the new time may overlap the old one; the old job is cancelled', async () => {
    const { db } = world();
    const contactId = await newContact(7);
    const path = await linkFor(contactId);
    const first = await app.inject({ method: 'POST', url: path, payload: { serviceType: 'tune_up', start: '2026-03-05T15:00:00.000Z' } });
    assert.equal(first.statusCode, 201, first.body);
    const oldId = first.json().job.id as string;
    const page = await app.inject({ method: 'GET', url: `${path}?service=tune_up&reschedule=${oldId}` });
    assert.match(page.body, /Pick a new time for Tune-up/);
    assert.match(page.body, new RegExp(`name="rescheduleJobId" value="${oldId}"`));
    assert.match(page.body, /Move my booking/);
    // 08:00 Thursday would clash with the 09:00 booking plus its buffer; it is offered because that booking is the one moving.
    assert.ok(page.body.includes('value="2026-03-05T14:00:00.000Z"'), 'a time overlapping the booking being moved is offered');
    const plain = await app.inject({ method: 'GET', url: `${path}?service=tune_up` });
    assert.ok(!plain.body.includes('value="2026-03-05T14:00:00.000Z"'), 'without moving it, that time is busy');
    const moved = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ serviceType: 'tune_up', start: '2026-03-05T15:30:00.000Z', rescheduleJobId: oldId }) });
    assert.equal(moved.statusCode, 201, moved.body);
    assert.match(moved.body, /Your booking is moved/);
    assert.equal((await api().get(`/jobs/${oldId}`)).json().status, 'cancelled');
    const live = (await api().get(`/jobs?contactId=${contactId}&status=scheduled`)).json().data as Array<{ id: string; scheduledStart: string }>;
    assert.deepEqual(live.map((j) => j.scheduledStart), ['2026-03-05T15:30:00.000Z']);
    const claimJobs = await db.kysely.selectFrom('booking_slot_claims').select('job_id').where('job_id', 'in', [oldId, live[0].id]).execute();
    assert.deepEqual([...new Set(claimJobs.map((c) => c.job_id))], [live[0].id], 'only the new booking holds time');
    const stranger = await app.inject({ method: 'POST', url: await linkFor(await newContact(8)), payload: { serviceType: 'tune_up', start: '2026-03-05T18:00:00.000Z', rescheduleJobId: live[0].id } });
    assert.equal(stranger.statusCode, 404, "another contact's link cannot move this booking");
    assert.equal((await api().get(`/jobs/${live[0].id}`)).json().status, 'scheduled');
  });

  test('a link holds at most 3 upcoming bookings; the note from the form reaches the job', async () => {
    const contactId = await newContact(9);
    const path = await linkFor(contactId);
    for (const [i, start] of ['2026-03-06T15:00:00.000Z', '2026-03-06T17:00:00.000Z', '2026-03-06T19:00:00.000Z'].entries()) {
      const res = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ serviceType: 'tune_up', start, notes: i === 0 ? 'Dog in the yard' : '' }) });
      assert.equal(res.statusCode, 201, res.body);
    }
    const fourth = await app.inject({ method: 'POST', url: path, payload: { serviceType: 'tune_up', start: '2026-03-06T21:00:00.000Z' } });
    assert.equal(fourth.statusCode, 409);
    assert.match(fourth.json().error.message, /already have 3 upcoming appointments/);
    const booked = (await api().get(`/jobs?contactId=${contactId}`)).json().data as Array<{ notes: string }>;
    assert.equal(booked.length, 3);
    assert.ok(booked.some((j) => j.notes === 'Booked online. Customer note: Dog in the yard'), JSON.stringify(booked.map((j) => j.notes)));
  });

  test('the office books for a contact with the same guarantees (POST /contacts/:id/bookings)', async () => {
    const contactId = await newContact(10);
    const start = '2026-03-05T20:00:00.000Z';
    const res = await api().post(`/contacts/${contactId}/bookings`, { serviceType: 'tune_up', start, technicianId: tech, notes: 'called in' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().job.source, 'booking');
    assert.equal(res.json().job.technicianUserId, tech);
    const audit = (await api().get(`/audit?entityId=${res.json().job.id}`)).json().data as Array<{ actor: { type: string } }>;
    assert.equal(audit[0]?.actor.type, 'api_key', 'the audit names who booked');
    const again = await api().post(`/contacts/${await newContact(11)}/bookings`, { serviceType: 'tune_up', start });
    assert.equal(again.statusCode, 409);
    assert.ok(Array.isArray(again.json().error.details.slots));
    const bad = await api().post(`/contacts/${contactId}/bookings`, { serviceType: 'tune_up', start: 'tomorrow' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /^start: /);
    assert.equal((await api().post('/contacts/nobody/bookings', { serviceType: 'tune_up', start })).statusCode, 404);
  });

  test('the confirmation email reaches SMTP with a text/calendar invite', async () => {
    const { ctx } = world();
    const email = createSmtpEmailProvider({ url: smtp.url, from: 'Comfort <office@comfort.example>' }, { hostname: 'crm.example.com' });
    try {
      const sent = await dispatchQueued(ctx, { sms: createDevProvider('sms'), email }, { workerId: 'booking-test', limit: 500 });
      assert.ok(sent > 0);
    } finally {
      await email.close?.();
    }
    const confirmation = smtp.messages.find((m) => /Booking confirmed: AC Repair/.test(m.parsed.subject ?? ''));
    assert.ok(confirmation, smtp.messages.map((m) => m.parsed.subject).join(', '));
    const invite = confirmation.parsed.attachments.find((a) => a.contentType === 'text/calendar');
    assert.ok(invite, `parts: ${confirmation.parsed.attachments.map((a) => a.contentType).join(', ')}`);
    const ics = invite.content.toString('utf8');
    assert.match(ics, /BEGIN:VEVENT/);
    assert.match(ics, /METHOD:REQUEST/);
    assert.match(ics, /DTSTART:20260303T140000Z/);
    assert.match(confirmation.parsed.text ?? '', /To change or cancel: http:\/\/localhost:\d+\/book\//);
  });
});
