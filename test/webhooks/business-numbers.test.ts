import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AppContext, Scope } from '../../src/context.ts';
import { receivingNumbers, updateBusiness } from '../../src/crm/businesses/businesses.ts';
import { businessByNumber } from '../../src/engine/inbound.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import type { AppError } from '../../src/lib/errors.ts';
import { forEachDialect, makeBusiness, openTestDb } from '../helpers/db.ts';
import { voiceApp, voiceContext } from '../voice/setup.ts';
import { PUBLIC_URL, postSigned } from '../voice/twilio-caller.ts';

test('receivingNumbers: the phone and settings.phoneNumbers in E.164, once each; unparsable values kept as written', () => {
  const cases: Array<[phone: string | null, extra: unknown, country: string, expected: string[]]> = [
    ['+15125550100', undefined, 'US', ['+15125550100']],
    ['(512) 555-0100', undefined, 'US', ['+15125550100']],
    [' 512.555.0100 ', ['+15125550101', '512-555-0100'], 'US', ['+15125550100', '+15125550101']],
    ['020 7946 0018', undefined, 'GB', ['+442079460018']],
    [null, ['+15125550102'], 'US', ['+15125550102']],
    [null, 'not a list', 'US', []],
    ['', [42, null, '+15125550103'], 'US', ['+15125550103']],
    ['front-desk', undefined, 'US', ['front-desk']],
  ];
  for (const [phone, extra, country, expected] of cases) {
    assert.deepEqual(receivingNumbers({ phone, settings: { defaultCountry: country, currency: 'USD', ...(extra === undefined ? {} : { phoneNumbers: extra }) } }), expected, `${phone} ${JSON.stringify(extra)}`);
  }
});

/**
 * Inbound texts and calls find their business through business_numbers:
 * every receiving number of every business, kept current when the business's
 * phone or settings change.
 */
forEachDialect('business number index', (world) => {
  let ctx: AppContext;
  let app: FastifyInstance;
  before(async () => {
    ctx = voiceContext(world().ctx);
    app = await voiceApp(ctx);
  });
  after(async () => app?.close());
  const db = () => world().db.kysely;

  let n = 0;
  const number = () => `+1737555${String(1000 + ++n * 7 + Math.floor(Math.random() * 5)).padStart(4, '0')}`;
  const sms = (to: string, from: string, body = 'Is anyone there?') =>
    postSigned(app, `${PUBLIC_URL}/webhooks/twilio/sms`, { AccountSid: `AC${'ab'.repeat(16)}`, MessageSid: `SM${randomBytes(16).toString('hex')}`, From: from, To: to, Body: body, NumMedia: '0' });
  const inboundFrom = (businessId: string, from: string) =>
    db().selectFrom('interactions').innerJoin('contacts', 'contacts.id', 'interactions.contact_id').select(['interactions.business_id', 'interactions.body']).where('interactions.business_id', '=', businessId).where('contacts.phone', '=', from).execute();

  test('each text lands in the business that owns the number it was sent to, main or extra; unknown numbers are refused', async () => {
    const [mainA, mainB, extraB, mainC] = [number(), number(), number(), number()];
    const a = await makeBusiness(ctx, { phone: mainA });
    const b = await makeBusiness(ctx, { phone: mainB, settings: { defaultCountry: 'US', currency: 'USD', phoneNumbers: [extraB] } });
    const c = await makeBusiness(ctx, { phone: mainC.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3') }); // written the way people write it
    for (const [to, owner, from] of [[mainA, a, '+15125550901'], [mainB, b, '+15125550902'], [extraB, b, '+15125550903'], [mainC, c, '+15125550904']] as Array<[string, Scope, string]>) {
      const res = await sms(to, from);
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /text\/xml/);
      assert.equal((await inboundFrom(owner.businessId, from)).length, 1, `text to ${to} belongs to ${owner.businessId}`);
      for (const other of [a, b, c].filter((x) => x !== owner)) assert.equal((await inboundFrom(other.businessId, from)).length, 0, `text to ${to} must not reach ${other.businessId}`);
    }
    const nobody = number();
    const refused = await sms(nobody, '+15125550905');
    assert.equal(refused.statusCode, 404);
    assert.match(refused.body, new RegExp(`no business uses the number \\${nobody}`));
    assert.equal((await db().selectFrom('contacts').select('id').where('phone', '=', '+15125550905').execute()).length, 0, 'nothing is written for a number nobody owns');
    // Calls use the same lookup.
    const call = await postSigned(app, `${PUBLIC_URL}/webhooks/twilio/voice`, { CallSid: `CA${randomBytes(16).toString('hex')}`, From: '+15125550906', To: nobody, CallStatus: 'ringing' });
    assert.equal(call.statusCode, 404);
    assert.equal((await businessByNumber(ctx, extraB))?.id, b.businessId);
  });

  test('changing the phone or the extra numbers moves the index with them', async () => {
    const [first, second, extra1, extra2] = [number(), number(), number(), number()];
    const biz = await makeBusiness(ctx, { phone: first, settings: { defaultCountry: 'US', currency: 'USD', phoneNumbers: [extra1] } });
    const scope: Scope = { ...biz, actor: { type: 'system', id: null } };
    assert.equal((await businessByNumber(ctx, extra1))?.id, biz.businessId);
    await updateBusiness(ctx, scope, { phone: second });
    assert.equal(await businessByNumber(ctx, first), null, 'the old number no longer belongs to it');
    assert.equal((await businessByNumber(ctx, second))?.id, biz.businessId);
    assert.equal((await businessByNumber(ctx, extra1))?.id, biz.businessId, 'a phone change leaves the extra numbers alone');
    await updateBusiness(ctx, scope, { settings: { phoneNumbers: [extra2] } });
    assert.equal(await businessByNumber(ctx, extra1), null);
    assert.equal((await businessByNumber(ctx, extra2))?.id, biz.businessId);
    await updateBusiness(ctx, scope, { name: 'Renamed' });
    assert.deepEqual((await db().selectFrom('business_numbers').select('number').where('business_id', '=', biz.businessId).orderBy('number').execute()).map((r) => r.number), [second, extra2].sort());
    await updateBusiness(ctx, scope, { phone: null, settings: { phoneNumbers: [] } });
    assert.equal(await businessByNumber(ctx, second), null);
    assert.equal((await sms(second, '+15125550907')).statusCode, 404);
  });

  test('a number belongs to one business: a second claim through the profile is a 409 that does not name the holder, and nothing changes', async () => {
    const shared = number();
    const first = await makeBusiness(ctx, { phone: shared, name: 'First Holder Heating' });
    const secondPhone = number();
    await assert.rejects(
      makeBusiness(ctx, { phone: number(), settings: { defaultCountry: 'US', currency: 'USD', phoneNumbers: [shared] } }),
      (err: AppError) => err.code === 'CONFLICT' && err.message.includes(shared) && !err.message.includes('First Holder') && !err.message.includes(first.businessId),
    );
    const second = await makeBusiness(ctx, { phone: secondPhone });
    const scope2: Scope = { ...second, actor: { type: 'system', id: null } };
    await assert.rejects(updateBusiness(ctx, scope2, { phone: shared }), (err: AppError) => err.code === 'CONFLICT');
    await assert.rejects(updateBusiness(ctx, scope2, { settings: { phoneNumbers: [` ${shared.replace(/^\+1/, '')} `] } }), (err: AppError) => err.code === 'CONFLICT', 'written another way, it is still the same number');
    const after = await db().selectFrom('businesses').select('phone').where('id', '=', second.businessId).executeTakeFirstOrThrow();
    assert.equal(after.phone, secondPhone, 'the refused change is not half-applied');
    assert.equal((await businessByNumber(ctx, shared))?.id, first.businessId);
    assert.equal((await businessByNumber(ctx, secondPhone))?.id, second.businessId);
    // Once the holder lets it go, the other business may take it.
    await updateBusiness(ctx, { ...first, actor: { type: 'system', id: null } }, { phone: null });
    await updateBusiness(ctx, scope2, { settings: { phoneNumbers: [shared] } });
    assert.equal((await businessByNumber(ctx, shared))?.id, second.businessId);
  });

  test('upgrading: numbers two businesses both listed stay with the one that claimed first, unverified, one owner each', async () => {
    const opened = await openTestDb(world().dialect, { upTo: '0014_company_indexes' });
    try {
      const old = opened.db.kysely;
      const [shared, own] = [number(), number()];
      for (const [i, id] of ['biz_old_a', 'biz_old_b'].entries()) {
        const at = new Date(Date.UTC(2025, 0, 1 + i)).toISOString();
        await old.insertInto('businesses').values({ id, name: `Old ${i}`, slug: `old-${i}`, time_zone: 'America/Chicago', phone: null, email: null, address: '{}', business_hours: '{}', services: '[]', review_link: null, on_call: '{}', settings: '{}', created_at: at, updated_at: at }).execute();
      }
      // The old index let both list `shared`; routing chose the first claimant.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the table as it was before 0015
      const oldTable = old as unknown as import('kysely').Kysely<any>;
      await oldTable.insertInto('business_numbers').values([
        { number: shared, business_id: 'biz_old_b', created_at: new Date(Date.UTC(2025, 1, 2)).toISOString() },
        { number: shared, business_id: 'biz_old_a', created_at: new Date(Date.UTC(2025, 1, 1)).toISOString() },
        { number: own, business_id: 'biz_old_b', created_at: new Date(Date.UTC(2025, 1, 3)).toISOString() },
      ]).execute();
      await migrateToLatest(opened.db);
      const rows = await old.selectFrom('business_numbers').select(['number', 'business_id', 'verified', 'source']).orderBy('number').execute();
      assert.deepEqual(rows.map((r) => `${r.number} ${r.business_id} ${r.verified} ${r.source}`).sort(), [`${shared} biz_old_a 0 profile`, `${own} biz_old_b 0 profile`].sort());
      await assert.rejects(old.insertInto('business_numbers').values({ number: shared, business_id: 'biz_old_b', source: 'api', verified: 0, verified_at: null, provider_sid: null, checked_at: null, check_error: null, last_inbound_at: null, created_at: new Date().toISOString() }).execute(), 'the number is unique now');
    } finally {
      await opened.cleanup();
    }
  });
});
