import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { apiCall, contextFor, eventually, logIn, screenSizes, shot, useDashboard } from './helpers.ts';

interface Figure { count: number; amountCents: number }
interface Totals { open: Record<string, Figure>; won: Figure; lost: Figure }
interface Deal { id: string; stage: string; status: string }

/** As the dashboard writes an amount (whole dollars, en-US). */
const money = (cents: number) => `$${Math.round(cents / 100).toLocaleString('en-US')}`;

/** The column is on screen (a phone scrolls the board sideways to it): its box lies within the viewport's width. */
async function onScreen(page: Page, target: Locator): Promise<boolean> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  const width = page.viewportSize()!.width;
  return !!box && box.width > 0 && box.x >= -1 && box.x + box.width <= width + 1 && (await target.isVisible());
}

/**
 * Closing deals on the Pipeline in real Chromium against a real `kinetic start` (demo business,
 * SQLite), at a phone's width (390 × 844, touch) and a desktop's: one deal goes to Lost (on the
 * phone with the card's stage control, on the desktop by dragging it onto the Lost column), another
 * to Won by the keyboard. Won and Lost stay on the board with the cards, and the columns' and the
 * period's totals are the server's figures for the period the screen shows — before and after a reload.
 */
describe('Pipeline in Chromium: Won and Lost stay on the board with the period totals', { timeout: 300_000 }, () => {
  const dash = useDashboard();

  for (const [n, size] of screenSizes.entries()) {
    const { label } = size;
    test(`${label}: a deal to Lost ${size.touch ? 'with its stage control' : 'by drag'}, another to Won by the keyboard`, async () => {
      const context = await contextFor(dash.browser, size);
      const base = dash.kinetic.url;
      const page = await logIn(context, base);
      const contact = await apiCall<{ id: string }>(context, base, 'POST', '/contacts', { name: `Lou Lostdeal ${label}`, phone: `512-555-01${70 + n}` });
      const newDeal = (title: string, amountCents: number) => apiCall<Deal & { title: string; amountCents: number }>(context, base, 'POST', '/deals', { contactId: contact.id, title, amountCents, stage: 'negotiation' });
      const lostDeal = await newDeal(`E2E furnace for Lou (${label})`, 731_000 + n * 10_000);
      const wonDeal = await newDeal(`E2E thermostat for Lou (${label})`, 412_000 + n * 10_000);

      // The period the screen shows (This month, by default) is the one its totals were asked for.
      const asked = page.waitForResponse((r) => new URL(r.url()).pathname === '/pipeline/totals');
      await page.goto(`${base}/app/pipeline`);
      const closedAfter = new URL((await asked).url()).searchParams.get('closedAfter')!;
      assert.ok(closedAfter, 'the board asks for a period');
      const totals = () => apiCall<Totals>(context, base, 'GET', `/pipeline/totals?closedAfter=${encodeURIComponent(closedAfter)}`);
      const before = await totals();
      const column = (stage: string) => page.locator(`[data-stage="${stage}"]`);
      const card = (stage: string, deal: { id: string }) => column(stage).locator(`[data-deal="${deal.id}"]`);
      await card('negotiation', lostDeal).waitFor();
      await card('negotiation', wonDeal).waitFor();
      await shot(page, `pipeline-${label}-01-before`);

      // To Lost: a phone has no drag, so the card's stage control; a desktop drags the card onto the column.
      if (size.touch) {
        await card('negotiation', lostDeal).scrollIntoViewIfNeeded();
        await page.getByLabel(`Stage of ${lostDeal.title}`).selectOption('lost');
      } else {
        await page.locator(`[data-deal="${lostDeal.id}"]`).dragTo(column('lost'), { sourcePosition: { x: 12, y: 10 }, targetPosition: { x: 60, y: 40 } });
      }
      await card('lost', lostDeal).waitFor();
      assert.equal((await eventually(() => apiCall<Deal>(context, base, 'GET', `/deals/${lostDeal.id}`), (d) => d.status === 'lost')).stage, 'lost');

      // To Won with the keyboard alone: the stage menu focused, one step down from negotiation is won.
      const stage = page.getByLabel(`Stage of ${wonDeal.title}`);
      await stage.focus();
      await page.keyboard.press('ArrowDown');
      await card('won', wonDeal).waitFor();
      assert.equal((await eventually(() => apiCall<Deal>(context, base, 'GET', `/deals/${wonDeal.id}`), (d) => d.status === 'won')).stage, 'won');

      // The server's figures for the period: one more lost and one more won, by these deals' amounts.
      const after = await totals();
      assert.deepEqual(after.lost, { count: before.lost.count + 1, amountCents: before.lost.amountCents + lostDeal.amountCents });
      assert.deepEqual(after.won, { count: before.won.count + 1, amountCents: before.won.amountCents + wonDeal.amountCents });
      assert.equal(after.open.negotiation?.count ?? 0, before.open.negotiation.count - 2);

      const check = async (when: string) => {
        const line = `Won ${after.won.count} (${money(after.won.amountCents)}) · lost ${after.lost.count} (${money(after.lost.amountCents)})`;
        const periodTotals = page.getByTestId('pipeline-period-totals');
        await eventually(async () => (await periodTotals.textContent()) ?? '', (t) => t.trim() === line);
        assert.equal(await onScreen(page, periodTotals), true, `period totals on screen ${when}`);
        for (const [stage, figure, deal] of [['won', after.won, wonDeal], ['lost', after.lost, lostDeal]] as const) {
          const heading = column(stage).locator('h2');
          await eventually(async () => (await heading.textContent()) ?? '', (t) => t === `${stage} ${figure.count} · ${money(figure.amountCents)}`);
          assert.equal(await onScreen(page, heading), true, `the ${stage} column on screen ${when}`);
          assert.equal(await onScreen(page, card(stage, deal)), true, `the ${stage} card on screen ${when}`);
        }
        assert.equal(await column('negotiation').locator(`[data-deal="${lostDeal.id}"], [data-deal="${wonDeal.id}"]`).count(), 0, `no longer in negotiation ${when}`);
      };
      await check('after the moves');
      await shot(page, `pipeline-${label}-02-won-lost`);
      await page.reload();
      await card('lost', lostDeal).waitFor();
      await check('after a reload');
      await shot(page, `pipeline-${label}-03-reloaded`);
      await context.close();
    });
  }
});
