import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { apiCall, contextFor, eventually, logIn, press, screenSizes, shot, useDashboard } from './helpers.ts';

interface Automation { id: string; name: string; definition: { steps: Array<Record<string, unknown>> } }
interface AlertRule { id: string; metric: string; comparator: string; threshold: number; windowDays: number; enabled: boolean }

/**
 * The configuration screens in real Chromium against a real `kinetic start`: waits typed in words,
 * alert rules edited and deleted, the leak calculator on bad input, metric labels, score reasons in
 * words, and a team member invited by text — each at a phone's width (390 × 844, touch) and a desktop's.
 */
describe('configuring Kinetic from the dashboard, in Chromium', { timeout: 600_000 }, () => {
  const dash = useDashboard();

  for (const [n, size] of screenSizes.entries()) {
    const { label } = size;
    describe(`at ${label} width`, () => {
      let context: BrowserContext;
      const call = <T>(method: 'GET' | 'POST', url: string, body?: unknown) => apiCall<T>(context, dash.kinetic.url, method, url, body);
      const automation = `E2E waits in words (${label})`;
      const invitee = { name: `Terry Texted ${label === 'phone' ? 'Phoneby' : 'Deskwell'}`, email: `terry.texted.${label}@comfortpro.example`, phone: `(512) 555-01${48 + 2 * n}`, e164: `+15125550${148 + 2 * n}`, edited: `512-555-01${49 + 2 * n}`, editedE164: `+15125550${149 + 2 * n}` };

      before(async () => {
        context = await contextFor(dash.browser, size);
        await (await logIn(context, dash.kinetic.url)).close();
      });
      after(() => context?.close());

      test('step editor: waits in words (2 hours, then next morning 9:00), a task due in 30 minutes, a branch of nested steps; saved as the document format', async () => {
        const page = await context.newPage();
        await page.goto(`${dash.kinetic.url}/app/automations`);
        await press(size, page.getByRole('button', { name: 'New automation' }));
        await page.getByLabel('Name', { exact: true }).fill(automation);
        await page.getByLabel('Step 1 text message', { exact: true }).fill('Thanks for reaching out, {{ contact.firstName }}!');
        // A wait: 2 hours, then until the next 9:00 in the contact's time.
        await page.getByLabel('Add a step', { exact: true }).selectOption('wait');
        await press(size, page.getByRole('button', { name: 'Add step', exact: true }));
        await page.getByLabel('Step 2 wait for', { exact: true }).fill('2');
        await page.getByLabel('Step 2 wait for unit', { exact: true }).selectOption('hours');
        await page.getByLabel('Step 2: until a time of day (e.g. next morning 9:00)').check();
        await page.getByLabel('Step 2 until the next', { exact: true }).fill('09:00');
        await page.getByTestId('step-1-summary').filter({ hasText: "Waits 2 hours, then until the next 9:00 (contact's time)." }).waitFor();
        // No ISO text anywhere for it.
        assert.equal(await page.getByText(/PT2H/).count(), 0);
        // A task due in 30 minutes.
        await page.getByLabel('Add a step', { exact: true }).selectOption('create_task');
        await press(size, page.getByRole('button', { name: 'Add step', exact: true }));
        await page.getByLabel('Step 3 task title', { exact: true }).fill('Call {{ contact.name }} back');
        await page.getByLabel('Step 3 due', { exact: true }).selectOption('in');
        await page.getByLabel('Step 3 due in', { exact: true }).fill('30');
        await page.getByLabel('Step 3 due in unit', { exact: true }).selectOption('minutes');
        // A branch whose outcome is a nested list: tag the referral.
        await page.getByLabel('Add a step', { exact: true }).selectOption('branch');
        await press(size, page.getByRole('button', { name: 'Add step', exact: true }));
        await page.getByLabel('Step 4: add a step if it holds', { exact: true }).selectOption('update');
        await press(size, page.getByRole('button', { name: 'Step 4: add a step if it holds: add' }));
        await page.getByLabel('Step 4 › yes 1 add tags (comma-separated)', { exact: true }).fill('referral, warm');
        assert.equal(await page.locator('#automation-editor textarea[id$="-json"]').count(), 0, 'no JSON for ordinary steps');
        await press(size, page.getByRole('button', { name: 'Check' }));
        await page.getByText('The automation is valid.').waitFor();
        await shot(page, `config-step-editor-waits-${label}`);
        await press(size, page.getByRole('button', { name: 'Create automation' }));
        await page.locator('#simulation').getByRole('heading', { name: `Simulate ${automation}` }).waitFor();

        const saved = (await call<{ data: Automation[] }>('GET', '/automations?limit=100')).data.find((a) => a.name === automation);
        assert.ok(saved);
        const [, wait, task, branch] = saved.definition.steps;
        assert.deepEqual(wait, { type: 'wait', duration: 'PT2H', until: { time: '09:00', zone: 'contact' } });
        assert.deepEqual(task.due, { in: 'PT30M' });
        assert.deepEqual(branch.then, [{ type: 'update', addTags: ['referral', 'warm'] }]);

        // Opened again, the wait reads in words.
        await press(size, page.getByTestId('automations-table').getByRole('row').filter({ hasText: automation }).getByRole('button', { name: 'Edit' }));
        assert.equal(await page.getByLabel('Step 2 wait for', { exact: true }).inputValue(), '2');
        assert.equal(await page.getByLabel('Step 2 wait for unit', { exact: true }).inputValue(), 'hours');
        assert.equal(await page.getByLabel('Step 3 due in unit', { exact: true }).inputValue(), 'minutes');
        await page.close();
      });

      test('alert rules: change threshold, comparator and window, switch off, delete — through the API', async () => {
        const page = await context.newPage();
        const rule = await call<AlertRule>('POST', '/alert-rules', { metric: 'answerRate', comparator: 'below', threshold: 0.8, windowDays: 7 });
        await page.goto(`${dash.kinetic.url}/app/metrics`);
        const row = page.getByTestId('alert-rule').filter({ hasText: 'Call answer rate' });
        await row.getByText('below 80% over 7 days').waitFor();
        await press(size, row.getByRole('button', { name: 'Edit the Call answer rate alert' }));
        const form = page.getByRole('form', { name: 'Edit the Call answer rate alert' });
        assert.equal(await form.getByLabel('Threshold (%)').inputValue(), '80');
        await form.getByLabel('Threshold (%)').fill('150');
        await form.getByText('A rate is between 0 and 100%.').waitFor();
        assert.equal(await form.getByRole('button', { name: 'Save' }).isDisabled(), true);
        await form.getByLabel('Threshold (%)').fill('65');
        await form.getByLabel('Alert when').selectOption('above');
        await form.getByLabel('Over the last (days)').fill('30');
        await press(size, form.getByRole('button', { name: 'Save' }));
        await row.getByText('above 65% over 30 days').waitFor();
        let stored = await call<AlertRule>('GET', `/alert-rules/${rule.id}`);
        assert.deepEqual([stored.comparator, stored.threshold, stored.windowDays, stored.enabled], ['above', 0.65, 30, true]);
        // The box follows the stored rule, so it changes once the API has answered.
        await press(size, row.getByLabel('Call answer rate alert on'));
        await row.locator('.tag', { hasText: 'off' }).waitFor();
        stored = await eventually(() => call<AlertRule>('GET', `/alert-rules/${rule.id}`), (r) => !r.enabled);
        assert.equal(stored.enabled, false);
        await shot(page, `config-alert-rule-edited-${label}`);
        await press(size, row.getByRole('button', { name: 'Delete the Call answer rate alert' }));
        await row.waitFor({ state: 'detached' });
        const left = await call<{ data: AlertRule[] }>('GET', '/alert-rules');
        assert.ok(!left.data.some((r) => r.id === rule.id), 'deleted');
        await page.close();
      });

      test('metrics: speed to lead says which leads it is over, and review velocity is charted by week', async () => {
        const page = await context.newPage();
        await page.goto(`${dash.kinetic.url}/app/metrics`);
        const tiles = page.getByTestId('metric-tiles');
        await tiles.getByText('Speed to lead (median, leads not answered live)').waitFor();
        const m = await call<{ metrics: { speedToLead: { leads: number; notAnsweredLive: { leads: number } } } }>('GET', `/insights/metrics?from=${encodeURIComponent(new Date(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`) - 30 * 86_400_000).toISOString())}&to=${encodeURIComponent(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`)}`);
        const s = m.metrics.speedToLead;
        assert.equal(await page.getByTestId('speed-detail').textContent(), `${s.leads - s.notAnsweredLive.leads} of ${s.leads} leads answered live; ${s.notAnsweredLive.leads} waited`);
        await page.getByRole('img', { name: /^Review velocity by week/ }).waitFor();
        assert.equal(await page.getByRole('img', { name: /^Review velocity by day/ }).count(), 0);
        await page.getByRole('img', { name: /^Call answer rate by day/ }).waitFor();
        await page.close();
      });

      test('leak calculator: a blank, negative or over-100% number shows its error and no figure or total at all', async () => {
        const page = await context.newPage();
        await page.goto(`${dash.kinetic.url}/app/leak`);
        await page.getByTestId('leak-total').waitFor();
        const answer = page.getByLabel('Calls answered (%)');
        for (const [typed, message] of [['150', 'At most 100%.'], ['-5', 'Cannot be negative.'], ['', 'Enter a number.']] as const) {
          await answer.fill(typed);
          await page.getByTestId('leak-answerRate-problem').filter({ hasText: message }).waitFor();
          await page.getByTestId('leak-invalid').waitFor();
          for (const id of ['leak-total', 'leak-revenue', 'leak-leads', 'leak-arithmetic', 'leak-missed']) assert.equal(await page.getByTestId(id).count(), 0, `${id} hidden on "${typed}"`);
        }
        await shot(page, `config-leak-bad-input-${label}`);
        await answer.fill('71');
        await page.getByTestId('leak-total').waitFor();
        assert.equal(await page.getByTestId('leak-answerRate-problem').count(), 0);
        assert.equal(await page.getByTestId('leak-total').count(), 1, 'one total');
        assert.equal(await page.getByText(/^Total recoverable/).count(), 1);
        await page.close();
      });

      test('score reasons read as words on Today and in the API', async () => {
        const page = await context.newPage();
        await page.goto(`${dash.kinetic.url}/app/today`);
        const reasons = page.getByTestId('queue-reasons');
        await reasons.first().waitFor();
        const texts = await reasons.allTextContents();
        assert.ok(texts.some((t) => /(raises|lowers) (the odds|stall risk)/.test(t)), JSON.stringify(texts.slice(0, 3)));
        for (const t of texts) assert.doesNotMatch(t, /_| is \d/, t);
        const queue = await call<{ data: Array<{ reasons: string[] }> }>('GET', '/queue');
        assert.ok(queue.data.flatMap((q) => q.reasons).every((r) => !/minutes is|_/.test(r)));
        await page.close();
      });

      test('settings → team: invite by text to the phone, edit a phone for on-call, and no password field for anyone else', async () => {
        const page = await context.newPage();
        await page.goto(`${dash.kinetic.url}/app/settings`);
        const form = page.getByRole('form', { name: 'Add a user' });
        await form.getByLabel('Name').fill(invitee.name);
        await form.getByLabel('Email (their login)').fill(invitee.email);
        assert.equal(await form.getByLabel('Send the password link by').isDisabled(), true, 'text needs a phone');
        await form.getByLabel('Mobile phone (optional)').fill(invitee.phone);
        await form.getByLabel('Send the password link by').selectOption('sms');
        await form.getByLabel('Role').selectOption('technician');
        await press(size, form.getByRole('button', { name: 'Add user' }));
        await page.getByText(`A link to choose a password went by text to ${invitee.phone}.`).waitFor();
        const users = await call<{ data: Array<{ id: string; name: string; phone: string | null }> }>('GET', '/users');
        const terry = users.data.find((u) => u.name === invitee.name);
        assert.equal(terry?.phone, invitee.e164);
        const outbox = await eventually(() => call<{ data: Array<{ to: string; channel: string; body: string }> }>('GET', '/outbox?channel=sms&limit=50'), (o) => o.data.some((m) => m.to === invitee.e164));
        assert.ok(outbox.data.some((m) => m.to === invitee.e164 && m.channel === 'sms'));
        // A phone for on-call, edited in place.
        const table = page.getByTestId('users-table');
        const row = table.getByRole('row').filter({ hasText: invitee.name });
        await row.getByLabel(`Phone of ${invitee.name}`).fill(invitee.edited);
        await press(size, row.getByRole('button', { name: `Save ${invitee.name}'s phone` }));
        await page.getByText(`${invitee.name}'s phone is saved.`).waitFor();
        assert.equal((await call<{ phone: string }>('GET', `/users/${terry!.id}`)).phone, invitee.editedE164);
        await press(size, row.getByRole('button', { name: `Text ${invitee.name} a password reset link` }));
        await page.getByText(`A reset link was texted to ${invitee.editedE164}.`).waitFor();
        // Nobody types another person's password: the team card has no password field at all.
        const team = page.locator('section', { has: page.getByRole('heading', { name: 'Users and roles' }) });
        assert.equal(await team.locator('input').count() > 5, true, 'the card has its inputs');
        assert.equal(await team.locator('input[type="password"]').count(), 0);
        await shot(page, `config-settings-team-${label}`);
        await page.close();
      });
    });
  }
});
