import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/access/users.ts';
import { calendarChange, calendarChangeOnDelete, queueCalendarUpdate, type CalendarInvite } from '../../src/booking/calendar.ts';
import { createDevProvider } from '../../src/channels/dev-outbox.ts';
import { createSmtpEmailProvider } from '../../src/channels/smtp-email.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { isoNow } from '../../src/lib/clock.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { startSmtpStandin, type SmtpStandin } from '../helpers/smtp-standin.ts';

const services = [
  { key: 'ac_repair', name: 'AC Repair', durationMinutes: 120, avgTicketCents: 45000 },
  { key: 'tune_up', name: 'Tune-up', durationMinutes: 60, avgTicketCents: 12000 },
];

interface OutboxRow {
  id: string;
  channel: string;
  idempotency_key: string;
  subject: string | null;
  body: string;
  attachments: string | null;
  not_before: string;
}

/** The one calendar file of an outbox email, unfolded (RFC 5545 folds long lines). */
const icsOf = (row: OutboxRow): { contentType: string; filename: string; ics: string } => {
  const list = JSON.parse(row.attachments ?? '[]') as Array<{ filename: string; contentType: string; content: string }>;
  assert.equal(list.length, 1, `one attachment on ${row.idempotency_key}`);
  return { contentType: list[0].contentType, filename: list[0].filename, ics: list[0].content.replace(/\r\n[ \t]/g, '') };
};
const field = (ics: string, name: string): string | undefined => new RegExp(`^${name}:(.*)$`, 'm').exec(ics)?.[1]?.trim();

describe('calendarChange: what the customer calendar needs after a job change', () => {
  const sent: CalendarInvite = { uid: 'j1@crm.example', sequence: 0, sms: true, start: '2026-03-04T15:00:00.000Z', end: '2026-03-04T16:00:00.000Z', technicianId: 't1', cancelled: false };
  type JobState = Parameters<typeof calendarChange>[1];
  const job: JobState = { status: 'scheduled', scheduledStart: sent.start, scheduledEnd: sent.end, technicianUserId: 't1' };
  const cases: Array<[string, CalendarInvite | null, Partial<JobState>, ReturnType<typeof calendarChange>]> = [
    ['no invite was sent: nothing', null, { status: 'cancelled' }, null],
    ['nothing that the entry shows changed', sent, {}, null],
    ['same instant written differently', sent, { scheduledStart: '2026-03-04T09:00:00-06:00' }, null],
    ['new start', sent, { scheduledStart: '2026-03-04T14:00:00.000Z' }, { kind: 'moved', start: '2026-03-04T14:00:00.000Z', end: sent.end, technicianId: 't1' }],
    ['new technician', sent, { technicianUserId: 't2' }, { kind: 'moved', start: sent.start, end: sent.end, technicianId: 't2' }],
    ['no end: the service duration', sent, { scheduledStart: '2026-03-05T15:00:00.000Z', scheduledEnd: null }, { kind: 'moved', start: '2026-03-05T15:00:00.000Z', end: '2026-03-05T16:30:00.000Z', technicianId: 't1' }],
    ['cancelled', sent, { status: 'cancelled' }, { kind: 'cancelled' }],
    ['cancelled again: already sent', { ...sent, cancelled: true }, { status: 'cancelled' }, null],
    ['scheduled again after a cancellation', { ...sent, cancelled: true }, {}, { kind: 'moved', start: sent.start, end: sent.end, technicianId: 't1' }],
    ['completed keeps the entry', sent, { status: 'completed', scheduledStart: '2026-03-04T17:00:00.000Z' }, null],
    ['no-show keeps the entry', sent, { status: 'no_show' }, null],
  ];
  for (const [name, invite, patch, expected] of cases) {
    test(name, () => assert.deepEqual(calendarChange(invite, { ...job, ...patch }, 90), expected));
  }
});

describe('calendarChangeOnDelete: deleting a job cancels an upcoming entry only', () => {
  const sent: CalendarInvite = { uid: 'j1@crm.example', sequence: 1, sms: true, start: '2026-03-04T15:00:00.000Z', end: '2026-03-04T16:00:00.000Z', technicianId: 't1', cancelled: false };
  const before = new Date('2026-03-04T14:59:00.000Z');
  const cases: Array<[string, CalendarInvite | null, Parameters<typeof calendarChangeOnDelete>[1]['status'], Date, ReturnType<typeof calendarChangeOnDelete>]> = [
    ['no invite was sent: nothing', null, 'scheduled', before, null],
    ['upcoming: cancelled', sent, 'scheduled', before, { kind: 'cancelled' }],
    ['starting now: already under way, nothing', sent, 'scheduled', new Date(sent.start), null],
    ['in the past: nothing', sent, 'scheduled', new Date('2026-03-05T00:00:00.000Z'), null],
    ['the entry was already cancelled: nothing', { ...sent, cancelled: true }, 'scheduled', before, null],
    ['a cancelled job: nothing', { ...sent, cancelled: true }, 'cancelled', before, null],
    ['completed: the entry stays', sent, 'completed', before, null],
    ['no-show: the entry stays', sent, 'no_show', before, null],
  ];
  for (const [name, invite, status, now, expected] of cases) {
    test(name, () => assert.deepEqual(calendarChangeOnDelete(invite, { status }, now), expected));
  }
});

forEachDialect('booking: the customer calendar follows moves and cancellations', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let tech: string;
  let tech2: string;
  let smtp: SmtpStandin;
  let n = 0;
  const api = () => client(app, t.key);
  const db = () => world().db.kysely;
  const newContact = async (opts: { sms?: 'granted' | 'revoked'; email?: boolean } = {}) => {
    n++;
    const res = await api().post('/contacts', {
      firstName: 'Cal',
      lastName: `Endar${n}`,
      phone: `+1512555${4000 + n}`,
      ...(opts.email === false ? {} : { email: `cal${n}@customer.example` }),
      consent: [{ channel: 'sms', status: opts.sms ?? 'granted', method: 'web_form' }],
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const book = async (contactId: string, start: string, serviceType = 'tune_up') => {
    const res = await api().post(`/contacts/${contactId}/bookings`, { serviceType, start, technicianId: tech });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().job as { id: string };
  };
  const outboxOf = (jobId: string) =>
    db().selectFrom('outbox').select(['id', 'channel', 'idempotency_key', 'subject', 'body', 'attachments', 'not_before']).where('idempotency_key', 'like', `booking:${jobId}:%`).orderBy('created_at').orderBy('channel').execute() as Promise<OutboxRow[]>;
  const updatesOf = async (jobId: string) => (await outboxOf(jobId)).filter((o) => o.idempotency_key.includes(':calendar:'));
  const confirmationEmail = async (jobId: string) => (await outboxOf(jobId)).find((o) => o.channel === 'email' && !o.idempotency_key.includes(':calendar:'))!;

  before(async () => {
    app = await makeApi(world().ctx);
    smtp = await startSmtpStandin();
    t = await makeTenant(world().ctx, 'Calendar Air');
    assert.equal((await api().patch('/business', { services, phone: '+15125550100', email: 'office@calendarair.example' })).statusCode, 200);
    tech = (await createUser(world().ctx, t.scope, { email: `t1-${t.scope.businessId.slice(-8)}@calendarair.example`, name: 'Dana Tech', role: 'technician' })).id;
    tech2 = (await createUser(world().ctx, t.scope, { email: `t2-${t.scope.businessId.slice(-8)}@calendarair.example`, name: 'Lee Tech', role: 'technician' })).id;
  });
  after(async () => {
    await app?.close();
    await smtp?.close();
  });

  test('PATCH /jobs moving a booked job: the same UID with SEQUENCE 1 and the new time, by email and a short text', async () => {
    const contactId = await newContact();
    const job = await book(contactId, '2026-03-04T15:00:00.000Z');
    const original = icsOf(await confirmationEmail(job.id));
    const uid = field(original.ics, 'UID');
    assert.equal(uid, `${job.id}@localhost`, 'the confirmation UID is the job id at the public host');
    assert.equal(field(original.ics, 'SEQUENCE') ?? '0', '0');
    assert.deepEqual(await updatesOf(job.id), [], 'no update before anything changes');

    const moved = await api().patch(`/jobs/${job.id}`, { scheduledStart: '2026-03-05T16:00:00.000Z', scheduledEnd: '2026-03-05T17:00:00.000Z' });
    assert.equal(moved.statusCode, 200, moved.body);
    const updates = await updatesOf(job.id);
    assert.deepEqual(updates.map((u) => [u.channel, u.idempotency_key]), [['email', `booking:${job.id}:calendar:1:email`], ['sms', `booking:${job.id}:calendar:1:sms`]]);
    const [email, sms] = updates;
    const { ics, contentType } = icsOf(email);
    assert.match(contentType, /^text\/calendar;.*method=REQUEST/);
    assert.equal(field(ics, 'METHOD'), 'REQUEST');
    assert.equal(field(ics, 'UID'), uid);
    assert.equal(field(ics, 'SEQUENCE'), '1');
    assert.equal(field(ics, 'DTSTART'), '20260305T160000Z');
    assert.equal(field(ics, 'DTEND'), '20260305T170000Z');
    assert.equal(email.subject, 'Booking changed: Tune-up on Thu, Mar 5 at 10:00 AM CST');
    assert.match(email.body, /Your Tune-up appointment with Calendar Air is now on Thu, Mar 5 at 10:00 AM CST with Dana Tech\./);
    assert.equal(sms.body, 'Calendar Air: your Tune-up appointment is now on Thu, Mar 5 at 10:00 AM CST with Dana Tech. Questions? Call +15125550100.');

    // Edits the calendar does not show send nothing; the same retried hook sends nothing twice.
    assert.equal((await api().patch(`/jobs/${job.id}`, { notes: 'gate code 4321', amountCents: 15000 })).statusCode, 200);
    const current = await jobs.get(world().ctx, t.scope, job.id);
    assert.equal(await world().db.transaction((trx) => queueCalendarUpdate(trx, t.scope, isoNow(world().clock), current)), null);
    assert.equal((await updatesOf(job.id)).length, 2);

    // Another technician: the next SEQUENCE, naming them.
    assert.equal((await api().patch(`/jobs/${job.id}`, { technicianUserId: tech2 })).statusCode, 200);
    const second = (await updatesOf(job.id)).filter((u) => u.idempotency_key.includes(':calendar:2:'));
    assert.equal(second.length, 2);
    assert.equal(field(icsOf(second.find((u) => u.channel === 'email')!).ics, 'SEQUENCE'), '2');
    assert.match(second.find((u) => u.channel === 'sms')!.body, /with Lee Tech\./);
  });

  test('PATCH /jobs cancelling a booked job: METHOD:CANCEL with STATUS:CANCELLED, sent once through SMTP even when dispatch runs again', async () => {
    const { ctx } = world();
    const contactId = await newContact();
    const job = await book(contactId, '2026-03-06T15:00:00.000Z', 'ac_repair');
    const uid = field(icsOf(await confirmationEmail(job.id)).ics, 'UID');
    assert.equal((await api().patch(`/jobs/${job.id}`, { status: 'cancelled' })).statusCode, 200);
    assert.equal((await api().patch(`/jobs/${job.id}`, { status: 'cancelled', notes: 'customer called' })).statusCode, 200);
    const updates = await updatesOf(job.id);
    assert.deepEqual(updates.map((u) => u.idempotency_key), [`booking:${job.id}:calendar:1:email`, `booking:${job.id}:calendar:1:sms`], 'one cancellation, not two');
    const { ics, contentType, filename } = icsOf(updates[0]);
    assert.match(contentType, /method=CANCEL/);
    assert.equal(filename, 'cancel.ics');
    assert.equal(field(ics, 'METHOD'), 'CANCEL');
    assert.equal(field(ics, 'STATUS'), 'CANCELLED');
    assert.equal(field(ics, 'UID'), uid);
    assert.equal(field(ics, 'SEQUENCE'), '1');
    assert.equal(field(ics, 'DTSTART'), '20260306T150000Z', 'the cancelled entry keeps its time');
    assert.equal(updates[0].subject, 'Booking cancelled: AC Repair on Fri, Mar 6 at 9:00 AM CST');
    assert.match(updates[1].body, /^Calendar Air: your AC Repair appointment on Fri, Mar 6 at 9:00 AM CST is cancelled\./);

    const email = createSmtpEmailProvider({ url: smtp.url, from: 'Calendar Air <office@calendarair.example>' }, { hostname: 'crm.example.com' });
    try {
      await dispatchQueued(ctx, { sms: createDevProvider('sms'), email }, { workerId: 'calendar-test', limit: 500 });
      await dispatchQueued(ctx, { sms: createDevProvider('sms'), email }, { workerId: 'calendar-test-2', limit: 500 });
    } finally {
      await email.close?.();
    }
    const received = smtp.messages.filter((m) => m.parsed.subject === 'Booking cancelled: AC Repair on Fri, Mar 6 at 9:00 AM CST');
    assert.equal(received.length, 1, 'delivered exactly once');
    const part = received[0].parsed.attachments.find((a) => a.contentType === 'text/calendar');
    assert.ok(part, `parts: ${received[0].parsed.attachments.map((a) => a.contentType).join(', ')}`);
    const delivered = part.content.toString('utf8').replace(/\r\n[ \t]/g, '');
    assert.equal(field(delivered, 'METHOD'), 'CANCEL');
    assert.equal(field(delivered, 'UID'), uid);
    assert.match(received[0].raw, /method=CANCEL/i, 'the MIME part says it is a cancellation');
  });

  test('moving through the booking link updates the same calendar entry; the replaced job sends no cancellation', async () => {
    const contactId = await newContact();
    const link = new URL((await api().post(`/contacts/${contactId}/booking-link`)).json().url as string).pathname;
    const first = await app.inject({ method: 'POST', url: link, payload: { serviceType: 'tune_up', start: '2026-03-09T15:00:00.000Z' } });
    assert.equal(first.statusCode, 201, first.body);
    const oldId = first.json().job.id as string;
    const uid = field(icsOf(await confirmationEmail(oldId)).ics, 'UID');
    const moved = await app.inject({ method: 'POST', url: link, payload: { serviceType: 'tune_up', start: '2026-03-10T19:00:00.000Z', rescheduleJobId: oldId } });
    assert.equal(moved.statusCode, 201, moved.body);
    const newId = moved.json().job.id as string;
    assert.notEqual(newId, oldId);
    assert.equal((await api().get(`/jobs/${oldId}`)).json().status, 'cancelled');
    assert.deepEqual(await updatesOf(oldId), [], 'the entry moved with the booking: no CANCEL for the old job');
    const confirmation = await confirmationEmail(newId);
    assert.equal(confirmation.subject, 'Booking moved: Tune-up on Tue, Mar 10 at 2:00 PM CDT');
    const { ics } = icsOf(confirmation);
    assert.equal(field(ics, 'METHOD'), 'REQUEST');
    assert.equal(field(ics, 'UID'), uid, 'same UID as the original invite');
    assert.equal(field(ics, 'SEQUENCE'), '1');
    assert.equal(field(ics, 'DTSTART'), '20260310T190000Z');
    const text = (await outboxOf(newId)).find((o) => o.channel === 'sms' && !o.idempotency_key.includes(':calendar:'))!;
    assert.match(text.body, /^Calendar Air: your Tune-up is moved to Tue, Mar 10 at 2:00 PM CDT/);

    // Cancelling the moved booking from the link cancels that same entry, one SEQUENCE on.
    const cancel = await app.inject({ method: 'POST', url: `${link}/cancel`, payload: { jobId: newId } });
    assert.equal(cancel.statusCode, 200, cancel.body);
    const [email] = await updatesOf(newId);
    assert.equal(email.idempotency_key, `booking:${newId}:calendar:2:email`);
    assert.equal(field(icsOf(email).ics, 'METHOD'), 'CANCEL');
    assert.equal(field(icsOf(email).ics, 'UID'), uid);
    assert.equal(field(icsOf(email).ics, 'SEQUENCE'), '2');
  });

  test('consent and what the confirmation sent decide the update: no invite, no update; no confirmation text, no text; opted out since, skipped', async () => {
    // No email address: the confirmation had no invite, so there is no calendar entry to update.
    const noEmail = await newContact({ email: false });
    const j1 = await book(noEmail, '2026-03-11T15:00:00.000Z');
    assert.equal((await outboxOf(j1.id)).map((o) => o.channel).join(), 'sms');
    assert.equal((await api().patch(`/jobs/${j1.id}`, { status: 'cancelled' })).statusCode, 200);
    assert.deepEqual(await updatesOf(j1.id), []);

    // Texts refused at booking: the update goes by email only.
    const noSms = await newContact({ sms: 'revoked' });
    const j2 = await book(noSms, '2026-03-11T17:00:00.000Z');
    assert.equal((await api().patch(`/jobs/${j2.id}`, { scheduledStart: '2026-03-12T17:00:00.000Z', scheduledEnd: '2026-03-12T18:00:00.000Z' })).statusCode, 200);
    assert.deepEqual((await updatesOf(j2.id)).map((u) => u.channel), ['email']);

    // Opted out of texts after booking: the email update goes, the text does not.
    const later = await newContact();
    const j3 = await book(later, '2026-03-11T19:00:00.000Z');
    assert.equal((await api().post(`/contacts/${later}/consent`, { channel: 'sms', status: 'revoked', method: 'sms_keyword' })).statusCode, 201);
    assert.equal((await api().patch(`/jobs/${j3.id}`, { status: 'cancelled' })).statusCode, 200);
    assert.deepEqual((await updatesOf(j3.id)).map((u) => u.channel), ['email']);

    // A job entered by staff never had an invite.
    const staff = await api().post('/jobs', { contactId: later, serviceType: 'tune_up', scheduledStart: '2026-03-13T15:00:00.000Z', scheduledEnd: '2026-03-13T16:00:00.000Z', technicianUserId: tech });
    assert.equal(staff.statusCode, 201, staff.body);
    assert.equal((await api().patch(`/jobs/${staff.json().id}`, { scheduledStart: '2026-03-13T16:00:00.000Z', scheduledEnd: '2026-03-13T17:00:00.000Z' })).statusCode, 200);
    assert.deepEqual(await outboxOf(staff.json().id), []);
  });

  test('DELETE /jobs of an upcoming booked job: the same CANCEL as a cancellation, queued in the delete, sent once through SMTP', async () => {
    const { ctx } = world();
    const contactId = await newContact();
    const job = await book(contactId, '2026-03-16T15:00:00.000Z', 'ac_repair');
    const uid = field(icsOf(await confirmationEmail(job.id)).ics, 'UID');

    // Another business cannot delete it, and nothing is sent when it tries.
    const other = await makeTenant(ctx, 'Other Air');
    assert.equal((await client(app, other.key).delete(`/jobs/${job.id}`)).statusCode, 404);
    assert.deepEqual(await updatesOf(job.id), []);

    const deleted = await api().delete(`/jobs/${job.id}`);
    assert.equal(deleted.statusCode, 204, deleted.body);
    assert.equal((await api().get(`/jobs/${job.id}`)).statusCode, 404);
    const updates = await updatesOf(job.id);
    assert.deepEqual(updates.map((u) => [u.channel, u.idempotency_key]), [['email', `booking:${job.id}:calendar:1:email`], ['sms', `booking:${job.id}:calendar:1:sms`]]);
    const { ics, contentType, filename } = icsOf(updates[0]);
    assert.match(contentType, /method=CANCEL/);
    assert.equal(filename, 'cancel.ics');
    assert.equal(field(ics, 'METHOD'), 'CANCEL');
    assert.equal(field(ics, 'STATUS'), 'CANCELLED');
    assert.equal(field(ics, 'UID'), uid, 'the entry the confirmation made');
    assert.equal(field(ics, 'SEQUENCE'), '1');
    assert.equal(field(ics, 'DTSTART'), '20260316T150000Z');
    assert.equal(updates[0].subject, 'Booking cancelled: AC Repair on Mon, Mar 16 at 10:00 AM CDT');
    assert.match(updates[1].body, /^Calendar Air: your AC Repair appointment on Mon, Mar 16 at 10:00 AM CDT is cancelled\./);
    // The deletion is audited with the job as it was; the cancellation rides in the same commit.
    const audit = await db().selectFrom('audit_log').select('action').where('entity_type', '=', 'job').where('entity_id', '=', job.id).orderBy('seq').execute();
    assert.equal(audit.at(-1)?.action, 'delete');

    // Deleting again is a 404 and sends nothing more; dispatch twice delivers the CANCEL once.
    assert.equal((await api().delete(`/jobs/${job.id}`)).statusCode, 404);
    assert.equal((await updatesOf(job.id)).length, 2);
    const email = createSmtpEmailProvider({ url: smtp.url, from: 'Calendar Air <office@calendarair.example>' }, { hostname: 'crm.example.com' });
    try {
      await dispatchQueued(ctx, { sms: createDevProvider('sms'), email }, { workerId: 'calendar-delete', limit: 500 });
      await dispatchQueued(ctx, { sms: createDevProvider('sms'), email }, { workerId: 'calendar-delete-2', limit: 500 });
    } finally {
      await email.close?.();
    }
    const received = smtp.messages.filter((m) => m.parsed.subject === 'Booking cancelled: AC Repair on Mon, Mar 16 at 10:00 AM CDT');
    assert.equal(received.length, 1, 'delivered exactly once');
    const part = received[0].parsed.attachments.find((a) => a.contentType === 'text/calendar');
    assert.ok(part);
    assert.equal(field(part.content.toString('utf8').replace(/\r\n[ \t]/g, ''), 'UID'), uid);
  });

  test('DELETE /jobs of a job already cancelled, completed or in the past sends nothing', async () => {
    const { clock } = world();
    // Cancelled first: its CANCEL went then; the delete adds nothing.
    const cancelled = await book(await newContact(), '2026-03-17T15:00:00.000Z');
    assert.equal((await api().patch(`/jobs/${cancelled.id}`, { status: 'cancelled' })).statusCode, 200);
    assert.equal((await updatesOf(cancelled.id)).length, 2);
    assert.equal((await api().delete(`/jobs/${cancelled.id}`)).statusCode, 204);
    assert.deepEqual((await updatesOf(cancelled.id)).map((u) => u.idempotency_key), [`booking:${cancelled.id}:calendar:1:email`, `booking:${cancelled.id}:calendar:1:sms`]);

    // Completed: the entry stays as a record of the visit.
    const completed = await book(await newContact(), '2026-03-17T17:00:00.000Z');
    assert.equal((await api().patch(`/jobs/${completed.id}`, { status: 'completed' })).statusCode, 200);
    assert.equal((await api().delete(`/jobs/${completed.id}`)).statusCode, 204);
    assert.deepEqual(await updatesOf(completed.id), []);

    // Its time has passed: there is nothing in the customer's future to remove.
    const past = await book(await newContact(), '2026-03-18T15:00:00.000Z');
    const was = clock.now().toISOString();
    try {
      clock.set('2026-03-18T16:00:00.000Z');
      assert.equal((await api().delete(`/jobs/${past.id}`)).statusCode, 204);
    } finally {
      clock.set(was);
    }
    assert.deepEqual(await updatesOf(past.id), []);

    // A job entered by staff never had an invite.
    const staff = await api().post('/jobs', { contactId: await newContact(), serviceType: 'tune_up', scheduledStart: '2026-03-19T15:00:00.000Z', scheduledEnd: '2026-03-19T16:00:00.000Z', technicianUserId: tech });
    assert.equal(staff.statusCode, 201, staff.body);
    assert.equal((await api().delete(`/jobs/${staff.json().id}`)).statusCode, 204);
    assert.deepEqual(await outboxOf(staff.json().id), []);
  });
});
