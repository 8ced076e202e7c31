import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createProviders, type Providers } from '../../src/channels/registry.ts';
import type { AppContext, Scope } from '../../src/context.ts';
import { createContact, getContact } from '../../src/crm/contacts/contacts.ts';
import { createAutomation } from '../../src/engine/automations.ts';
import { dispatchQueued } from '../../src/engine/outbox/dispatch.ts';
import { runDueEnrollments } from '../../src/engine/runner.ts';
import { forEachDialect, makeBusiness, testConfig } from '../helpers/db.ts';
import { startSmtpStandin, type SmtpStandin } from '../helpers/smtp-standin.ts';

/**
 * One-click unsubscribe, as a customer's mail client meets it: a marketing
 * email goes out through a real SMTP server, the received message is parsed,
 * and the List-Unsubscribe URL it carries is followed over HTTP against the
 * started server — with no cookie, no session, no API key.
 */
forEachDialect('one-click unsubscribe from a real email', (world) => {
  let smtp: SmtpStandin;
  let ctx: AppContext;
  let app: FastifyInstance;
  let base: string;
  let providers: Providers;
  let scope: Scope;

  before(async () => {
    smtp = await startSmtpStandin();
    // The server's public URL is where it really listens, so the emitted link is followed exactly as written.
    ctx = { ...world().ctx, config: testConfig({ smtp: { url: smtp.url, from: 'Kinetic <mail@kinetic.example>' } }) };
    app = await buildServer(ctx);
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    ctx.config.publicUrl = base;
    providers = createProviders(ctx.config);
    scope = await makeBusiness(ctx, { name: 'Evergreen Med Spa', email: 'front@evergreen.example', address: { line1: '12 Pine St', city: 'Austin', region: 'TX', postalCode: '78701' } });
    await createAutomation(ctx, scope, {
      enabled: true,
      definition: { name: 'Spring offer', purpose: 'marketing', trigger: { type: 'event', event: 'lead.created' }, steps: [{ type: 'send_email', subject: 'Spring glow: 20% off', body: 'Hi {{ contact.firstName }}, book a facial this month.' }] },
    });
  });
  after(async () => {
    await app?.close();
    await providers?.close();
    await smtp?.close();
  });

  async function emailTo(address: string, firstName: string) {
    const contact = await createContact(ctx, scope, { firstName, email: address, consent: [{ channel: 'email', status: 'granted', method: 'web_form' }] });
    await runDueEnrollments(ctx, 'unsub-test');
    await dispatchQueued(ctx, providers, { workerId: 'unsub-test' });
    const mail = smtp.messages.find((m) => m.envelope.rcptTo.includes(address));
    assert.ok(mail, `an email reached ${address}`);
    return { contact, mail };
  }
  const headerUrl = (mail: SmtpStandin['messages'][number]) => {
    // Headers as a mail client reads them: folded lines unfolded (RFC 5322 §2.2.3).
    const raw = /^List-Unsubscribe:\s*<([^>]+)>/im.exec(mail.raw.replace(/\r?\n[ \t]+/g, ' '))?.[1];
    assert.ok(raw, mail.raw.slice(0, 800));
    return raw;
  };

  test('the header is RFC 8058 one-click; a POST of List-Unsubscribe=One-Click with no session unsubscribes the contact from this business', async () => {
    const { contact, mail } = await emailTo('jose.martinez@example.com', 'José');
    assert.match(mail.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const url = headerUrl(mail);
    assert.ok(url.startsWith(`${base}/unsubscribe/`));
    assert.ok(url.length - base.length < 50, `short link: ${url}`);
    assert.ok(mail.parsed.text?.includes(url), 'the same link is in the visible footer (CAN-SPAM)');
    assert.equal(mail.parsed.from?.value[0].name, 'Evergreen Med Spa', 'sent as the business');
    assert.equal(mail.parsed.replyTo?.value[0].address, 'front@evergreen.example', 'replies go to the business');
    // What a mail client does: POST the body RFC 8058 names, nothing else.
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual' });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { unsubscribed: boolean }).unsubscribed, true);
    const after = await getContact(ctx, scope, contact.id);
    assert.equal(after.consent.email?.status, 'revoked');
    assert.ok(await world().db.kysely.selectFrom('suppressions').select('address').where('business_id', '=', scope.businessId).where('address', '=', 'jose.martinez@example.com').executeTakeFirst());
    // A second POST (clients retry) is fine and changes nothing.
    assert.equal((await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status, 200);
  });

  test('a GET (a person, a link scanner, a prefetcher) only shows a page with a button; the button unsubscribes', async () => {
    const { contact, mail } = await emailTo('sam.lee@example.com', 'Sam');
    const url = headerUrl(mail);
    for (let i = 0; i < 3; i++) {
      const page = await fetch(url, { headers: { accept: 'text/html' } });
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /Unsubscribe from Evergreen Med Spa\?/);
      assert.match(html, /<form method="post">[\s\S]*<button type="submit">Unsubscribe<\/button>/);
      assert.ok(!html.includes('sam.lee@example.com'), 'the address is masked on a page anyone with the link can open');
    }
    assert.equal((await getContact(ctx, scope, contact.id)).consent.email?.status, 'granted', 'GET changed nothing');
    const clicked = await fetch(url, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(clicked.status, 200);
    assert.match(await clicked.text(), /You are unsubscribed from Evergreen Med Spa/);
    assert.equal((await getContact(ctx, scope, contact.id)).consent.email?.status, 'revoked');
  });

  test('a made-up or altered token is a 404 and unsubscribes nobody', async () => {
    for (const token of ['AAAAAAAAAAAAAAAAAAAAAA', 'short', `${'x'.repeat(300)}`]) {
      const res = await fetch(`${base}/unsubscribe/${token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.ok(res.status === 404 || res.status === 400, `${token.slice(0, 10)}: ${res.status}`);
    }
  });
});
