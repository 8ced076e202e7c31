import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { apiCall, logIn, shot, useDashboard } from '../e2e/helpers.ts';

interface Listed {
  data: Array<{ kind: string; id: string; title: string; detail: string | null; dismissedBy: { type: string; name: string | null } | null; dismissedAt: string | null; until: string | null; note: string | null }>;
}

/**
 * Today's Dismiss in real Chromium against a real `kinetic start`: dismissing on one dashboard
 * removes the item from another open dashboard through the live stream, and Undo brings it back
 * on both. A note goes with a dismissal or snooze, Show dismissed lists them with who, when, until
 * and note, and Restore brings an item back.
 */
describe('Today: dismissing an exception for the whole team, in Chromium', { timeout: 180_000 }, () => {
  const dash = useDashboard();
  const contexts: BrowserContext[] = [];

  test('dismiss on one dashboard, gone on the other; undo, back on both', async () => {
    for (let i = 0; i < 2; i++) contexts.push(await dash.browser.newContext({ viewport: { width: 1280, height: 900 } }));
    const [first, second] = contexts;
    const pages = [await logIn(first, dash.kinetic.url), await logIn(second, dash.kinetic.url)];
    const contact = await apiCall<{ id: string }>(first, dash.kinetic.url, 'POST', '/contacts', { name: 'Rhea Review', phone: '512-555-0155' });
    await apiCall(first, dash.kinetic.url, 'POST', '/reviews', { contactId: contact.id, status: 'received', rating: 1, body: 'E2E dismiss: the technician never showed up' });
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

    const listed = await apiCall<Listed>(second, dash.kinetic.url, 'GET', '/exceptions?kind=negative_review&includeDismissed=true');
    const row = listed.data.find((x) => x.detail?.startsWith('E2E dismiss'));
    assert.ok(row, 'listed with includeDismissed');
    assert.equal(row.dismissedBy?.type, 'user');
    const hidden = await apiCall<Listed>(second, dash.kinetic.url, 'GET', '/exceptions?kind=negative_review');
    assert.ok(!hidden.data.some((x) => x.id === row.id), 'hidden by default');

    await pages[0].getByTestId('dismissed-notice').getByRole('button', { name: 'Undo' }).click();
    for (const item of items) await item.waitFor();
    // A fresh load (another browser session) shows it too: nothing was kept in the dash.browser.
    await pages[1].reload();
    await items[1].waitFor();
  });
  test('a note with Dismiss and Snooze; Show dismissed lists who, when, until and note; Restore brings it back', async () => {
    const [first, second] = [await dash.browser.newContext({ viewport: { width: 1280, height: 900 } }), await dash.browser.newContext({ viewport: { width: 1280, height: 900 } })];
    const pages = [await logIn(first, dash.kinetic.url), await logIn(second, dash.kinetic.url)];
    const review = async (name: string, phone: string, body: string) => {
      const c = await apiCall<{ id: string }>(first, dash.kinetic.url, 'POST', '/contacts', { name, phone });
      await apiCall(first, dash.kinetic.url, 'POST', '/reviews', { contactId: c.id, status: 'received', rating: 1, body });
    };
    const noted = 'E2E note: the invoice was wrong';
    const snoozed = 'E2E snooze: nobody called back';
    await review('Nora Noted', '512-555-0156', noted);
    await review('Sam Snoozed', '512-555-0157', snoozed);
    for (const page of pages) await page.reload();
    const open = (i: number, text: string) => pages[i].getByTestId('exception').filter({ hasText: text });
    await open(0, noted).waitFor();
    await open(0, snoozed).waitFor();
    const notedTitle = (await open(0, noted).locator('strong').first().textContent()) ?? '';
    assert.match(notedTitle, /1-star review/);

    // The second dashboard shows dismissed items; it learns of the dismissals from the live stream.
    const toggle = pages[1].getByRole('checkbox', { name: 'Show dismissed' });
    await toggle.check();
    await pages[1].getByRole('heading', { name: 'Dismissed and snoozed' }).waitFor();
    const listed = (i: number, text: string) => pages[i].getByTestId('dismissed').filter({ hasText: text });
    assert.equal(await listed(1, noted).count(), 0, 'not dismissed yet');

    // Dismiss with a note, by keyboard: the note field opens focused, Enter dismisses.
    const noteButton = open(0, noted).getByRole('button', { name: `Add a note: ${notedTitle}` });
    assert.equal(await noteButton.getAttribute('aria-expanded'), 'false');
    await noteButton.focus();
    await pages[0].keyboard.press('Enter');
    assert.equal(await noteButton.getAttribute('aria-expanded'), 'true');
    const noteField = open(0, noted).getByLabel('Note for the team (optional)');
    await noteField.waitFor();
    assert.equal(await pages[0].evaluate<string>('document.activeElement.id'), await noteField.getAttribute('id'), 'the note field has the focus');
    await pages[0].keyboard.type('Refund agreed on the phone');
    await shot(pages[0], 'today-dismiss-note');
    await pages[0].keyboard.press('Enter');
    await open(0, noted).waitFor({ state: 'detached' });
    const notice = pages[0].getByTestId('dismissed-notice');
    await notice.filter({ hasText: 'Refund agreed on the phone' }).waitFor();

    // Snooze the other one with a note, by clicking.
    await open(0, snoozed).getByRole('button', { name: /^Add a note: / }).click();
    await open(0, snoozed).getByLabel('Note for the team (optional)').fill('Call again tomorrow');
    await open(0, snoozed).getByRole('button', { name: /^Snooze for a day: / }).click();
    await open(0, snoozed).waitFor({ state: 'detached' });
    await notice.filter({ hasText: 'Snoozed for a day' }).filter({ hasText: 'Call again tomorrow' }).waitFor();

    const api = await apiCall<Listed>(second, dash.kinetic.url, 'GET', '/exceptions?kind=negative_review&includeDismissed=true');
    const notedRow = api.data.find((x) => x.detail?.startsWith(noted));
    const snoozedRow = api.data.find((x) => x.detail?.startsWith(snoozed));
    assert.equal(notedRow?.note, 'Refund agreed on the phone');
    assert.equal(notedRow?.until, null);
    assert.equal(snoozedRow?.note, 'Call again tomorrow');
    assert.ok(snoozedRow?.until && Date.parse(snoozedRow.until) > Date.now(), 'snoozed into the future');
    const who = notedRow?.dismissedBy?.name;
    assert.ok(who, 'the dismissal names the user');

    // Both show on the other dashboard's dismissed list without a reload: who, when, until and note.
    await listed(1, noted).waitFor();
    await listed(1, snoozed).waitFor();
    const notedText = (await listed(1, noted).textContent()) ?? '';
    assert.match(notedText, new RegExp(`Dismissed by ${who} · `));
    assert.match(notedText, /until restored/);
    assert.equal(await listed(1, noted).getByTestId('dismissed-note').textContent(), 'Refund agreed on the phone');
    const snoozedText = (await listed(1, snoozed).textContent()) ?? '';
    assert.match(snoozedText, new RegExp(`Snoozed by ${who} · `));
    assert.match(snoozedText, /shows again \w{3} \d{1,2}, \d{4}/);
    assert.equal(await listed(1, snoozed).getByTestId('dismissed-note').textContent(), 'Call again tomorrow');
    await shot(pages[1], 'today-show-dismissed');

    // Restore from the dismissed list: back in the open list on both dashboards, off the dismissed list.
    await listed(1, noted).getByRole('button', { name: `Restore: ${notedTitle}` }).click();
    await listed(1, noted).waitFor({ state: 'detached' });
    await open(1, noted).waitFor();
    await open(0, noted).waitFor();
    assert.equal(await listed(1, snoozed).count(), 1, 'the snoozed item stays snoozed');
    const after = await apiCall<Listed>(second, dash.kinetic.url, 'GET', '/exceptions?kind=negative_review');
    const back = after.data.find((x) => x.detail?.startsWith(noted));
    assert.ok(back, 'listed again without includeDismissed');
    assert.equal(back.dismissedAt, null);
    assert.ok(!after.data.some((x) => x.detail?.startsWith(snoozed)), 'still snoozed for everyone');
    await shot(pages[1], 'today-restored');

    // Turning the toggle off hides the list.
    await toggle.uncheck();
    await pages[1].getByRole('heading', { name: 'Dismissed and snoozed' }).waitFor({ state: 'detached' });
  });
});
