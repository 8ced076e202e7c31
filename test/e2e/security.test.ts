import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { apiCall, logIn, useDashboard } from './helpers.ts';

interface Automation { id: string; name: string; status: string }

/** A page on another origin of the same site (same host, another port): what a hostile or compromised neighbour could serve. */
async function neighbour(html: (target: string) => string, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html(target));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * The security headers and the cross-site write check in real Chromium against
 * a real `kinetic start`: the dashboard runs under its CSP with no violation,
 * no other origin can frame it, and a same-site page cannot use the
 * logged-in person's cookie to change anything.
 */
describe('web hardening in Chromium', { timeout: 180_000 }, () => {
  const dash = useDashboard();
  let context: BrowserContext;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    context = await dash.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Runs in the page: records every CSP violation the browser reports.
    await context.addInitScript({ content: "window.cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));" });
  });
  after(async () => {
    for (const c of cleanups) await c();
  });

  test('every dashboard screen runs under the CSP without a single violation', async () => {
    const page = await logIn(context, dash.kinetic.url);
    const res = await page.request.get(`${dash.kinetic.url}/app`);
    const csp = res.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers()['x-content-type-options'], 'nosniff');
    assert.equal(res.headers()['referrer-policy'], 'no-referrer');
    assert.equal(res.headers()['x-frame-options'], 'DENY');
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const name of ['Inbox', 'Contacts', 'Companies', 'Pipeline', 'Schedule', 'Automations', 'Campaigns', 'Metrics', 'Revenue leak', 'Settings', 'Today']) {
      await nav.getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
    }
    const violations = await page.evaluate('window.cspViolations');
    assert.deepEqual(violations, []);
  });

  test('another origin cannot frame the dashboard', async () => {
    const evil = await neighbour((target) => `<!doctype html><title>framer</title><iframe id="f" src="${target}/app" width="800" height="600"></iframe>`, dash.kinetic.url);
    cleanups.push(evil.close);
    const page = await context.newPage();
    const refused = new Promise<string>((resolve) => page.on('console', (m) => /frame-ancestors|Refused to (display|frame)/i.test(m.text()) && resolve(m.text())));
    await page.goto(evil.url);
    assert.match(await refused, /frame/i);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the iframe exists');
    assert.equal(await frame.locator('#root').count(), 0, 'the dashboard did not render inside the frame');
    await page.close();
  });

  test('a same-site page cannot disable an automation with the logged-in cookie', async () => {
    const api = <T>(url: string) => apiCall<T>(context, dash.kinetic.url, 'GET', url);
    const enabled = (await api<{ data: Automation[] }>('/automations')).data.find((a) => a.status === 'enabled');
    assert.ok(enabled, 'the demo has an enabled automation');
    const target = `${dash.kinetic.url}/automations/${enabled.id}/disable`;
    const evil = await neighbour(
      (t) => `<!doctype html><title>neighbour</title><script>
        fetch(${JSON.stringify(t)}, { method: 'POST', credentials: 'include', mode: 'no-cors' }).then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });
      </script>`,
      target,
    );
    cleanups.push(evil.close);
    const page = await context.newPage();
    const sent = page.waitForRequest((r) => r.url() === target);
    await page.goto(evil.url);
    // The browser sends the forged POST with the session cookie (it cannot read the answer: Cross-Origin-Resource-Policy).
    assert.equal((await sent).method(), 'POST');
    await page.waitForFunction("document.title === 'sent'");
    const after = (await api<{ data: Automation[] }>('/automations')).data.find((a) => a.id === enabled.id)!;
    assert.equal(after.status, 'enabled', 'the automation is still on');
    await page.close();

    // The dashboard itself (same origin) still writes with the same cookie.
    const own = await context.newPage();
    await own.goto(`${dash.kinetic.url}/app`);
    await own.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
    const status = await own.evaluate<number>(`fetch(${JSON.stringify(target.replace('/disable', '/enable'))}, { method: 'POST', credentials: 'include' }).then((r) => r.status)`);
    assert.equal(status, 200);
  });
});
