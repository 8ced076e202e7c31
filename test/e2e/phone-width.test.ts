import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually, logIn, shot, useDashboard } from './helpers.ts';

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  /** Tables (or other wide blocks) that run past the screen edge without a scrolling box of their own that fits. */
  cutOff: string[];
  headingLeft: number;
  headingRight: number;
}

/**
 * Measures the page as a person on that screen would see it. A string, run as it is in the page
 * (the test runner's compiler would add helpers to a function that the page does not have).
 */
const measure = `(() => {
  const w = window.innerWidth;
  function scrollsItself(el) {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') && e.getBoundingClientRect().right <= w + 1) return true;
    }
    return false;
  }
  const cutOff = [...document.querySelectorAll('main table, main .board, main .calendar, main pre')]
    .filter((el) => el.getBoundingClientRect().right > w + 1 && !scrollsItself(el))
    .map((el) => el.tagName.toLowerCase() + (el.getAttribute('data-testid') ? '[' + el.getAttribute('data-testid') + ']' : ''));
  const h1 = document.querySelector('main h1');
  const r = h1 ? h1.getBoundingClientRect() : null;
  return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth: w, cutOff, headingLeft: r ? r.left : -1, headingRight: r ? r.right : Infinity };
})()`;
const layout = (page: Page) => page.evaluate<Layout>(measure);

/** Waits until the screen has loaded what it shows (no "Loading …" line left). */
const settled = (page: Page) => eventually(() => page.locator('main').getByText(/^Loading\b/).count(), (n) => n === 0);

/**
 * Every screen in the navigation at a phone's width (390 × 844, an iPhone 14) and at a desktop's:
 * nothing is cut off at the side (no page-level horizontal scroll; wide tables scroll inside their
 * own box), the screen's heading is on screen, and on the phone the navigation folds behind a Menu button.
 */
describe('every screen fits a phone and a desktop, in Chromium', { timeout: 300_000 }, () => {
  const dash = useDashboard();

  for (const [label, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]] as const) {
    test(`${label} ${viewport.width}×${viewport.height}: each screen in the nav`, async () => {
      const context = await dash.browser.newContext({ viewport, ...(label === 'phone' && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }) });
      // A shared, busy machine can take longer than the default 30 s for the first load.
      context.setDefaultNavigationTimeout(90_000);
      const page = await logIn(context, dash.kinetic.url);
      const nav = page.getByRole('navigation', { name: 'Main' });
      const menu = page.getByRole('button', { name: 'Menu' });
      if (label === 'phone') {
        // Folded away until asked for; the Menu button says whether it is open.
        assert.equal(await nav.isVisible(), false, 'the navigation is folded on a phone');
        assert.equal(await menu.getAttribute('aria-expanded'), 'false');
        await menu.click();
        await nav.waitFor();
        assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      } else {
        assert.equal(await menu.isVisible(), false, 'no Menu button on a desktop');
        assert.equal(await nav.isVisible(), true);
      }
      const links = await nav.getByRole('link').evaluateAll((as) => as.map((a) => [a.textContent ?? '', (a as unknown as { pathname: string }).pathname]));
      assert.ok(links.length >= 10, `the owner sees every screen: ${JSON.stringify(links)}`);
      const problems: string[] = [];
      for (const [name, pathname] of links) {
        if (label === 'phone') {
          // Through the menu, as a person would: it folds again after the choice.
          if (!(await nav.isVisible())) await menu.click();
          await nav.getByRole('link', { name, exact: true }).click();
          await nav.waitFor({ state: 'hidden' });
        } else {
          await nav.getByRole('link', { name, exact: true }).click();
        }
        await page.waitForURL((u) => u.pathname === pathname);
        const heading = page.locator('main h1').first();
        await heading.waitFor();
        await settled(page);
        assert.ok(await heading.isVisible(), `${name}: the heading is visible`);
        const m = await layout(page);
        await shot(page, `phone-width-${label}-${pathname.split('/').pop()}`);
        // A phone's browser zooms out to fit content that is too wide: the layout viewport then grows past the screen.
        if (m.innerWidth !== viewport.width) problems.push(`${name}: the browser had to zoom out (layout ${m.innerWidth} px on a ${viewport.width} px screen)`);
        if (m.scrollWidth > m.innerWidth) problems.push(`${name}: the page scrolls sideways (${m.scrollWidth} px wide in ${m.innerWidth} px)`);
        if (m.cutOff.length) problems.push(`${name}: cut off at the edge: ${m.cutOff.join(', ')}`);
        if (m.headingLeft < 0 || m.headingRight > m.innerWidth) problems.push(`${name}: the heading runs off the screen (${m.headingLeft}–${m.headingRight})`);
      }
      assert.deepEqual(problems, []);
      await context.close();
    });
  }
});
