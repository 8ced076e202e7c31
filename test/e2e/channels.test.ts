import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { apiCall, eventually, logIn, shot, useDashboard } from './helpers.ts';

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
    // Today's setup checklist: the demo is set up but for a test message.
    const setup = await api<{ done: number; total: number; steps: Array<{ key: string; done: boolean }> }>('/setup');
    assert.deepEqual(setup.steps.filter((s) => !s.done).map((s) => s.key), ['test_send']);
    await page.getByRole('heading', { name: `Set up Kinetic: ${setup.done} of ${setup.total} done` }).waitFor();
    await page.getByTestId('setup-steps').getByRole('link', { name: 'A test message' }).click();
    await page.waitForURL(/\/app\/settings$/);
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

    // A test text to a team member finishes the checklist: Today no longer shows it.
    const team = await api<{ data: Array<{ phone: string | null }> }>('/users');
    await page.getByLabel('Send to (your mobile number)').fill(team.data.find((u) => u.phone)!.phone!);
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText('Test text queued in the outbox.').waitFor();
    const checked = page.waitForResponse((r) => r.url().endsWith('/setup') && r.ok());
    await page.goto(`${dash.kinetic.url}/app/today`);
    await page.getByRole('heading', { name: 'Today', level: 1 }).waitFor();
    const after = (await (await checked).json()) as { done: number; total: number };
    assert.equal(after.done, after.total);
    await page.waitForTimeout(300); // let React render what /setup said
    assert.equal(await page.getByRole('heading', { name: /Set up Kinetic/ }).count(), 0, 'every step done: no checklist');
  });

  test('Inbox: a simulated emergency text gets the safety message and pages on-call, with no Twilio', async () => {
    const page = await context.newPage(); // the session from the test above
    const api = <T>(url: string) => apiCall<T>(context, dash.kinetic.url, 'GET', url);
    await page.goto(`${dash.kinetic.url}/app/inbox`);
    await page.getByTestId('simulate-inbound').locator('summary').click();
    await page.getByRole('textbox', { name: 'From' }).fill('(512) 555-0987');
    await page.getByRole('textbox', { name: 'Text', exact: true }).fill('I smell gas in the basement, it is really strong');
    await page.getByRole('button', { name: 'Receive' }).click();
    await page.getByRole('status').filter({ hasText: 'Received from +15125550987' }).waitFor();
    // The running worker reads it: the customer is told what to do, the on-call technician is paged.
    const sent = await eventually(
      () => api<{ data: Array<{ to: string; body: string; userId: string | null; contactId: string | null }> }>('/outbox?limit=100'),
      (o) => o.data.some((m) => m.to === '+15125550987' && /leave the building now/.test(m.body)) && o.data.some((m) => m.userId !== null && /EMERGENCY sms from/.test(m.body)),
    );
    assert.ok(sent.data.some((m) => m.to === '+15125550987' && /^Comfort Pro HVAC: we got your message/.test(m.body)));
    const today = await api<{ data: Array<{ kind: string }> }>('/exceptions');
    assert.equal(today.data[0]?.kind, 'emergency_unacked');
    const contactId = sent.data.find((m) => m.to === '+15125550987')!.contactId!;
    await page.goto(`${dash.kinetic.url}/app/inbox/${contactId}`);
    await page.getByText('I smell gas in the basement').first().waitFor();
    await page.getByText(/leave the building now/).first().waitFor();
    assert.equal(await page.getByTestId('thread').getByText(/EMERGENCY sms from/).count(), 0, "the technician's page is not shown as a message to the customer");
    await shot(page, 'inbox-simulated-emergency-phone');
  });
});
