import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { AppContext, Scope } from '../../src/context.ts';
import { receivingNumbers, toBusiness, updateBusiness } from '../../src/crm/businesses/businesses.ts';
import { businessByNumber } from '../../src/engine/inbound.ts';
import { businessNumbers } from '../../src/db/migrations/0013_business_numbers.ts';
import { forEachDialect, makeBusiness } from '../helpers/db.ts';
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

  test('a number two businesses both list stays with the one that claimed it first', async () => {
    const shared = number();
    world().clock.advance(1000);
    const first = await makeBusiness(ctx, { phone: shared });
    world().clock.advance(1000);
    const second = await makeBusiness(ctx, { phone: number(), settings: { defaultCountry: 'US', currency: 'USD', phoneNumbers: [shared] } });
    assert.equal((await businessByNumber(ctx, shared))?.id, first.businessId);
    await updateBusiness(ctx, { ...first, actor: { type: 'system', id: null } }, { phone: null });
    assert.equal((await businessByNumber(ctx, shared))?.id, second.businessId);
  });

  test('the migration indexes the businesses that already exist', async () => {
    const [main, extra, odd] = [number(), number(), number()];
    const now = world().clock.now().toISOString();
    const id = `biz_${randomBytes(6).toString('hex')}`;
    // A business written before the index existed, with the number as a person typed it.
    await db().insertInto('businesses').values({
      id, name: 'Old Timers Plumbing', slug: `old-timers-${id.slice(-6)}`, time_zone: 'America/Chicago', phone: odd.replace(/^\+1/, '1-'), email: null, address: '{}', business_hours: '{}', services: '[]', review_link: null, on_call: '{}',
      settings: JSON.stringify({ defaultCountry: 'US', phoneNumbers: [main, ` ${extra} `] }), created_at: now, updated_at: now,
    }).execute();
    await db().deleteFrom('business_numbers').execute();
    await db().schema.dropTable('business_numbers').execute();
    await businessNumbers(world().dialect).up(db());
    assert.equal((await businessByNumber(ctx, main))?.id, id);
    assert.equal((await businessByNumber(ctx, extra))?.id, id);
    assert.equal((await businessByNumber(ctx, odd))?.id, id);
    const res = await sms(extra, '+15125550908');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await inboundFrom(id, '+15125550908')).length, 1);
    // The migration and the code that keeps the index current agree on every business.
    const indexed = await db().selectFrom('business_numbers').select(['business_id', 'number']).execute();
    const expected = (await db().selectFrom('businesses').selectAll().execute()).flatMap((r) => receivingNumbers(toBusiness(r)).map((num) => `${r.id} ${num}`));
    assert.ok(expected.length >= 5);
    assert.deepEqual(indexed.map((r) => `${r.business_id} ${r.number}`).sort(), expected.sort());
  });
});
