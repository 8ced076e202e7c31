import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Scope } from '../../src/context.ts';
import { bookSlot } from '../../src/booking/book.ts';
import { findAvailability } from '../../src/booking/find-slots.ts';
import { getTechnicianSchedule, setTechnicianSchedule } from '../../src/booking/schedules.ts';
import { getBookingSettings, updateBookingSettings } from '../../src/booking/settings.ts';
import { jobs } from '../../src/crm/jobs/jobs.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { AppError } from '../../src/lib/errors.ts';
import { forEachDialect } from '../helpers/db.ts';
import { makeCustomer, makeShop, makeTechnician, ONE_SLOT_WEEK, THE_SLOT } from './helpers.ts';

const rejectsWith = async (p: Promise<unknown>, code: string, field?: string) => {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AppError, String(err));
    assert.equal(err.code, code, err.message);
    if (field) assert.match(err.message, new RegExp(field));
    return true;
  });
};

forEachDialect('booking: availability, schedules, settings', (world) => {
  let scope: Scope;
  let tech: string;
  test('setup', async () => {
    scope = await makeShop(world().ctx);
    tech = await makeTechnician(world().ctx, scope);
  });

  test('availability follows hours, duration, notice and existing jobs', async () => {
    const { ctx } = world();
    // Now is Mon 09:00 Chicago; default notice 2 h, step 30 min, buffer 30 min.
    const slots = await findAvailability(ctx, scope, { serviceType: 'ac_repair', from: '2026-03-02T06:00:00Z', to: '2026-03-03T06:00:00Z' });
    assert.equal(slots[0].start, '2026-03-02T17:00:00.000Z', 'first start is 11:00 local (2 h notice)');
    assert.equal(slots.at(-1)!.start, '2026-03-02T21:00:00.000Z', 'last start is 15:00 local (ends at closing)');
    assert.ok(slots.every((s) => s.technicianId === tech && Date.parse(s.end) - Date.parse(s.start) === 2 * 3_600_000));
    await jobs.create(ctx, scope, { serviceType: 'tune_up', technicianUserId: tech, scheduledStart: '2026-03-02T19:00:00Z', scheduledEnd: '2026-03-02T20:00:00Z' });
    const after = await findAvailability(ctx, scope, { serviceType: 'ac_repair', from: '2026-03-02T06:00:00Z', to: '2026-03-03T06:00:00Z' });
    assert.deepEqual(after.map((s) => s.start.slice(11, 16)), ['20:30', '21:00'], 'a 13:00–14:00 job (+30 min buffer) leaves 14:30 and 15:00 local');
  });

  test('bad queries name the field', async () => {
    const { ctx } = world();
    await rejectsWith(findAvailability(ctx, scope, { serviceType: 'pool_cleaning' }), 'VALIDATION_FAILED', 'serviceType');
    await rejectsWith(findAvailability(ctx, scope, {}), 'VALIDATION_FAILED', 'serviceType');
    await rejectsWith(findAvailability(ctx, scope, { serviceType: 'ac_repair', from: 'yesterday' }), 'VALIDATION_FAILED', 'from');
    await rejectsWith(findAvailability(ctx, scope, { serviceType: 'ac_repair', from: '2026-03-05T00:00:00Z', to: '2026-03-04T00:00:00Z' }), 'VALIDATION_FAILED', 'to');
    await rejectsWith(findAvailability(ctx, scope, { serviceType: 'ac_repair', from: '2026-03-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }), 'VALIDATION_FAILED', 'to');
  });

  test('technician schedules: defaults, replace, days off, validation, other business', async () => {
    const { ctx } = world();
    assert.deepEqual(await getTechnicianSchedule(ctx, scope, tech), { userId: tech, weeklyHours: null, daysOff: [], updatedAt: null });
    const set = await setTechnicianSchedule(ctx, scope, tech, { weeklyHours: ONE_SLOT_WEEK, daysOff: ['2026-03-10', '2026-03-10'] });
    assert.deepEqual(set.daysOff, ['2026-03-10']);
    const slots = await findAvailability(ctx, scope, { serviceType: 'ac_repair', from: '2026-03-02T06:00:00Z', to: '2026-03-12T06:00:00Z' });
    assert.deepEqual(slots.map((s) => s.start), [THE_SLOT], 'Tuesdays 08:00–10:00 only, and 10 March is a day off');
    await rejectsWith(setTechnicianSchedule(ctx, scope, tech, { weeklyHours: { mon: [{ open: '9am', close: '17:00' }] } }), 'VALIDATION_FAILED', 'weeklyHours.mon.0.open');
    await rejectsWith(setTechnicianSchedule(ctx, scope, tech, { weeklyHours: null, daysOff: ['2026-02-30'] }), 'VALIDATION_FAILED', 'daysOff.0');
    const other = await makeShop(ctx, 'Other Shop');
    await rejectsWith(getTechnicianSchedule(ctx, other, tech), 'NOT_FOUND');
    await rejectsWith(setTechnicianSchedule(ctx, other, tech, { weeklyHours: null }), 'NOT_FOUND');
    await setTechnicianSchedule(ctx, scope, tech, { weeklyHours: null });
  });

  test('booking settings: defaults, partial update, validation', async () => {
    const { ctx } = world();
    assert.deepEqual(await getBookingSettings(ctx, scope), { bufferMinutes: 30, slotStepMinutes: 30, minNoticeMinutes: 120, horizonDays: 14 });
    assert.deepEqual(await updateBookingSettings(ctx, scope, { bufferMinutes: 45 }), { bufferMinutes: 45, slotStepMinutes: 30, minNoticeMinutes: 120, horizonDays: 14 });
    await rejectsWith(updateBookingSettings(ctx, scope, { slotStepMinutes: 7 }), 'VALIDATION_FAILED', 'slotStepMinutes');
    await rejectsWith(updateBookingSettings(ctx, scope, { colour: 'red' }), 'VALIDATION_FAILED', 'colour');
    await updateBookingSettings(ctx, scope, { bufferMinutes: 30 });
  });
});

forEachDialect('booking: booking a slot', (world) => {
  let scope: Scope;
  let tech: string;
  test('setup', async () => {
    scope = await makeShop(world().ctx);
    tech = await makeTechnician(world().ctx, scope, 'Mike Tech');
    await setTechnicianSchedule(world().ctx, scope, tech, { weeklyHours: ONE_SLOT_WEEK });
  });

  test('creates a scheduled job from booking, emits job.scheduled, queues confirmations with an invite', async () => {
    const { ctx, db } = world();
    const contactId = await makeCustomer(ctx, scope, { sms: 'granted' });
    const result = await bookSlot(ctx, scope.businessId, contactId, { serviceType: 'ac_repair', start: '2026-03-03T08:00:00-06:00', notes: 'side gate code 1234' });
    assert.equal(result.job.status, 'scheduled');
    assert.equal(result.job.source, 'booking');
    assert.equal(result.job.technicianUserId, tech);
    assert.equal(result.job.scheduledStart, THE_SLOT);
    assert.equal(result.job.scheduledEnd, '2026-03-03T16:00:00.000Z');
    assert.match(result.job.notes ?? '', /gate code 1234/);
    const ev = await db.kysely.selectFrom('events').select(['type', 'subject_id']).where('business_id', '=', scope.businessId).where('type', '=', 'job.scheduled').where('subject_id', '=', result.job.id).execute();
    assert.equal(ev.length, 1);
    const claims = await db.kysely.selectFrom('booking_slot_claims').select('unit_start').where('job_id', '=', result.job.id).execute();
    assert.equal(claims.length, 30, '2 h job + 30 min buffer in 5-minute units');
    const out = await db.kysely.selectFrom('outbox').selectAll().where('contact_id', '=', contactId).orderBy('channel').execute();
    assert.deepEqual(out.map((o) => [o.channel, o.purpose, o.state]), [['email', 'transactional', 'queued'], ['sms', 'transactional', 'queued']]);
    assert.match(out[1].body, /Booked Air: you're booked for AC Repair on Tue, Mar 3 at 8:00 AM CST with Mike Tech\. To change or cancel: http.*\/book\//);
    const attachments = JSON.parse(out[0].attachments ?? '[]') as Array<{ filename: string; contentType: string; content: string }>;
    assert.equal(attachments.length, 1);
    assert.match(attachments[0].contentType, /^text\/calendar/);
    assert.match(attachments[0].content, /DTSTART:20260303T140000Z/);
    assert.match(attachments[0].content, new RegExp(`UID:${result.job.id}@`));
    assert.deepEqual(result.confirmations.sms.status, 'queued');
  });

  test('the slot is gone: the next booking gets CONFLICT with fresh slots', async () => {
    const { ctx } = world();
    const contactId = await makeCustomer(ctx, scope, { sms: 'granted' });
    await assert.rejects(bookSlot(ctx, scope.businessId, contactId, { serviceType: 'ac_repair', start: THE_SLOT }), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'CONFLICT');
      assert.match(err.message, /just booked/);
      const slots = (err.details as { slots: Array<{ start: string }> }).slots;
      assert.ok(slots.length > 0 && slots.every((s) => s.start !== THE_SLOT), 'fresh slots exclude the taken time');
      return true;
    });
  });

  test('a cancelled booking frees the time again', async () => {
    const { ctx } = world();
    const [booked] = (await jobs.list(ctx, scope, { status: 'scheduled', technicianUserId: tech })).data.filter((j) => j.scheduledStart === THE_SLOT);
    await jobs.update(ctx, scope, booked.id, { status: 'cancelled' });
    const contactId = await makeCustomer(ctx, scope, { sms: 'granted' });
    const again = await bookSlot(ctx, scope.businessId, contactId, { serviceType: 'ac_repair', start: THE_SLOT });
    assert.equal(again.job.scheduledStart, THE_SLOT);
  });

  test('an opted-out channel is skipped with the reason; bad input names the field', async () => {
    const { ctx } = world();
    await jobs.create(ctx, scope, { serviceType: 'tune_up', status: 'cancelled' }); // noise
    const contactId = await makeCustomer(ctx, scope, { sms: 'revoked' });
    const r = await bookSlot(ctx, scope.businessId, contactId, { serviceType: 'tune_up', start: '2026-03-17T14:00:00Z' });
    assert.deepEqual(r.confirmations.sms, { status: 'skipped', reason: 'opted out of sms' });
    assert.equal(r.confirmations.email.status, 'queued');
    await rejectsWith(bookSlot(ctx, scope.businessId, contactId, { serviceType: 'tune_up' }), 'VALIDATION_FAILED', 'start');
    await rejectsWith(bookSlot(ctx, scope.businessId, contactId, { serviceType: 'tune_up', start: 'soon' }), 'VALIDATION_FAILED', 'start');
    await rejectsWith(bookSlot(ctx, scope.businessId, contactId, { serviceType: 'boiler', start: '2026-03-17T14:00:00Z' }), 'VALIDATION_FAILED', 'serviceType');
    await rejectsWith(bookSlot(ctx, scope.businessId, 'no-such-contact', { serviceType: 'tune_up', start: '2026-03-24T14:00:00Z' }), 'NOT_FOUND');
  });

  test('booking ends a follow-up sequence that exits on "booked"', async () => {
    const { ctx, db } = world();
    await createAutomation(ctx, scope, {
      enabled: true,
      definition: {
        name: 'Speed to lead',
        trigger: { type: 'event', event: 'lead.created' },
        exitOn: ['replied', 'booked', 'opted_out'],
        steps: [{ type: 'send_sms', body: 'Hi!' }, { type: 'wait', duration: 'P1D' }, { type: 'send_sms', body: 'Still there?' }],
      },
    });
    const contactId = await makeCustomer(ctx, scope, { sms: 'granted' });
    const before = await db.kysely.selectFrom('enrollments').select(['status']).where('contact_id', '=', contactId).execute();
    assert.deepEqual(before.map((e) => e.status), ['active']);
    await bookSlot(ctx, scope.businessId, contactId, { serviceType: 'tune_up', start: '2026-03-24T14:00:00Z' });
    const after = await db.kysely.selectFrom('enrollments').select(['status', 'exit_reason']).where('contact_id', '=', contactId).execute();
    assert.deepEqual(after, [{ status: 'exited', exit_reason: 'booked' }]);
  });
});

forEachDialect('booking: two people book the last slot at the same moment', (world) => {
  test('exactly one succeeds; the others get CONFLICT; one job, one set of claims', async () => {
    const { ctx, db } = world();
    const scope = await makeShop(ctx);
    const tech = await makeTechnician(ctx, scope);
    await setTechnicianSchedule(ctx, scope, tech, { weeklyHours: ONE_SLOT_WEEK });
    const contacts = await Promise.all([0, 1, 2, 3, 4, 5].map(() => makeCustomer(ctx, scope, { sms: 'granted' })));
    const results = await Promise.allSettled(contacts.map((c) => bookSlot(ctx, scope.businessId, c, { serviceType: 'ac_repair', start: THE_SLOT })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(ok.length, 1, JSON.stringify(failed.map((f) => String(f.reason))));
    assert.equal(failed.length, 5);
    for (const f of failed) {
      assert.ok(f.reason instanceof AppError, String(f.reason));
      assert.equal(f.reason.code, 'CONFLICT');
      assert.ok(Array.isArray((f.reason.details as { slots: unknown[] }).slots));
    }
    const booked = await db.kysely.selectFrom('jobs').select('id').where('business_id', '=', scope.businessId).where('scheduled_start', '=', THE_SLOT).execute();
    assert.equal(booked.length, 1);
    const claims = await db.kysely.selectFrom('booking_slot_claims').select('job_id').where('business_id', '=', scope.businessId).execute();
    assert.deepEqual([...new Set(claims.map((c) => c.job_id))], [booked[0].id]);
  });
});
