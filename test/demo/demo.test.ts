import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { DateTime } from 'luxon';
import { login } from '../../src/access/auth.ts';
import { demoCalendar, DEMO_LOGIN, DEMO_SLUG, generateDemo, loadDemo, type DemoData, type DemoResult } from '../../src/demo/index.ts';
import { forEachDialect } from '../helpers/db.ts';

// The test world's virtual clock starts here too (test/helpers/db.ts).
const NOW = new Date('2026-03-02T15:00:00Z');
const SEED = 42;
const share = (part: number, whole: number) => part / whole;
const localMonth = (iso: string) => DateTime.fromISO(iso, { zone: 'America/Chicago' }).month;
const SUMMER = [6, 7, 8];
const WINTER = [12, 1, 2];

function assertValidE164(phone: string | null, where: string): void {
  assert.ok(phone, `${where}: missing phone`);
  assert.match(phone, /^\+1\d{10}$/, `${where}: ${phone} is not E.164`);
  assert.ok(parsePhoneNumberWithError(phone).isValid(), `${where}: ${phone} is not a valid number`);
}

describe('demo generation (pure)', () => {
  const data: DemoData = generateDemo(SEED, NOW);

  test('the same seed and now give identical data; another seed differs', () => {
    assert.deepStrictEqual(generateDemo(SEED, NOW), data);
    const other = generateDemo(SEED + 1, NOW);
    assert.notDeepStrictEqual(other.contacts, data.contacts);
    assert.notEqual(other.interactions.length + other.jobs.length, 0);
  });

  test('contacts: ~600 over 3 years, ~180 active customers, ~420 dormant/lost/leads', () => {
    assert.ok(data.contacts.length >= 550 && data.contacts.length <= 650, `contacts ${data.contacts.length}`);
    const active = data.contacts.filter((c) => c.lifecycleStage === 'customer').length;
    assert.ok(active >= 160 && active <= 200, `active customers ${active}`);
    const rest = data.contacts.length - active;
    assert.ok(rest >= 380 && rest <= 460, `non-active ${rest}`);
    for (const stage of ['dormant', 'lead', 'lost'] as const) assert.ok(data.contacts.some((c) => c.lifecycleStage === stage), `no ${stage}`);
    assert.ok(data.contacts.every((c) => c.createdAt >= data.startedAt && c.createdAt <= data.now));
  });

  test('lifecycle stages agree with the job history (customer = completed job in 18 months)', () => {
    const activeFrom = DateTime.fromJSDate(NOW).minus({ months: 18 }).toISO()!;
    const lastJob = new Map<string, string>();
    for (const j of data.jobs) if (j.completedAt && j.completedAt > (lastJob.get(j.contactKey) ?? '')) lastJob.set(j.contactKey, j.completedAt);
    for (const c of data.contacts) {
      const last = lastJob.get(c.key);
      const expected = last === undefined ? ['lead', 'lost'] : last >= activeFrom ? ['customer'] : ['dormant'];
      assert.ok(expected.includes(c.lifecycleStage), `${c.key} is ${c.lifecycleStage}, last job ${last}`);
    }
  });

  test('inquiries: ~100 a month, 71% of calls answered, 35% of answered not booked, 40% of those followed up', () => {
    const inq = data.inquiries;
    const perMonth = inq.length / 36;
    assert.ok(perMonth >= 85 && perMonth <= 115, `inquiries per month ${perMonth}`);
    const calls = inq.filter((i) => i.channel === 'call');
    assert.ok(calls.length > inq.length * 0.7 && calls.length < inq.length, 'mostly calls, some web forms and texts');
    const answered = share(calls.filter((c) => c.answered).length, calls.length);
    assert.ok(answered >= 0.66 && answered <= 0.76, `answered share ${answered}`);
    const answeredAll = inq.filter((i) => i.answered);
    const notBooked = answeredAll.filter((i) => !i.bookedOnFirstContact);
    const notBookedShare = share(notBooked.length, answeredAll.length);
    assert.ok(notBookedShare >= 0.28 && notBookedShare <= 0.42, `not booked share ${notBookedShare}`);
    const followUp = share(notBooked.filter((i) => i.followedUp).length, notBooked.length);
    assert.ok(followUp >= 0.33 && followUp <= 0.47, `follow-up share ${followUp}`);
    assert.equal(data.interactions.filter((i) => i.metadata.inquiry === true).length, inq.length);
    const months = new Set(inq.map((i) => i.at.slice(0, 7)));
    assert.ok(months.size >= 36, 'every month has inquiries');
  });

  test('jobs: ~$600 average completed ticket, seasonal AC work, upcoming jobs within two weeks', () => {
    const completed = data.jobs.filter((j) => j.status === 'completed');
    const avg = completed.reduce((s, j) => s + j.amountCents!, 0) / completed.length / 100;
    assert.ok(avg >= 500 && avg <= 700, `average ticket $${avg}`);
    assert.ok(completed.every((j) => Number.isInteger(j.amountCents) && j.amountCents! > 0 && j.completedAt! <= data.now));
    const ac = (months: number[]) => data.jobs.filter((j) => j.serviceType === 'ac_repair' && months.includes(localMonth(j.scheduledStart))).length;
    assert.ok(ac(SUMMER) > 3 * ac(WINTER), `AC jobs summer ${ac(SUMMER)} vs winter ${ac(WINTER)}`);
    const furnace = (months: number[]) => data.jobs.filter((j) => j.serviceType === 'furnace_repair' && months.includes(localMonth(j.scheduledStart))).length;
    assert.ok(furnace(WINTER) > 3 * furnace(SUMMER), 'furnace work peaks in winter');
    const horizon = new Date(NOW.getTime() + 15 * 86_400_000).toISOString();
    const scheduled = data.jobs.filter((j) => j.status === 'scheduled');
    assert.ok(scheduled.length > 0 && scheduled.every((j) => j.scheduledEnd > data.now && j.scheduledStart <= horizon));
    for (const status of ['cancelled', 'no_show'] as const) assert.ok(data.jobs.some((j) => j.status === status), `no ${status} job`);
    assert.ok(data.jobs.every((j) => j.scheduledStart < j.scheduledEnd && j.createdAt <= j.scheduledStart));
    assert.ok(data.jobs.some((j) => j.serviceType === 'installation' && j.amountCents! >= 600_000 && j.amountCents! <= 1_400_000));
  });

  test('deals, reviews, tasks and notes cover every state', () => {
    for (const stage of ['won', 'lost'] as const) assert.ok(data.deals.some((d) => d.stage === stage && d.closeReason && d.closedAt));
    assert.ok(data.deals.some((d) => d.status === 'open'));
    assert.ok(data.deals.every((d) => d.amountCents >= 600_000 && d.amountCents <= 1_400_000 && d.status === (d.stage === 'won' || d.stage === 'lost' ? d.stage : 'open')));
    const received = data.reviews.filter((r) => r.status === 'received');
    assert.ok(received.length > 50 && data.reviews.some((r) => r.status === 'requested'));
    const high = received.filter((r) => r.rating! >= 4).length;
    assert.ok(share(high, received.length) > 0.8 && received.some((r) => r.rating! <= 2), 'mostly 4–5 stars, a few low ones');
    for (const status of ['open', 'done'] as const) assert.ok(data.tasks.some((t) => t.status === status));
    assert.ok(data.interactions.some((i) => i.kind === 'note'));
  });

  test('phones are valid E.164, consents are well formed, nothing happens after now', () => {
    for (const c of data.contacts) {
      assertValidE164(c.phone, c.key);
      for (const p of c.phones) assertValidE164(p.number, c.key);
    }
    for (const u of data.users) assertValidE164(u.phone, u.key);
    assert.equal(new Set(data.contacts.map((c) => c.phone)).size, data.contacts.length, 'phones are unique');
    const consents = data.contacts.flatMap((c) => c.consents);
    assert.ok(consents.some((x) => x.channel === 'sms' && x.status === 'granted' && (x.method === 'web_form' || x.method === 'verbal')));
    assert.ok(consents.some((x) => x.status === 'revoked' && x.method === 'sms_keyword'));
    assert.ok(data.interactions.every((i) => i.occurredAt <= data.now && i.occurredAt >= data.startedAt));
  });
});

forEachDialect('demo loader', (world) => {
  let result: DemoResult;
  const data = generateDemo(SEED, NOW);

  test('loads the demo business in one go', async (t) => {
    const started = performance.now();
    result = await loadDemo(world().ctx, { seed: SEED, now: NOW });
    const ms = Math.round(performance.now() - started);
    t.diagnostic(`loadDemo on ${world().dialect}: ${ms} ms`);
    assert.equal(result.slug, DEMO_SLUG);
    assert.deepEqual(result.login, DEMO_LOGIN);
    assert.equal(result.counts.contacts, data.contacts.length);
    // Since go-live Kinetic adds its own messages to the timeline, and campaigns book visits of their own.
    assert.ok(result.counts.interactions > data.interactions.length);
    assert.equal(result.counts.jobs, data.jobs.length + result.counts.bookings);
  });

  test('the stored record has the scenario shape', async () => {
    const db = world().db.kysely;
    const contacts = await db.selectFrom('contacts').select(['id', 'lifecycle_stage', 'phone', 'phones', 'time_zone', 'last_interaction_at']).where('business_id', '=', result.businessId).execute();
    assert.ok(contacts.length >= 550 && contacts.length <= 650);
    // ~180 active at go-live; the campaigns run since then bring dormant customers back.
    const active = contacts.filter((c) => c.lifecycle_stage === 'customer').length;
    assert.ok(active >= 160 && active <= 240, `active ${active}`);
    assert.ok(contacts.every((c) => c.time_zone === 'America/Chicago'));

    const inbound = await db.selectFrom('interactions').select(['kind', 'outcome', 'metadata']).where('business_id', '=', result.businessId).where('direction', '=', 'inbound').execute();
    const inquiries = inbound.filter((i) => JSON.parse(i.metadata).inquiry === true);
    const perMonth = inquiries.length / 36;
    assert.ok(perMonth >= 85 && perMonth <= 115, `inquiries per month ${perMonth}`);
    const calls = inbound.filter((i) => i.kind === 'call');
    const answered = share(calls.filter((c) => c.outcome === 'answered').length, calls.length);
    assert.ok(answered >= 0.66 && answered <= 0.76, `answered ${answered}`);
    assert.ok(calls.every((c) => ['answered', 'missed', 'voicemail'].includes(c.outcome ?? '')));

    const jobs = await db.selectFrom('jobs').select(['service_type', 'status', 'amount_cents', 'scheduled_start', 'technician_user_id']).where('business_id', '=', result.businessId).execute();
    const completed = jobs.filter((j) => j.status === 'completed');
    const avg = completed.reduce((s, j) => s + Number(j.amount_cents), 0) / completed.length / 100;
    assert.ok(avg >= 500 && avg <= 700, `average ticket $${avg}`);
    const ac = (months: number[]) => jobs.filter((j) => j.service_type === 'ac_repair' && months.includes(localMonth(j.scheduled_start!))).length;
    assert.ok(ac(SUMMER) > ac(WINTER), `AC summer ${ac(SUMMER)} vs winter ${ac(WINTER)}`);
    const techs = new Set((await db.selectFrom('users').select('id').where('business_id', '=', result.businessId).where('role', '=', 'technician').execute()).map((u) => u.id));
    assert.equal(techs.size, 4);
    assert.ok(jobs.every((j) => techs.has(j.technician_user_id!)));
  });

  test('last_interaction_at is the latest non-note interaction of each contact', async () => {
    const db = world().db.kysely;
    const latest = await db
      .selectFrom('interactions')
      .select(['contact_id', db.fn.max('occurred_at').as('last')])
      .where('business_id', '=', result.businessId)
      .where('kind', '<>', 'note')
      // Messages Kinetic sent by itself do not count as touching the contact (refreshLastInteraction).
      .where((eb) => eb.or([eb('external_id', 'is', null), eb('external_id', 'not like', 'outbox:%'), eb('user_id', 'is not', null)]))
      .groupBy('contact_id')
      .execute();
    const byContact = new Map(latest.map((r) => [r.contact_id, new Date(r.last as string).toISOString()]));
    const contacts = await db.selectFrom('contacts').select(['id', 'last_interaction_at']).where('business_id', '=', result.businessId).execute();
    for (const c of contacts) assert.equal(c.last_interaction_at && new Date(c.last_interaction_at).toISOString(), byContact.get(c.id) ?? null, c.id);
  });

  test('every stored phone is E.164', async () => {
    const db = world().db.kysely;
    const contacts = await db.selectFrom('contacts').select(['id', 'phone', 'phones']).where('business_id', '=', result.businessId).execute();
    for (const c of contacts) {
      assertValidE164(c.phone, c.id);
      for (const p of JSON.parse(c.phones) as Array<{ number: string }>) assertValidE164(p.number, c.id);
    }
    const identities = await db.selectFrom('contact_identities').select('value').where('business_id', '=', result.businessId).where('kind', '=', 'phone').execute();
    for (const i of identities) assertValidE164(i.value, 'identity');
    for (const u of await db.selectFrom('users').select(['email', 'phone']).where('business_id', '=', result.businessId).execute()) assertValidE164(u.phone, u.email);
    const business = await db.selectFrom('businesses').select(['phone', 'on_call']).where('id', '=', result.businessId).executeTakeFirstOrThrow();
    assertValidE164(business.phone, 'business');
    const onCall = JSON.parse(business.on_call) as { rotation: string[]; escalationMinutes: number };
    assert.equal(onCall.rotation.length, 4);
    assert.equal(onCall.escalationMinutes, 10);
  });

  test('the owner can log in with DEMO_LOGIN', async () => {
    const session = await login(world().ctx, DEMO_LOGIN);
    assert.equal(session.user.role, 'owner');
    assert.equal(session.user.businessId, result.businessId);
  });

  test('one audit entry for the import at go-live; domain events only after it', async () => {
    const db = world().db.kysely;
    const audit = await db.selectFrom('audit_log').select(['action', 'entity_type', 'actor_type', 'at']).where('business_id', '=', result.businessId).where('action', '=', 'import').execute();
    const goLive = demoCalendar(data.now).goLive;
    assert.deepEqual(audit.map(({ at, ...a }) => ({ ...a, at: new Date(at).toISOString() })), [{ action: 'import', entity_type: 'business', actor_type: 'system', at: goLive }]);
    const events = await db.selectFrom('events').select('occurred_at').where('business_id', '=', result.businessId).execute();
    assert.ok(events.length > 1000);
    assert.ok(events.every((e) => new Date(e.occurred_at).toISOString() >= goLive));
  });

  test('loading the demo twice is a conflict and changes nothing', async () => {
    const db = world().db.kysely;
    await assert.rejects(loadDemo(world().ctx, { seed: SEED }), (err: Error & { code?: string }) => err.code === 'CONFLICT');
    const businesses = await db.selectFrom('businesses').select('id').execute();
    assert.equal(businesses.length, 1);
  });
});
