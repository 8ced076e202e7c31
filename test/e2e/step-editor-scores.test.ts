import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { apiCall, logIn, shot, useDashboard } from './helpers.ts';

interface Automations { data: Array<{ id: string; name: string; definition: { trigger: { filter?: unknown }; steps: Array<Record<string, unknown>> } }> }

/**
 * The step editor's condition inputs in real Chromium against a real `kinetic start`: the AI score
 * fields are offered with labels and range hints, a branch on one is saved through the UI, and a
 * score field typed by hand that does not exist gets the API's validation message.
 */
describe('step editor: branching on AI scores, in Chromium', { timeout: 180_000 }, () => {
  const dash = useDashboard();
  let context: BrowserContext;

  before(async () => {
    context = await dash.browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  /** A new automation whose only step is a branch. */
  const newBranch = async (page: Page, name: string) => {
    await page.goto(`${dash.kinetic.url}/app/automations`);
    await page.getByRole('button', { name: 'New automation' }).click();
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Add a step').selectOption('branch');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('button', { name: 'Remove step 1' }).click();
    await page.getByLabel('Step 1 condition field', { exact: true }).waitFor();
  };

  test('pick the lead conversion score, see its range, save, and the definition has the condition', async () => {
    const page = await logIn(context, dash.kinetic.url);
    await newBranch(page, 'E2E hot leads first');
    const field = page.getByLabel('Step 1 condition field', { exact: true });
    const op = page.getByLabel('Step 1 condition comparison', { exact: true });
    const hint = page.getByTestId('step-0-if-hint');
    // The field input offers the known fields, scores among them, each with a label.
    const listId = await field.getAttribute('list');
    assert.ok(listId, 'the field input has suggestions');
    const offered = await page.locator(`datalist#${listId} option`).evaluateAll((os) => os.map((o) => [(o as unknown as { value: string }).value, (o as unknown as { label: string }).label]));
    const labels = new Map(offered as Array<[string, string]>);
    assert.equal(labels.get('contact.scores.leadConversion'), 'Lead conversion score (0–1)');
    assert.equal(labels.get('contact.relationship.strength'), 'Relationship strength (0–100)');
    for (const f of ['contact.scores.churn', 'contact.scores.dealStall', 'contact.scores.prior', 'contact.relationship.cooling', 'contact.source', 'contact.tags']) assert.ok(labels.has(f), `${f} offered`);
    // The hint is the field input's description.
    assert.equal(await field.getAttribute('aria-describedby'), await hint.getAttribute('id'));
    assert.equal(await op.inputValue(), 'eq');

    await field.fill('contact.scores.leadConversion');
    await hint.filter({ hasText: 'Lead conversion score (0–1)' }).waitFor();
    assert.match((await hint.textContent()) ?? '', /Probability from 0 to 1 that the lead books a job within 14 days/);
    // A score starts from "is at least" and an empty value.
    assert.equal(await op.inputValue(), 'gte');
    const value = page.getByLabel('Step 1 condition value', { exact: true });
    assert.equal(await value.inputValue(), '');
    // A percentage where a probability belongs is pointed out.
    await value.fill('60');
    await page.getByTestId('step-0-if-range').filter({ hasText: 'Scores run from 0 to 1' }).waitFor();
    await value.fill('0.6');
    await page.getByTestId('step-0-if-range').waitFor({ state: 'detached' });
    // Each outcome's steps are a nested step list with the same inputs as the automation's own.
    await page.getByLabel('Step 1: add a step if it holds', { exact: true }).selectOption('send_sms');
    await page.getByRole('button', { name: 'Step 1: add a step if it holds: add' }).click();
    await page.getByLabel('Step 1 › yes 1 text message', { exact: true }).fill('Hi {{ contact.firstName | default: "there" }}, when suits you for a visit?');
    await page.getByLabel('Step 1: add a step otherwise', { exact: true }).selectOption('wait');
    await page.getByRole('button', { name: 'Step 1: add a step otherwise: add' }).click();
    await page.getByLabel('Step 1 › no 1 wait for', { exact: true }).fill('1');
    await page.getByLabel('Step 1 › no 1 wait for unit', { exact: true }).selectOption('hours');
    // The trigger filter takes the same inputs: a list for "is one of".
    await page.getByRole('checkbox', { name: 'Only contacts where a condition holds' }).check();
    await page.getByLabel('Trigger filter field', { exact: true }).fill('contact.source');
    await page.getByLabel('Trigger filter comparison', { exact: true }).selectOption('in');
    await page.getByLabel('Trigger filter value', { exact: true }).fill('website, google_ads');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('The automation is valid.').waitFor();
    await shot(page, 'step-editor-score-branch');
    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.locator('#simulation').getByRole('heading', { name: 'Simulate E2E hot leads first' }).waitFor();

    const list = await apiCall<Automations>(context, dash.kinetic.url, 'GET', '/automations?limit=100');
    const saved = list.data.find((a) => a.name === 'E2E hot leads first');
    assert.ok(saved, 'saved through the UI');
    assert.equal(saved.definition.steps.length, 1);
    const [branch] = saved.definition.steps;
    assert.equal(branch.type, 'branch');
    assert.deepEqual(branch.if, { field: 'contact.scores.leadConversion', op: 'gte', value: 0.6 });
    assert.deepEqual((branch.then as Array<{ type: string }>).map((s) => s.type), ['send_sms']);
    assert.deepEqual(branch.else, [{ type: 'wait', duration: 'PT1H' }]);
    assert.deepEqual(saved.definition.trigger.filter, { field: 'contact.source', op: 'in', value: ['website', 'google_ads'] });

    // Opened again, the editor shows the saved condition.
    await page.getByTestId('automations-table').getByRole('row').filter({ hasText: 'E2E hot leads first' }).getByRole('button', { name: 'Edit' }).click();
    assert.equal(await page.getByLabel('Step 1 condition field', { exact: true }).inputValue(), 'contact.scores.leadConversion');
    assert.equal(await page.getByLabel('Step 1 condition comparison', { exact: true }).inputValue(), 'gte');
    assert.equal(await page.getByLabel('Step 1 condition value', { exact: true }).inputValue(), '0.6');
    await page.close();
  });

  test('a score field typed by hand that does not exist shows the API validation message and is not saved', async () => {
    const page = await context.newPage();
    await newBranch(page, 'E2E typo score');
    const field = page.getByLabel('Step 1 condition field', { exact: true });
    await field.fill('contact.scores.leadScore');
    // Free typing is kept as typed; an unknown field gets the general hint.
    assert.equal(await field.inputValue(), 'contact.scores.leadScore');
    await page.getByTestId('step-0-if-hint').filter({ hasText: 'Pick a field from the list' }).waitFor();
    await page.getByLabel('Step 1 condition comparison', { exact: true }).selectOption('gte');
    await page.getByLabel('Step 1 condition value', { exact: true }).fill('0.5');

    // What the API itself says about this definition.
    const res = await context.request.fetch(`${dash.kinetic.url}/automations/validate`, {
      method: 'POST',
      data: { name: 'E2E typo score', trigger: { type: 'event', event: 'lead.created' }, purpose: 'transactional', steps: [{ type: 'branch', if: { field: 'contact.scores.leadScore', op: 'gte', value: 0.5 }, then: [] }] },
    });
    assert.equal(res.status(), 400);
    const body = (await res.json()) as { error: { details?: { issues?: Array<{ field: string; message: string }> } } };
    const issue = body.error.details?.issues?.find((i) => i.message.includes('contact.scores.leadScore'));
    assert.ok(issue, `the API names the field: ${JSON.stringify(body)}`);
    assert.match(issue.message, /is not a score field; use one of contact\.scores\.leadConversion/);

    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByRole('alert').filter({ hasText: 'contact.scores.leadScore is not a score field' }).first().waitFor();
    // …and on the step it is about.
    const stepIssue = page.getByTestId('step-0-issue').filter({ hasText: issue.message });
    await stepIssue.waitFor();
    assert.ok(!(await page.getByText('The automation is valid.').count()), 'not reported valid');
    await shot(page, 'step-editor-score-typo');

    await page.getByRole('button', { name: 'Create automation' }).click();
    await page.getByTestId('step-0-issue').filter({ hasText: issue.message }).waitFor();
    const list = await apiCall<Automations>(context, dash.kinetic.url, 'GET', '/automations?limit=100');
    assert.ok(!list.data.some((a) => a.name === 'E2E typo score'), 'nothing saved');
    await page.close();
  });
});
