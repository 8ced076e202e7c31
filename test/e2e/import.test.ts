import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apiCall, eventually, logIn, shot, useDashboard } from './helpers.ts';

/** A customer list of `rows` people, every 100th with a phone number that is not one. */
function customerList(rows: number): Buffer {
  const lines = ['Client,Mobile,Email,Street,City,Zip,Notes'];
  for (let i = 0; i < rows; i++) {
    const phone = i % 100 === 99 ? 'ask at the desk' : `(512) ${300 + Math.floor(i / 10_000)}-${String(i % 10_000).padStart(4, '0')}`;
    lines.push(`Bulk Customer ${i},${phone},bulk${i}@example.com,${100 + (i % 900)} Congress Ave,Austin,78701,"Annual maintenance plan; prefers a text the day before, gate code on file"`);
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

/**
 * A multi-megabyte customer list imported from the dashboard: uploaded as a
 * file (no JSON body limit), previewed on its first rows, imported in the
 * background with a progress bar, and the result shown with the error report.
 */
describe('CSV import of a large file in Chromium', { timeout: 240_000 }, () => {
  const dash = useDashboard();

  test('a 7 MB file: preview of the first rows, import with a progress bar, the result and the error report', async () => {
    const context = await dash.browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Just after start the worker's first passes (models, housekeeping) compete with the first page load on a busy machine.
    context.setDefaultNavigationTimeout(90_000);
    context.setDefaultTimeout(60_000);
    const page = await logIn(context, dash.kinetic.url);
    await page.goto(`${dash.kinetic.url}/app/contacts`);
    const file = customerList(45_000);
    assert.ok(file.length > 6.5 * 1024 * 1024, `the file is ${file.length} bytes`);
    await page.getByLabel('CSV file (first row: column names)').setInputFiles({ name: 'big-list.csv', mimeType: 'text/csv', buffer: file });
    await shot(page, 'import-00-chosen');
    await page.getByText(/big-list\.csv: 7\.\d MB, columns Client, Mobile, Email/).waitFor();

    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('import-preview');
    await preview.getByRole('heading', { name: 'Preview of the first 1,000 rows (nothing written yet)' }).waitFor();
    await preview.getByLabel('Client').selectOption('name');
    await preview.getByRole('button', { name: 'Preview again with this mapping' }).click();
    await preview.getByText('1000 rows: 1000 new, 0 match existing contacts, 0 rejected, 10 imported without some values.').waitFor();
    await shot(page, 'import-01-preview');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const progress = page.getByTestId('import-progress');
    await progress.waitFor();
    assert.ok(await progress.getByRole('progressbar', { name: 'Import progress' }).isVisible(), 'a progress bar while it runs');
    // The bar follows the job over the event stream: it moves before the import ends.
    await progress.getByText(/\d+% — [\d,]+ of about 45,000 rows/).waitFor();
    await shot(page, 'import-02-progress');

    const result = page.getByTestId('import-result');
    await result.waitFor({ timeout: 180_000 });
    await shot(page, 'import-03-done');
    assert.match((await result.getByRole('paragraph').first().textContent()) ?? '', /45000 rows: 45000 created, 0 merged, 0 rejected, 450 imported without some values\./);
    const link = result.getByRole('link', { name: 'Download the error report (CSV)' });
    assert.equal(await link.getAttribute('download'), 'import-errors.csv');
    const errors = await context.request.get(`${dash.kinetic.url}${await link.getAttribute('href')}`);
    assert.equal(errors.status(), 200);
    const rows = (await errors.text()).trim().split('\n');
    assert.equal(rows.length, 451, 'a header and the 450 rows imported without their phone');
    assert.match(rows[0], /_row,_error$/);

    const jobs = await apiCall<{ data: Array<{ status: string; fileName: string; created: number }> }>(context, dash.kinetic.url, 'GET', '/imports');
    assert.deepEqual([jobs.data[0].status, jobs.data[0].fileName, jobs.data[0].created], ['done', 'big-list.csv', 45_000]);
    const found = await eventually(
      () => apiCall<{ data: Array<{ name: string }> }>(context, dash.kinetic.url, 'GET', '/contacts?q=Bulk%20Customer%2044999'),
      (r) => r.data.length === 1,
    );
    assert.equal(found.data[0].name, 'Bulk Customer 44999');
    await context.close();
  });
});
