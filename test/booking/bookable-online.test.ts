import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/access/users.ts';
import { bookSlot } from '../../src/booking/book.ts';
import { updateBusiness } from '../../src/crm/businesses/businesses.ts';
import { SERVICES } from '../../src/demo/catalog.ts';
import { AppError } from '../../src/lib/errors.ts';
import { client, makeApi, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';
import { TUESDAY_9PM, voiceApp, voiceBusiness, voiceContext } from '../voice/setup.ts';
import { SimulatedCall } from '../voice/twilio-caller.ts';

const services = [
  { key: 'tune_up', name: 'Tune-up', durationMinutes: 60, avgTicketCents: 12000 },
  { key: 'emergency', name: 'Emergency repair', durationMinutes: 120, avgTicketCents: 90000, bookableOnline: false },
  { key: 'duct_cleaning', name: 'Duct cleaning', durationMinutes: 60, avgTicketCents: 30000, bookableOnline: true },
];
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const START = '2026-03-04T15:00:00.000Z'; // Wed 09:00 Chicago

test('the demo business takes emergencies by phone only; every other demo service is bookable online', () => {
  assert.deepEqual(SERVICES.filter((s) => s.bookableOnline === false).map((s) => s.key), ['emergency_service']);
});

forEachDialect('booking: services not bookable online', (world) => {
  let app: FastifyInstance;
  let t: ApiTenant;
  let n = 0;
  const api = () => client(app, t.key);
  const newContact = async () => {
    n++;
    const res = await api().post('/contacts', { firstName: 'Em', lastName: `Ergency${n}`, phone: `+1512555${5000 + n}`, email: `em${n}@customer.example`, consent: [{ channel: 'sms', status: 'granted', method: 'web_form' }] });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };
  const linkFor = async (contactId: string) => new URL((await api().post(`/contacts/${contactId}/booking-link`)).json().url as string).pathname;
  const refusal = (body: { error: { code: string; message: string; details: { reason: string; serviceType: string; phone: string | null; issues: Array<{ field: string }> } } }) => {
    assert.equal(body.error.code, 'VALIDATION_FAILED');
    assert.equal(body.error.message, 'Emergency repair cannot be booked online. Please call Phone First HVAC at (512) 555-0100.');
    assert.equal(body.error.details.reason, 'not_bookable_online');
    assert.equal(body.error.details.serviceType, 'emergency');
    assert.equal(body.error.details.phone, '+15125550100');
    assert.equal(body.error.details.issues[0].field, 'serviceType');
  };

  before(async () => {
    app = await makeApi(world().ctx);
    t = await makeTenant(world().ctx, 'Phone First HVAC');
    const patched = await api().patch('/business', { services, phone: '+15125550100' });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json().services.map((s: { bookableOnline?: boolean }) => s.bookableOnline), [undefined, false, true], 'the flag is stored as given; absent means bookable');
    await createUser(world().ctx, t.scope, { email: `tech-${t.scope.businessId.slice(-8)}@phonefirst.example`, name: 'Pat Tech', role: 'technician' });
  });
  after(async () => app?.close());

  test('the flag is checked: not a boolean is refused', async () => {
    const bad = await api().patch('/business', { services: [{ ...services[0], bookableOnline: 'no' }] });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /services\.0\.bookableOnline/);
  });

  test('availability and the office booking API refuse it with a 400 naming the service and the number to call', async () => {
    const avail = await api().get('/availability?serviceType=emergency');
    assert.equal(avail.statusCode, 400, avail.body);
    refusal(avail.json());
    assert.equal((await api().get('/availability?serviceType=duct_cleaning')).statusCode, 200, 'bookableOnline: true is bookable');
    assert.ok((await api().get('/availability?serviceType=tune_up')).json().data.length > 0, 'no flag is bookable');
    const contactId = await newContact();
    const booked = await api().post(`/contacts/${contactId}/bookings`, { serviceType: 'emergency', start: START });
    assert.equal(booked.statusCode, 400, booked.body);
    refusal(booked.json());
    assert.equal((await api().get(`/jobs?contactId=${contactId}`)).json().data.length, 0, 'no job was created');
  });

  test('the booking page does not offer it; asking for it explains whom to call', async () => {
    const path = await linkFor(await newContact());
    const page = await app.inject({ method: 'GET', url: path });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /<option value="tune_up" selected>Tune-up<\/option>/);
    assert.match(page.body, /<option value="duct_cleaning">/);
    assert.doesNotMatch(page.body, /value="emergency"|Emergency repair/);
    const asked = await app.inject({ method: 'GET', url: `${path}?service=emergency` });
    assert.equal(asked.statusCode, 200);
    assert.match(asked.body, /role="alert">Emergency repair cannot be booked online\. Please call Phone First HVAC at \(512\) 555-0100\./);
    assert.doesNotMatch(asked.body, /<option value="emergency"/);
    const slots = await app.inject({ method: 'GET', url: `${path}/slots?serviceType=emergency` });
    assert.equal(slots.statusCode, 400);
    refusal(slots.json());
  });

  test("the page's POST refuses it: JSON gets the error, the form gets the page with the message", async () => {
    const contactId = await newContact();
    const path = await linkFor(contactId);
    const json = await app.inject({ method: 'POST', url: path, payload: { serviceType: 'emergency', start: START } });
    assert.equal(json.statusCode, 400, json.body);
    refusal(json.json());
    const html = await app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ serviceType: 'emergency', start: START }) });
    assert.equal(html.statusCode, 400);
    assert.match(html.headers['content-type'] as string, /text\/html/);
    assert.match(html.body, /role="alert">Emergency repair cannot be booked online\. Please call Phone First HVAC at \(512\) 555-0100\./);
    assert.equal((await api().get(`/jobs?contactId=${contactId}`)).json().data.length, 0);
  });

  test('a booking made before the service became phone-only can be cancelled from the link, not moved', async () => {
    const { ctx } = world();
    const contactId = await newContact();
    const path = await linkFor(contactId);
    await updateBusiness(ctx, t.scope, { services: services.map((s) => ({ ...s, bookableOnline: true })) });
    const booked = await bookSlot(ctx, t.scope.businessId, contactId, { serviceType: 'emergency', start: START });
    await updateBusiness(ctx, t.scope, { services });
    const page = await app.inject({ method: 'GET', url: path });
    assert.match(page.body, /Emergency repair<\/strong>/, 'listed among upcoming appointments');
    assert.doesNotMatch(page.body, /reschedule=/);
    assert.match(page.body, /To change the time, please call us at/);
    const move = await app.inject({ method: 'POST', url: path, payload: { serviceType: 'tune_up', start: '2026-03-05T15:00:00.000Z', rescheduleJobId: booked.job.id } });
    assert.equal(move.statusCode, 400, move.body);
    assert.match(move.json().error.message, /^Emergency repair cannot be booked online/);
    assert.equal((await api().get(`/jobs/${booked.job.id}`)).json().status, 'scheduled');
    const cancel = await app.inject({ method: 'POST', url: `${path}/cancel`, payload: { jobId: booked.job.id } });
    assert.equal(cancel.statusCode, 200, cancel.body);
    await assert.rejects(bookSlot(ctx, t.scope.businessId, contactId, { serviceType: 'emergency', start: START }), (err: unknown) => err instanceof AppError && err.code === 'VALIDATION_FAILED');
  });
});

forEachDialect('voice: a routine call for a phone-only service gets a call back, not a booking link', (world) => {
  let app: FastifyInstance;
  before(async () => {
    app = await voiceApp(voiceContext(world().ctx));
  });
  after(async () => app?.close());

  const run = async (bookableOnline: boolean) => {
    const ctx = voiceContext(world().ctx);
    world().clock.set(TUESDAY_9PM); // closed: the receptionist answers
    const b = await voiceBusiness(ctx);
    await updateBusiness(ctx, b.scope, { services: [{ key: 'water_heater', name: 'Water heater service', durationMinutes: 90, avgTicketCents: 30000, bookableOnline }] });
    const callback = bookableOnline ? '+15125556101' : '+15125556102';
    const call = new SimulatedCall(app, bookableOnline ? '+15125556201' : '+15125556202', b.number);
    await call.start();
    await call.say('Hi, this is Jordan Lee');
    await call.say('No, use my cell');
    await call.say(`${callback.slice(2, 5)} ${callback.slice(5, 8)} ${callback.slice(8)}`);
    await call.say('12 Oak Street');
    await call.say("I'd like to book a water heater flush next week");
    const db = world().db.kysely;
    const row = await db.selectFrom('voice_calls').select('decision').where('business_id', '=', b.scope.businessId).where('call_sid', '=', call.callSid).executeTakeFirstOrThrow();
    const decision = JSON.parse(row.decision!) as { route: string; classification: { serviceType: string | null } };
    const texts = await db.selectFrom('outbox').select('body').where('business_id', '=', b.scope.businessId).where('to_address', '=', callback).execute();
    const tasks = await db.selectFrom('tasks').select('title').where('business_id', '=', b.scope.businessId).where('origin_ref', '=', `call:${call.callSid}`).execute();
    return { decision, texts, tasks, said: call.find('Say').text };
  };

  test('bookable online: the caller is texted the link', async () => {
    const r = await run(true);
    assert.equal(r.decision.route, 'routine');
    assert.equal(r.decision.classification.serviceType, 'water_heater');
    assert.ok(r.texts.some((t) => /\/book\//.test(t.body)), JSON.stringify(r.texts));
  });

  test('phone-only: no link is sent; a task to book by phone, and the caller is told someone will call', async () => {
    const r = await run(false);
    assert.equal(r.decision.route, 'routine');
    assert.ok(!r.texts.some((t) => /\/book\//.test(t.body)), JSON.stringify(r.texts));
    assert.deepEqual(r.tasks.map((t) => t.title), ['Book Jordan Lee by phone: Water heater service is not booked online']);
    assert.match(r.said, /Someone from our team will call you .* to book your water heater service\./);
  });
});
