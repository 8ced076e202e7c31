import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { apiCall, logIn, shot, useDashboard } from './helpers.ts';

interface User { id: string; name: string; email: string; role: string }
interface Job { id: string; contactId: string; technicianUserId: string | null }

const TECH_PASSWORD = 'wrench-and-gauges-42';

/** Buttons a technician must never be offered (deleting, merging, moving data, changing consent): they belong to owners, managers and agents. */
const FORBIDDEN = /^(delete|merge|import|export|record consent|record opt-out)\b/i;

/** Every page of a list, following nextCursor. */
async function everything<T>(context: BrowserContext, base: string, url: string): Promise<T[]> {
  const out: T[] = [];
  for (let cursor: string | null = null; ; ) {
    const page: { data: T[]; nextCursor: string | null } = await apiCall(context, base, 'GET', `${url}${url.includes('?') ? '&' : '?'}limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    out.push(...page.data);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

async function forbiddenButtons(page: Page): Promise<string[]> {
  const names = await page.getByRole('button').allTextContents();
  return names.map((n) => n.trim()).filter((n) => FORBIDDEN.test(n));
}

describe('a technician logs in and sees what a technician needs', () => {
  const dash = useDashboard();

  test('set-password link, then their jobs and contacts, no delete, merge, import or export, at phone and desktop width', async () => {
    // The owner sends a technician a link (nobody sets another person's password).
    const ownerContext = await dash.browser.newContext();
    await logIn(ownerContext, dash.kinetic.url);
    const users = await apiCall<{ data: User[] }>(ownerContext, dash.kinetic.url, 'GET', '/users');
    const technicians = users.data.filter((u) => u.role === 'technician');
    assert.ok(technicians.length >= 2, 'the demo has several technicians');
    const jobs = await everything<Job>(ownerContext, dash.kinetic.url, '/jobs');
    const tech = technicians.find((t) => jobs.some((j) => j.technicianUserId === t.id));
    assert.ok(tech, 'one of the technicians has jobs');
    await apiCall(ownerContext, dash.kinetic.url, 'POST', `/users/${tech.id}/password-reset`);
    await ownerContext.close();

    // The link went to the technician's own email; it is read where the server wrote it, as a mail server would deliver it.
    const db = new Database(path.join(dash.kinetic.dataDir, 'kinetic.db'), { readonly: true });
    const row = db.prepare('select body from outbox where to_address = ? order by created_at desc limit 1').get(tech.email) as { body: string } | undefined;
    db.close();
    assert.ok(row, 'the set-password link was emailed to the technician');
    const link = /(http\S+reset-password#token=[\w-]+)/.exec(row.body)?.[1];
    assert.ok(link, `the email carries the link: ${row.body}`);

    for (const [width, height, label] of [[390, 844, 'phone'], [1280, 900, 'desktop']] as const) {
      const context = await dash.browser.newContext({ viewport: { width, height } });
      const page = await context.newPage();
      if (label === 'phone') {
        await page.goto(link.replace(/^https?:\/\/[^/]+/, dash.kinetic.url));
        await page.getByLabel('New password').fill(TECH_PASSWORD);
        await page.getByRole('button', { name: 'Set password' }).click();
        await page.getByText('Your password is set.').waitFor();
      }
      await page.goto(`${dash.kinetic.url}/app`);
      await page.getByLabel('Email').fill(tech.email);
      await page.getByLabel('Password').fill(TECH_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();

      // Their screens only: no Today for the office, no pipeline, automations or money.
      await page.getByRole('heading', { level: 1 }).waitFor();
      // On a phone the menu is folded behind its button.
      if (label === 'phone') await page.getByRole('button', { name: 'Menu' }).click();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Schedule' }).waitFor();
      const links = (await nav.getByRole('link').allTextContents()).map((s) => s.trim());
      for (const office of ['Today', 'Inbox', 'Pipeline', 'Automations', 'Campaigns', 'Metrics', 'Revenue leak', 'Companies']) {
        assert.ok(!links.includes(office), `a technician's menu has no ${office}: ${links.join(', ')}`);
      }
      for (const theirs of ['Schedule', 'Contacts', 'Settings']) assert.ok(links.includes(theirs), `a technician's menu has ${theirs}`);
      // No live updates for a role without the event stream, so no "Offline" badge either.
      assert.equal(await page.getByTestId('live-status').count(), 0, 'no live badge for a technician');

      // The API gives them their own jobs and the contacts on them, nothing else.
      const mine: Job[] = await everything<Job>(context, dash.kinetic.url, '/jobs');
      assert.equal(mine.length, jobs.filter((j) => j.technicianUserId === tech.id).length, 'the technician sees all their jobs');
      assert.ok(mine.every((j) => j.technicianUserId === tech.id), 'only their own jobs');
      const contacts = await everything<{ id: string }>(context, dash.kinetic.url, '/contacts');
      const onTheirJobs: Set<string> = new Set<string>(mine.map((j: Job) => j.contactId));
      assert.equal(contacts.length, onTheirJobs.size, 'every contact on their jobs');
      assert.ok(contacts.every((c) => onTheirJobs.has(c.id)), 'only the contacts on their jobs');

      await page.goto(`${dash.kinetic.url}/app/schedule`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      assert.deepEqual(await forbiddenButtons(page), [], 'Schedule offers a technician no delete');
      await shot(page, `technician-schedule-${label}`);

      await page.goto(`${dash.kinetic.url}/app/contacts`);
      await page.getByTestId('contacts-table').waitFor();
      await page.getByTestId('contacts-table').getByRole('link').first().waitFor();
      assert.deepEqual(await forbiddenButtons(page), [], 'Contacts offers a technician no delete, merge, import or export');
      await shot(page, `technician-contacts-${label}`);

      await page.getByTestId('contacts-table').getByRole('link').first().click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await forbiddenButtons(page), [], 'a contact offers a technician no delete or merge');
      await shot(page, `technician-contact-${label}`);

      // And the API holds where the screen hides: a technician cannot delete the contact they are looking at.
      const contactId = new URL(page.url()).pathname.split('/').pop()!;
      const refused = await context.request.fetch(`${dash.kinetic.url}/contacts/${contactId}`, { method: 'DELETE', headers: { origin: dash.kinetic.url } });
      assert.equal(refused.status(), 403, await refused.text());
      await context.close();
    }
  });
});
