import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { apiCall, eventually, logIn, shot, useDashboard } from './helpers.ts';

const DEMO_SLUG = 'comfort-pro-hvac';

/**
 * The website widget as a business's customer meets it: a plain HTML page on
 * another origin, with a strict CSP that allows only the Kinetic origin
 * (script-src and connect-src; no style-src at all), pastes the snippet; a
 * visitor on a phone-sized screen fills the form with the keyboard alone and
 * sees the confirmation; the lead, its consent evidence and its speed-to-lead
 * text are in Kinetic; a chat reaches the contact's timeline and the team's
 * reply comes back into the widget.
 */
describe('the website widget on another site, under a strict CSP, in Chromium', { timeout: 300_000 }, () => {
  const dash = useDashboard();
  let site: Server;
  let siteUrl: string;

  before(async () => {
    const kinetic = new URL(dash.kinetic.url).origin;
    site = createServer((req, res) => {
      if (req.url !== '/') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        // What docs/widget.md tells a site to allow: the Kinetic origin for the script and its requests, nothing else.
        'content-security-policy': `default-src 'none'; script-src ${kinetic}; connect-src ${kinetic}; base-uri 'none'; form-action 'none'`,
      });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Joe's plain site</title></head>
<body><h1>Joe's Garage Apartments</h1><p>We rent apartments. Our HVAC company is below.</p><a href="#top">Back to top</a>
<script src="${kinetic}/widget.js?business=${DEMO_SLUG}" async></script></body></html>`);
    });
    // "localhost", while Kinetic is on 127.0.0.1: another origin.
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://localhost:${(site.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => site?.close(() => resolve())));

  async function openSite(): Promise<{ page: Page; violations: string[]; foreign: string[] }> {
    const context = await dash.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    context.setDefaultNavigationTimeout(90_000);
    const page = await context.newPage();
    const violations: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    const allowed = [new URL(siteUrl).origin, new URL(dash.kinetic.url).origin];
    page.on('request', (r) => {
      if (!allowed.includes(new URL(r.url()).origin)) foreign.push(r.url());
    });
    await page.goto(siteUrl);
    await page.getByRole('button', { name: 'Request service' }).waitFor();
    return { page, violations, foreign };
  }

  /** Presses Tab until the element has focus (a keyboard user's way there). */
  async function tabTo(page: Page, name: string) {
    const target = page.getByRole('button', { name });
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      if (await target.evaluate((el) => el.matches(':focus'))) return;
    }
    assert.fail(`Tab never reached "${name}"`);
  }

  test('a visitor fills the form with the keyboard and sees the confirmation; the lead has consent evidence and a speed-to-lead text', async () => {
    const { page, violations, foreign } = await openSite();
    await tabTo(page, 'Request service');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Request service' });
    const name = dialog.getByLabel('Name');
    assert.ok(await name.evaluate((el) => el.matches(':focus')), 'opening the form puts focus on its first field');
    assert.equal(await page.getByRole('button', { name: 'Request service' }).getAttribute('aria-expanded'), 'true');
    await page.keyboard.type('Morgan Keyboard');
    await page.keyboard.press('Tab');
    await page.keyboard.type('(512) 867-5309');
    await page.keyboard.press('Tab'); // the consent line, next to the phone field
    assert.ok(await dialog.getByRole('checkbox').evaluate((el) => el.matches(':focus')));
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.type('morgan@keyboard.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Furn'); // picks "Furnace repair" in the select
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // Soon (urgent)
    await page.keyboard.press('Tab');
    await page.keyboard.type('The furnace is blowing cold air since this morning.');
    await shot(page, 'widget-form-390');
    // A person takes more than the minimum fill time; make sure of it on a fast machine.
    await page.waitForTimeout(3_200);
    await page.keyboard.press('Tab'); // the honeypot is skipped (tabindex -1)
    assert.ok(await page.getByRole('button', { name: 'Send request' }).evaluate((el) => el.matches(':focus')), 'Tab goes from the message to Send');
    await page.keyboard.press('Enter');
    const done = page.getByRole('heading', { name: 'Request sent' });
    await done.waitFor();
    await page.getByText('we got your request').waitFor();
    await shot(page, 'widget-confirmation-390');
    assert.deepEqual(violations, [], 'no CSP violation on the page');
    assert.deepEqual(foreign, [], 'no request to a third party');
    // The widget fits a phone: nothing sticks out past the screen edge.
    const width = await page.evaluate<number>('document.scrollingElement.scrollWidth');
    assert.ok(width <= 390, `page scroll width ${width}`);

    const staff = await dash.browser.newContext();
    await logIn(staff, dash.kinetic.url);
    // A number the demo does not have (its customers are 555-0xxx): a new lead.
    const contacts = await apiCall<{ data: Array<{ id: string; source: string }> }>(staff, dash.kinetic.url, 'GET', `/contacts?phone=${encodeURIComponent('+15128675309')}`);
    assert.equal(contacts.data.length, 1);
    assert.equal(contacts.data[0].source, 'web_form');
    const id = contacts.data[0].id;
    const consent = await apiCall<{ data: Array<{ method: string; evidence: string }> }>(staff, dash.kinetic.url, 'GET', `/contacts/${id}/consent`);
    const evidence = JSON.parse(consent.data.find((c) => c.method === 'web_form')!.evidence) as { text: string; pageUrl: string; ip: string };
    assert.match(evidence.text, /Comfort Pro HVAC/);
    assert.equal(evidence.pageUrl, siteUrl);
    assert.equal(evidence.ip, '127.0.0.1');
    const texts = await eventually(
      () => apiCall<{ data: Array<{ channel: string; body: string }> }>(staff, dash.kinetic.url, 'GET', `/outbox?contactId=${id}`),
      (r) => r.data.some((m) => m.channel === 'sms' || m.channel === 'email'),
    );
    assert.ok(texts.data.length >= 1, 'speed-to-lead answered the lead');
    await staff.close();
  });

  test('a chat reaches the contact and the team’s reply appears in the widget', async () => {
    const { page, violations } = await openSite();
    await tabTo(page, 'Chat with us');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Riley Chat');
    await page.keyboard.press('Tab');
    await page.keyboard.type('riley@chat.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Do you install smart thermostats?');
    await page.waitForTimeout(3_200);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const log = page.getByRole('log', { name: 'Conversation' });
    await log.getByText('Do you install smart thermostats?').waitFor();

    const staff = await dash.browser.newContext();
    await logIn(staff, dash.kinetic.url);
    const contacts = await apiCall<{ data: Array<{ id: string }> }>(staff, dash.kinetic.url, 'GET', `/contacts?email=${encodeURIComponent('riley@chat.example')}`);
    const id = contacts.data[0].id;
    const thread = await apiCall<{ data: Array<{ kind: string; direction: string; body: string }> }>(staff, dash.kinetic.url, 'GET', `/interactions?contactId=${id}&kind=chat`);
    assert.ok(thread.data.some((i) => i.direction === 'inbound' && i.body === 'Do you install smart thermostats?'));
    await apiCall(staff, dash.kinetic.url, 'POST', `/contacts/${id}/chat-replies`, { body: 'We do — Nest and Ecobee, usually within the week.' });
    await log.getByText('We do — Nest and Ecobee').waitFor({ timeout: 30_000 });
    await shot(page, 'widget-chat-390');
    assert.deepEqual(violations, []);
    await staff.close();
  });
});
