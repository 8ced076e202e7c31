import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { apiCall, logIn, shot, useDashboard } from './helpers.ts';

interface Company { id: string; name: string; phone: string | null; domain: string | null }
interface Contact { id: string; name: string }
interface Deal { id: string; title: string; companyId: string | null }
interface Job { id: string; companyId: string | null }
interface IntroPath { userId: string; userName: string; strength: number; path: Array<{ type: string; id: string; name: string }> }

const NAME = 'Live Oak Property Management';

/**
 * The Companies screen in real Chromium against a real `kinetic start` with the demo business:
 * find a company, see its people, deals, jobs and warm introductions as the API has them, edit it
 * (and see the API's validation message), and follow a person to their contact page.
 */
describe('companies in Chromium', { timeout: 180_000 }, () => {
  const dash = useDashboard();
  let context: BrowserContext;

  before(async () => {
    context = await dash.browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  test('search, open a company, its people, deals, jobs and warm introductions, edit it, follow a person', async () => {
    const page = await logIn(context, dash.kinetic.url);
    const api = <T>(url: string) => apiCall<T>(context, dash.kinetic.url, 'GET', url);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Companies' }).click();
    await page.getByRole('heading', { name: 'Companies', level: 1 }).waitFor();
    const table = page.getByTestId('companies-table');
    await table.getByRole('row').nth(1).waitFor();
    const all = await api<{ data: Company[] }>('/companies?limit=25');
    assert.equal(await table.getByRole('row').count(), all.data.length + 1, 'one row per company on the first page');

    // Search by name narrows the list to the one company.
    await page.getByLabel('Search by name').fill('Live Oak');
    await table.getByRole('row').filter({ hasNotText: NAME }).nth(1).waitFor({ state: 'detached' });
    assert.equal(await table.getByRole('row').count(), 2, 'header and one company');
    const row = table.getByRole('row').filter({ hasText: NAME });
    assert.match((await row.textContent()) ?? '', /property management.*Austin/);
    await shot(page, 'companies-list');

    await row.getByRole('link', { name: NAME }).click();
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    const companyId = page.url().split('/companies/')[1];
    const company = await api<Company>(`/companies/${companyId}`);
    assert.equal(company.name, NAME);
    assert.match((await page.getByTestId('company-details').textContent()) ?? '', new RegExp(`Domain${company.domain!.replace(/\./g, '\\.')}`));

    // Its people, as the API links them.
    const people = await api<{ data: Contact[] }>(`/contacts?companyId=${companyId}&limit=100`);
    assert.ok(people.data.length >= 2, 'the demo company has people');
    const peopleTable = page.getByTestId('company-people');
    await peopleTable.waitFor();
    assert.equal(await peopleTable.getByRole('row').count(), people.data.length + 1);
    for (const p of people.data) await peopleTable.getByRole('link', { name: p.name, exact: true }).waitFor();

    // Its deals and jobs.
    const deals = await api<{ data: Deal[] }>(`/deals?companyId=${companyId}&limit=100`);
    assert.ok(deals.data.length > 0, 'the demo company has deals');
    assert.equal(await page.getByTestId('company-deals').getByRole('row').count(), deals.data.length + 1);
    let jobCount = 0;
    for (const p of people.data) jobCount += (await api<{ data: Job[] }>(`/jobs?contactId=${p.id}&limit=200`)).data.filter((j) => j.companyId === companyId).length;
    assert.ok(jobCount > 0, 'the demo company has jobs');
    const jobsTable = page.getByTestId('company-jobs');
    await jobsTable.waitFor();
    assert.equal(await jobsTable.getByRole('row').count(), jobCount + 1);

    // Warm introductions: the strongest path first, through someone who works there.
    const intros = await api<{ data: IntroPath[] }>(`/relationships/intro?companyId=${companyId}`);
    assert.ok(intros.data.length > 0, 'the demo has a warm path to the company');
    const best = intros.data[0];
    const items = page.getByTestId('warm-intros').getByRole('listitem');
    await items.first().waitFor();
    assert.equal(await items.count(), intros.data.length);
    const first = (await items.first().textContent()) ?? '';
    assert.ok(first.includes(best.userName), `the best path starts from ${best.userName}: ${first}`);
    assert.ok(first.includes(`strength ${best.strength} of 100`), first);
    const via = best.path.find((n) => n.type === 'contact');
    assert.ok(via && people.data.some((p) => p.id === via.id), 'the path goes through a person at the company');
    assert.equal(await items.first().getByRole('link', { name: via.name }).getAttribute('href'), `/app/contacts/${via.id}`);
    await shot(page, 'company-detail');

    // An invalid domain: the API's message at the field, nothing saved.
    const domain = page.getByLabel('Domain', { exact: true });
    await domain.fill('not a domain');
    await page.getByRole('button', { name: 'Save company' }).click();
    const domainError = page.getByTestId('company-domain-error');
    await domainError.waitFor();
    assert.equal(await domainError.textContent(), 'must be a domain like example.com');
    assert.equal(await domain.getAttribute('aria-invalid'), 'true');
    assert.equal((await api<Company>(`/companies/${companyId}`)).domain, company.domain, 'the bad domain was not saved');
    await shot(page, 'company-edit-invalid');

    // A new phone, saved through the form, is what the API returns.
    await domain.fill(company.domain!);
    await page.getByLabel('Phone', { exact: true }).fill('512-555-0142');
    await page.getByRole('button', { name: 'Save company' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await domainError.count(), 0, 'the domain message is gone');
    const after = await api<Company>(`/companies/${companyId}`);
    assert.equal(after.phone, '512-555-0142');
    assert.equal(after.domain, company.domain);
    await page.getByTestId('company-details').filter({ hasText: 'Phone512-555-0142' }).waitFor();

    // A person's link opens their contact page.
    const person = people.data[0];
    await peopleTable.getByRole('link', { name: person.name, exact: true }).click();
    await page.getByRole('heading', { name: person.name, level: 1 }).waitFor();
    assert.ok(page.url().endsWith(`/app/contacts/${person.id}`), page.url());
    await page.close();
  });

  test('on a phone: Companies is in the menu and a company page fits the screen', async () => {
    const phone = await dash.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await logIn(phone, dash.kinetic.url);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Companies' }).click();
    await page.getByRole('heading', { name: 'Companies', level: 1 }).waitFor();
    await page.getByLabel('Search by name').fill('Casa Azul');
    await page.getByTestId('companies-table').getByRole('link', { name: 'Casa Azul Taqueria' }).click();
    await page.getByRole('heading', { name: 'Casa Azul Taqueria', level: 1 }).waitFor();
    await page.getByTestId('warm-intros').or(page.getByText('No one on the team has a path to this company yet.')).first().waitFor();
    await page.getByTestId('company-people').waitFor();
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    assert.ok(width <= 390, `no sideways scrolling on a phone (page is ${width}px wide)`);
    const unnamed = await page.evaluate<number>(`[...document.querySelectorAll('button, select, input, textarea')].filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.textContent.trim()).length`);
    assert.equal(unnamed, 0, 'every control has an accessible name');
    await shot(page, 'company-phone');
    await phone.close();
  });
});
