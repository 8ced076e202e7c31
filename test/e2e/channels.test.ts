import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { apiCall, logIn, shot, useDashboard } from './helpers.ts';

interface SenderNumber { number: string; verified: boolean; source: string }

/**
 * Settings → Channels in real Chromium against `kinetic start` with the demo
 * (dev outbox, no Twilio): the business's numbers with their state, adding
 * and removing one, the API's refusal shown as it is, and the email sender.
 */
describe('Settings → Channels in Chromium', { timeout: 180_000 }, () => {
  const dash = useDashboard();
  let context: BrowserContext;
  before(async () => {
    context = await dash.browser.newContext({ viewport: { width: 390, height: 844 } });
  });

  test('numbers with their state; add, refuse a bad one, remove; set the email From', async () => {
    const page = await logIn(context, dash.kinetic.url);
    const api = <T>(url: string) => apiCall<T>(context, dash.kinetic.url, 'GET', url);
    await page.goto(`${dash.kinetic.url}/app/settings`);
    const table = page.getByTestId('sender-numbers');
    await table.getByRole('row').nth(1).waitFor();
    const before = await api<SenderNumber[]>('/numbers');
    assert.ok(before.length >= 1, 'the demo business has its phone registered');
    assert.equal(await table.getByRole('row').count(), before.length + 1);
    assert.match((await table.getByRole('row').nth(1).textContent()) ?? '', /unverified.*business phone/, 'dev outbox: accepted, unverified');
    await page.getByText('Without Twilio any number is accepted, unverified').waitFor();

    await page.getByLabel('Add a number').fill('(512) 555-0142');
    await page.getByRole('button', { name: 'Add number' }).click();
    await table.getByRole('row', { name: /\+15125550142/ }).waitFor();
    assert.ok((await api<SenderNumber[]>('/numbers')).some((n) => n.number === '+15125550142' && n.source === 'api'));

    await page.getByLabel('Add a number').fill('12');
    await page.getByRole('button', { name: 'Add number' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a valid phone number' }).waitFor();
    await shot(page, 'settings-channels-phone');

    await table.getByRole('row', { name: /\+15125550142/ }).getByRole('button', { name: 'Remove' }).click();
    await table.getByRole('row', { name: /\+15125550142/ }).waitFor({ state: 'detached' });
    assert.ok(!(await api<SenderNumber[]>('/numbers')).some((n) => n.number === '+15125550142'));

    await page.getByLabel('From name').fill('Comfort Pro Office');
    await page.getByLabel('Reply-To').fill('office@comfortpro.example');
    await page.getByRole('button', { name: 'Save email sender' }).click();
    await page.getByRole('status').filter({ hasText: 'Email sender saved.' }).waitFor();
    const channels = await api<{ emailFromName: string; emailReplyTo: string }>('/business/channels');
    assert.deepEqual([channels.emailFromName, channels.emailReplyTo], ['Comfort Pro Office', 'office@comfortpro.example']);
  });
});
