import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { widgetLimits } from '../../src/widget/rate-limit.ts';
import { client, makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/**
 * The website widget's public endpoints, on both databases: the form makes a
 * lead with consent evidence and a speed-to-lead enrolment; honeypot, timing,
 * rate limits and spam make none; a chat threads into the contact's timeline,
 * the team's reply reaches the visitor, after hours the intake reply answers;
 * a token works only with its own business.
 */
forEachDialect('website widget API', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  let b: ApiTenant;
  let slugA: string;
  let slugB: string;
  let ipCounter = 0;
  /** A fresh address per test, so one test's rate-limit counts never spill into another's. */
  const nextIp = () => `203.0.113.${++ipCounter}`;

  const call = (method: 'GET' | 'POST' | 'OPTIONS', url: string, opts: { body?: unknown; ip?: string; token?: string; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> =>
    app.inject({
      method,
      url,
      remoteAddress: opts.ip ?? '198.51.100.1',
      headers: { origin: 'https://www.customer-site.example', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { 'x-chat-token': opts.token } : {}), ...opts.headers },
      payload: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });

  /** Opens the widget like a browser (config + form token) and lets a person's few seconds pass. */
  async function openWidget(slug: string, ip: string) {
    const res = await call('GET', `/widget/config?business=${slug}`, { ip });
    assert.equal(res.statusCode, 200, res.body);
    world().clock.advance(8_000);
    return res.json() as { formToken: string; texts: { consentText: string; greeting: string }; services: Array<{ key: string; name: string }>; theme: { color: string; position: string } };
  }

  const form = (cfg: { formToken: string }, extra: Record<string, unknown> = {}) => ({
    name: 'Dana Visitor',
    phone: '(512) 555-0170',
    email: 'dana@visitor.example',
    service: 'ac_repair',
    urgency: 'urgent',
    message: 'My AC stopped blowing cold air, can someone come look at it tomorrow?',
    consent: true,
    pageUrl: 'https://www.customer-site.example/contact?utm_source=google',
    formToken: cfg.formToken,
    website: '',
    ...extra,
  });

  const contactsByPhone = async (t: ApiTenant, phone: string) => ((await client(app, t.key).get(`/contacts?phone=${encodeURIComponent(phone)}`)).json().data as Array<{ id: string; source: string; lifecycleStage: string }>);

  before(async () => {
    const ctx = world().ctx;
    app = await buildServer(ctx);
    await app.ready();
    a = await makeTenant(ctx, 'Widget Heating');
    b = await makeTenant(ctx, 'Other Plumbing');
    const apiA = client(app, a.key);
    const patched = await apiA.patch('/business', {
      services: [{ key: 'ac_repair', name: 'AC Repair', durationMinutes: 120, avgTicketCents: 40_000 }],
      settings: { widget: { color: '#aa3300', position: 'left', greeting: 'Hello from {business}!' } },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    slugA = patched.json().slug;
    slugB = (await client(app, b.key).get('/business')).json().slug;
    const installed = await apiA.post('/playbooks/speed-to-lead/install', { enable: true });
    assert.equal(installed.statusCode, 201, installed.body);
  });
  after(async () => app?.close());

  test('GET /widget.js serves one small script any site may load; the config carries the theme', async () => {
    const res = await call('GET', `/widget.js?business=${slugA}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/javascript/);
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.ok(res.body.length < 16_000, `${res.body.length} bytes`);
    assert.doesNotMatch(res.body, /https?:\/\/(?!www\.w3\.org)/, 'no third-party address in the script');
    const gz = await call('GET', `/widget.js?business=${slugA}`, { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.rawPayload.length < 6_000, `${gz.rawPayload.length} bytes gzipped`);
    assert.equal(gunzipSync(gz.rawPayload).toString(), res.body);

    assert.equal((await call('GET', '/widget.js?business=no-such-business')).statusCode, 404);
    const missing = await call('GET', '/widget.js');
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().error.message, /business/);

    const cfg = await openWidget(slugA, nextIp());
    assert.deepEqual(cfg.theme, { color: '#aa3300', position: 'left' });
    assert.equal(cfg.texts.greeting, 'Hello from Widget Heating!');
    assert.match(cfg.texts.consentText, /Widget Heating/);
    assert.deepEqual(cfg.services, [{ key: 'ac_repair', name: 'AC Repair' }]);
    const css = await call('GET', `/widget.css?business=${slugA}`);
    assert.match(css.body, /--k-accent:#aa3300/);

    const preflight = await call('OPTIONS', `/widget/leads?business=${slugA}`, { headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(String(preflight.headers['access-control-allow-headers']), /content-type/);
    assert.equal(preflight.headers['access-control-allow-credentials'], undefined);
  });

  test('the form makes a lead with the consent line as evidence, and speed-to-lead enrols it', async () => {
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    const res = await call('POST', `/widget/leads?business=${slugA}`, { ip, body: form(cfg) });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['set-cookie'], undefined);
    const [contact] = await contactsByPhone(a, '+15125550170');
    assert.ok(contact, 'the lead exists');
    assert.equal(contact.source, 'web_form');
    assert.equal(contact.lifecycleStage, 'lead');

    const api = client(app, a.key);
    const consent = (await api.get(`/contacts/${contact.id}/consent`)).json().data as Array<{ channel: string; status: string; method: string; evidence: string; recordedAt: string }>;
    assert.equal(consent.length, 1);
    assert.equal(consent[0].method, 'web_form');
    assert.equal(consent[0].status, 'granted');
    const evidence = JSON.parse(consent[0].evidence) as { text: string; pageUrl: string; ip: string; at: string };
    assert.equal(evidence.text, cfg.texts.consentText);
    assert.equal(evidence.pageUrl, 'https://www.customer-site.example/contact?utm_source=google');
    assert.equal(evidence.ip, ip);
    assert.equal(evidence.at, world().clock.now().toISOString());
    assert.equal(consent[0].recordedAt, evidence.at);

    const events = (await api.get('/events?type=lead.created&limit=100')).json().data as Array<{ payload: { contactId: string; source: string } }>;
    assert.ok(events.some((e) => e.payload.contactId === contact.id && e.payload.source === 'web_form'), 'lead.created fired');
    const enrollments = (await api.get(`/enrollments?contactId=${contact.id}`)).json().data as Array<{ automationName?: string; status: string }>;
    assert.equal(enrollments.length, 1, JSON.stringify(enrollments));
    await runDueEnrollments(world().ctx, 'widget-test');
    const texts = (await api.get(`/outbox?contactId=${contact.id}`)).json().data as Array<{ channel: string; toAddress?: string }>;
    assert.equal(texts.length, 1, 'the speed-to-lead text is queued');
    assert.equal(texts[0].channel, 'sms');

    const timeline = (await api.get(`/interactions?contactId=${contact.id}`)).json().data as Array<{ kind: string; channel: string; body: string; metadata: Record<string, unknown> }>;
    const note = timeline.find((i) => i.channel === 'web');
    assert.ok(note, 'the form is on the timeline');
    assert.match(note.body, /AC Repair/);
    assert.match(note.body, /cold air/);
    assert.equal(note.metadata.urgency, 'urgent');

    // The same visitor again (same phone): the request joins their contact; no second lead.
    const again = await openWidget(slugA, ip);
    const second = await call('POST', `/widget/leads?business=${slugA}`, { ip, body: form(again, { name: 'Dana V.', consent: false, message: 'Also, the thermostat is blank.' }) });
    assert.equal(second.statusCode, 201, second.body);
    assert.equal((await contactsByPhone(a, '+15125550170')).length, 1);
    const rows = await world().db.kysely.selectFrom('widget_submissions').select(['status', 'contact_id']).where('business_id', '=', a.scope.businessId).where('contact_id', '=', contact.id).orderBy('created_at').execute();
    assert.deepEqual(rows.map((r) => r.status), ['lead', 'merged']);
  });

  test('bad input is a 400 naming the field', async () => {
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    for (const [change, field] of [
      [{ name: '' }, 'name'],
      [{ phone: '12' }, 'phone'],
      [{ phone: '', email: '' }, 'phone'],
      [{ email: 'not-an-email', phone: '' }, 'email'],
      [{ service: 'teleportation' }, 'service'],
      [{ urgency: 'yesterday' }, 'urgency'],
      [{ consentText: 'I agree to anything at all.' }, 'consentText'],
      [{ formToken: 'forged.token.value' }, 'formToken'],
      [{ surprise: true }, 'surprise'],
    ] as const) {
      // Each from its own address: the form's rate limit is lower than the number of cases.
      const res = await call('POST', `/widget/leads?business=${slugA}`, { ip: nextIp(), body: form(cfg, change) });
      assert.equal(res.statusCode, 400, `${JSON.stringify(change)} → ${res.statusCode} ${res.body}`);
      assert.match(res.json().error.message, new RegExp(field), res.body);
      assert.equal(res.headers['access-control-allow-origin'], '*', 'the widget can read the error');
    }
    const notJson = await call('POST', `/widget/leads?business=${slugA}`, { ip, headers: { 'content-type': 'application/json' }, body: undefined });
    assert.ok(notJson.statusCode >= 400 && notJson.statusCode < 500);
  });

  test('robots are refused without a lead: the honeypot, a form sent too fast, too many from one address', async () => {
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    const trapped = await call('POST', `/widget/leads?business=${slugA}`, { ip, body: form(cfg, { phone: '512-555-0181', email: '', website: 'http://cheap-pills.example' }) });
    assert.equal(trapped.statusCode, 201, 'a robot is told nothing');
    assert.equal((await contactsByPhone(a, '+15125550181')).length, 0);
    const stored = await world().db.kysely.selectFrom('widget_submissions').select(['status', 'ip']).where('business_id', '=', a.scope.businessId).where('phone', '=', '512-555-0181').execute();
    assert.deepEqual(stored, [{ status: 'honeypot', ip }]);

    const quick = await call('GET', `/widget/config?business=${slugA}`, { ip });
    world().clock.advance(500);
    const tooFast = await call('POST', `/widget/leads?business=${slugA}`, { ip, body: form(quick.json(), { phone: '512-555-0182', email: '' }) });
    assert.equal(tooFast.statusCode, 400, tooFast.body);
    assert.match(tooFast.json().error.message, /formToken: sent too soon/);
    assert.equal((await contactsByPhone(a, '+15125550182')).length, 0);
    // Another business's token is no token here.
    const other = await openWidget(slugB, ip);
    const crossed = await call('POST', `/widget/leads?business=${slugA}`, { ip, body: form(other, { phone: '512-555-0183', email: '' }) });
    assert.equal(crossed.statusCode, 400);
    assert.match(crossed.json().error.message, /formToken/);

    // Rate limit: the form allows a few per address per window, then 429 with Retry-After.
    const busy = nextIp();
    const fresh = await openWidget(slugA, busy);
    const limit = widgetLimits.form.hits;
    for (let i = 0; i < limit; i++) {
      const res = await call('POST', `/widget/leads?business=${slugA}`, { ip: busy, body: form(fresh, { phone: `512-555-02${String(i).padStart(2, '0')}`, email: '', consent: false }) });
      assert.equal(res.statusCode, 201, res.body);
    }
    const over = await call('POST', `/widget/leads?business=${slugA}`, { ip: busy, body: form(fresh, { phone: '512-555-0299', email: '' }) });
    assert.equal(over.statusCode, 429, over.body);
    const retryAfter = Number(over.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= widgetLimits.form.windowSeconds, `Retry-After ${over.headers['retry-after']}`);
    assert.equal(over.headers['access-control-allow-origin'], '*');
    assert.equal((await contactsByPhone(a, '+15125550299')).length, 0);
    // Another address is not held back, and the window passes.
    assert.equal((await call('POST', `/widget/leads?business=${slugA}`, { ip: nextIp(), body: form(fresh, { phone: '512-555-0298', email: '' }) })).statusCode, 201);
    world().clock.advance(retryAfter * 1000);
    const later = await openWidget(slugA, busy);
    assert.equal((await call('POST', `/widget/leads?business=${slugA}`, { ip: busy, body: form(later, { phone: '512-555-0297', email: '' }) })).statusCode, 201);
  });

  test('a message the intake classifier reads as spam is stored with its classification and makes no lead', async () => {
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    const res = await call('POST', `/widget/leads?business=${slugA}`, {
      ip,
      body: form(cfg, { phone: '512-555-0190', email: '', service: '', urgency: 'routine', message: 'We can get your website to rank #1 on Google! Cheap SEO backlinks, reply YES for a free audit.' }),
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await contactsByPhone(a, '+15125550190')).length, 0);
    const row = await world().db.kysely.selectFrom('widget_submissions').selectAll().where('business_id', '=', a.scope.businessId).where('phone', '=', '+15125550190').executeTakeFirstOrThrow();
    assert.equal(row.status, 'spam');
    assert.equal(row.contact_id, null);
    const classification = (await client(app, a.key).get(`/classifications/${row.classification_id}`)).json();
    assert.equal(classification.intent, 'spam');
  });

  test('a chat threads into the contact like a text, and the team’s reply from the Inbox reaches the visitor', async () => {
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    const started = await call('POST', `/widget/chat?business=${slugA}`, { ip, body: { name: 'Chris Chatter', email: 'chris@visitor.example', message: 'Do you service heat pumps in Round Rock?', pageUrl: 'https://www.customer-site.example/', formToken: cfg.formToken } });
    assert.equal(started.statusCode, 201, started.body);
    const { token, messages } = started.json() as { token: string; messages: Array<{ id: string; from: string; body: string }> };
    assert.ok(token.length >= 40);
    assert.deepEqual(messages.map((m) => m.from), ['visitor'], 'open hours: no automatic answer');
    const stored = await world().db.kysely.selectFrom('widget_conversations').selectAll().where('business_id', '=', a.scope.businessId).execute();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0].token_hash, token, 'only a hash of the token is kept');

    const api = client(app, a.key);
    const contact = ((await api.get('/contacts?email=chris%40visitor.example')).json().data as Array<{ id: string; source: string }>)[0];
    assert.equal(contact.source, 'web_chat');
    const inbound = (await api.get(`/interactions?contactId=${contact.id}&kind=chat`)).json().data as Array<{ direction: string; channel: string; body: string }>;
    assert.deepEqual(inbound.map((i) => [i.direction, i.channel, i.body]), [['inbound', 'web', 'Do you service heat pumps in Round Rock?']]);
    const received = (await api.get('/events?type=message.received&limit=100')).json().data as Array<{ payload: { contactId: string; channel: string } }>;
    assert.ok(received.some((e) => e.payload.contactId === contact.id && e.payload.channel === 'web'));

    // The visitor writes again; the team answers from the Inbox; the widget's next poll has it.
    const next = await call('POST', `/widget/chat/messages?business=${slugA}`, { ip, token, body: { body: 'It is a Trane, about 8 years old.' } });
    assert.equal(next.statusCode, 201, next.body);
    const lastSeen = (next.json().messages as Array<{ id: string }>).at(-1)!.id;
    const reply = await api.post(`/contacts/${contact.id}/chat-replies`, { body: 'Yes we do! Would Thursday morning work?' });
    assert.equal(reply.statusCode, 201, reply.body);
    const poll = await call('GET', `/widget/chat/messages?business=${slugA}&after=${lastSeen}`, { ip, token });
    assert.equal(poll.statusCode, 200, poll.body);
    assert.deepEqual(poll.json().messages.map((m: { from: string; body: string }) => [m.from, m.body]), [['business', 'Yes we do! Would Thursday morning work?']]);
    const all = await call('GET', `/widget/chat/messages?business=${slugA}`, { ip, token });
    assert.equal(all.json().messages.length, 3);

    // Without a token, or with a made-up one, nothing is read.
    assert.equal((await call('GET', `/widget/chat/messages?business=${slugA}`, { ip })).statusCode, 401);
    assert.equal((await call('GET', `/widget/chat/messages?business=${slugA}`, { ip, token: 'x'.repeat(43) })).statusCode, 404);
    const empty = await call('POST', `/widget/chat/messages?business=${slugA}`, { ip, token, body: { body: '   ' } });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().error.message, /body/);
    // A contact who never chatted cannot be answered by chat.
    const plain = (await api.post('/contacts', { name: 'No Chat', phone: '512-555-0177' })).json();
    assert.equal((await api.post(`/contacts/${plain.id}/chat-replies`, { body: 'hello?' })).statusCode, 409);
  });

  test('after hours the intake classifier answers the chat with the reply a text would get; an emergency pages', async () => {
    world().clock.set('2026-03-04T04:00:00Z'); // Tuesday 22:00 in Chicago: closed
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    const started = await call('POST', `/widget/chat?business=${slugA}`, { ip, body: { name: 'Night Owl', phone: '512-555-0195', message: 'Can I get a quote for a new AC unit?', formToken: cfg.formToken } });
    assert.equal(started.statusCode, 201, started.body);
    const messages = started.json().messages as Array<{ from: string; body: string }>;
    assert.deepEqual(messages.map((m) => m.from), ['visitor', 'business']);
    assert.match(messages[1].body, /Night/);
    assert.match(messages[1].body, /Widget Heating/);
    const api = client(app, a.key);
    const contact = (await contactsByPhone(a, '+15125550195'))[0];
    const classifications = (await api.get('/classifications?limit=100')).json().data as Array<{ contactId: string; intent: string }>;
    assert.ok(classifications.some((c) => c.contactId === contact.id && c.intent === 'quote'), JSON.stringify(classifications.filter((c) => c.contactId === contact.id)));

    const token = started.json().token as string;
    const emergency = await call('POST', `/widget/chat/messages?business=${slugA}`, { ip, token, body: { body: 'There is a gas smell in my kitchen right now' } });
    assert.equal(emergency.statusCode, 201, emergency.body);
    const last = (emergency.json().messages as Array<{ from: string; body: string }>).at(-1)!;
    assert.equal(last.from, 'business');
    assert.match(last.body, /gas/i);
    const events = (await api.get('/events?type=intake.emergency&limit=100')).json().data as Array<{ payload: { contactId: string } }>;
    assert.ok(events.some((e) => e.payload.contactId === contact.id), 'on-call routing ran');
    world().clock.set('2026-03-04T15:00:00Z');
  });

  test('spam in a chat makes no lead; a chat token works only with its own business', async () => {
    const ip = nextIp();
    const cfg = await openWidget(slugA, ip);
    const spam = await call('POST', `/widget/chat?business=${slugA}`, { ip, body: { name: 'Promo', phone: '512-555-0196', message: 'Congratulations you won a $500 gift card, click here to claim', formToken: cfg.formToken } });
    assert.equal(spam.statusCode, 201, spam.body);
    assert.deepEqual(spam.json(), { status: 'received' });
    assert.equal((await contactsByPhone(a, '+15125550196')).length, 0);

    const cfgB = await openWidget(slugB, ip);
    const inB = await call('POST', `/widget/chat?business=${slugB}`, { ip, body: { name: 'Bea', phone: '512-555-0197', message: 'Is my plumber coming today?', formToken: cfgB.formToken } });
    assert.equal(inB.statusCode, 201, inB.body);
    const tokenB = inB.json().token as string;
    assert.equal((await call('GET', `/widget/chat/messages?business=${slugB}`, { ip, token: tokenB })).statusCode, 200);
    const crossRead = await call('GET', `/widget/chat/messages?business=${slugA}`, { ip, token: tokenB });
    assert.equal(crossRead.statusCode, 404);
    assert.doesNotMatch(crossRead.body, /plumber|Bea/);
    assert.equal((await call('POST', `/widget/chat/messages?business=${slugA}`, { ip, token: tokenB, body: { body: 'hello' } })).statusCode, 404);
    // B's contact cannot be answered with A's key.
    const bContact = (await contactsByPhone(b, '+15125550197'))[0];
    assert.equal((await client(app, a.key).post(`/contacts/${bContact.id}/chat-replies`, { body: 'hijack' })).statusCode, 404);
  });
});
