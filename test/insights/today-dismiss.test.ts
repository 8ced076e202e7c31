import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { apiCall, launchBrowser, logIn, shot, startKinetic, type RunningKinetic } from '../e2e/helpers.ts';

interface Listed { data: Array<{ kind: string; id: string; detail: string | null; dismissedBy: { type: string; name: string | null } | null }> }

/**
 * Today's Dismiss in real Chromium against a real `kinetic start`: dismissing on one dashboard
 * removes the item from another open dashboard through the live stream, and Undo brings it back
 * on both.
 */
describe('Today: dismissing an exception for the whole team, in Chromium', { timeout: 180_000 }, () => {
  let kinetic: RunningKinetic;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    kinetic = await startKinetic();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await kinetic?.stop();
  });

  test('dismiss on one dashboard, gone on the other; undo, back on both', async () => {
    for (let i = 0; i < 2; i++) contexts.push(await browser.newContext({ viewport: { width: 1280, height: 900 } }));
    const [first, second] = contexts;
    const pages = [await logIn(first, kinetic.url), await logIn(second, kinetic.url)];
    const contact = await apiCall<{ id: string }>(first, kinetic.url, 'POST', '/contacts', { name: 'Rhea Review', phone: '512-555-0155' });
    await apiCall(first, kinetic.url, 'POST', '/reviews', { contactId: contact.id, status: 'received', rating: 1, body: 'E2E dismiss: the technician never showed up' });
    const items = pages.map((p) => p.getByTestId('exception').filter({ hasText: 'E2E dismiss: the technician never showed up' }));
    for (const [i, page] of pages.entries()) {
      await page.reload();
      await items[i].waitFor();
    }

    await items[0].getByRole('button', { name: /^Dismiss: 1-star review/ }).click();
    await items[0].waitFor({ state: 'detached' });
    await pages[0].getByTestId('dismissed-notice').waitFor();
    await shot(pages[0], 'today-dismissed-undo');
    // The other dashboard, without a reload: the live stream told it.
    await items[1].waitFor({ state: 'detached' });
    await shot(pages[1], 'today-dismissed-elsewhere');

    const listed = await apiCall<Listed>(second, kinetic.url, 'GET', '/exceptions?kind=negative_review&includeDismissed=true');
    const row = listed.data.find((x) => x.detail?.startsWith('E2E dismiss'));
    assert.ok(row, 'listed with includeDismissed');
    assert.equal(row.dismissedBy?.type, 'user');
    const hidden = await apiCall<Listed>(second, kinetic.url, 'GET', '/exceptions?kind=negative_review');
    assert.ok(!hidden.data.some((x) => x.id === row.id), 'hidden by default');

    await pages[0].getByTestId('dismissed-notice').getByRole('button', { name: 'Undo' }).click();
    for (const item of items) await item.waitFor();
    // A fresh load (another browser session) shows it too: nothing was kept in the browser.
    await pages[1].reload();
    await items[1].waitFor();
  });
});
