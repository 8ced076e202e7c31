import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildServer } from '../../src/api/server.ts';
import { createApiKey } from '../../src/access/auth.ts';
import type { AppContext } from '../../src/context.ts';
import { claimNextImport, failInterruptedImports, runImportJob, staleAfterMs } from '../../src/crm/csv/import-job-run.ts';
import type { ImportJob } from '../../src/crm/csv/import-jobs.ts';
import { makeTenant, type ApiTenant } from '../helpers/api.ts';
import { forEachDialect } from '../helpers/db.ts';

/** A contacts file of `rows` people (every 50th row has a phone that is not one, every 97th repeats an earlier email). */
function contactsCsv(rows: number, tag = 'job'): string {
  const lines = ['First Name,Last Name,Mobile,Email,City,Notes about the customer'];
  for (let i = 0; i < rows; i++) {
    const phone = i % 50 === 49 ? 'call the office' : `(512) ${String(200 + (i % 800)).padStart(3, '0')}-${String(i % 10_000).padStart(4, '0')}`;
    const email = i % 97 === 96 ? `${tag}0@example.com` : `${tag}${i}@example.com`;
    lines.push(`Person${i},${tag === 'job' ? 'Importer' : 'Other'}${i % 13},${i >= 10_000 ? `(737) 555-${String(i % 10_000).padStart(4, '0')}` : phone},${email},Austin,"Prefers mornings, has a dog named ""Rex"" and a long note to make the file heavier than it needs to be"`);
  }
  return `${lines.join('\n')}\n`;
}

forEachDialect('CSV imports as background jobs (POST /imports)', (world) => {
  let app: FastifyInstance;
  let a: ApiTenant;
  let b: ApiTenant;
  let techKey: string;
  let dataDir: string;
  let ctx: AppContext;

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-import-jobs-'));
    // The default JSON body limit (1 MB) stays: the streamed upload has its own.
    ctx = { ...world().ctx, config: { ...world().ctx.config, dataDir, bodyLimitBytes: 1024 * 1024, importMaxBytes: 8 * 1024 * 1024 } };
    app = await buildServer(ctx);
    await app.ready();
    a = await makeTenant(ctx, 'Upload Plumbing');
    b = await makeTenant(ctx, 'Other Tenant HVAC');
    techKey = (await createApiKey(ctx, a.scope, { name: 'tech', role: 'technician' })).key;
  });
  after(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const upload = (key: string, csv: string | Buffer, query = ''): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: `/imports${query}`, headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' }, payload: csv });
  const get = (key: string, url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const post = (key: string, url: string) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}` } });
  /** What the worker does with the oldest queued import. */
  const runNext = async (): Promise<ImportJob> => {
    const job = await claimNextImport(ctx);
    assert.ok(job, 'a queued import');
    return runImportJob(ctx, job);
  };
  const streamEvents = async (key: string) =>
    (await get(key, '/events/stream?follow=false&afterSeq=0')).body
      .split('\n\n')
      .filter((f) => f.startsWith('id:'))
      .map((f) => JSON.parse(f.slice(f.indexOf('data: ') + 6)) as { type: string; payload: Record<string, unknown> });

  test('a 2 MB file (over the JSON body limit) is accepted with 202 and a job id, runs in the worker with progress, and ends with its counts, report and error file', async () => {
    const csv = contactsCsv(14_000);
    assert.ok(Buffer.byteLength(csv) > 1.7 * 1024 * 1024, `the file is ${Buffer.byteLength(csv)} bytes`);
    const json = await app.inject({ method: 'POST', url: '/imports/contacts', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, payload: JSON.stringify({ csv }) });
    assert.equal(json.statusCode, 413, 'the synchronous JSON route keeps its body limit');

    const accepted = await upload(a.key, csv, '?fileName=customers.csv');
    assert.equal(accepted.statusCode, 202, accepted.body);
    const queued = accepted.json() as ImportJob;
    assert.equal(accepted.headers.location, `/imports/${queued.id}`);
    assert.deepEqual([queued.status, queued.entity, queued.fileName, queued.bytesTotal, queued.rowsTotal, queued.rowsDone], ['queued', 'contacts', 'customers.csv', Buffer.byteLength(csv), 14_000, 0]);
    assert.equal((await get(a.key, `/imports/${queued.id}`)).json().status, 'queued');

    const done = await runNext();
    assert.equal(done.status, 'done', done.error ?? '');
    const view = (await get(a.key, `/imports/${queued.id}`)).json() as ImportJob;
    // 200 rows have no usable phone (kept with their email, a warning each); 144 repeat an earlier email (merged).
    assert.deepEqual([view.status, view.rowsDone, view.rowsTotal, view.bytesDone, view.created + view.merged + view.rejected], ['done', 14_000, 14_000, view.bytesTotal, 14_000]);
    assert.equal(view.merged, 144);
    assert.equal(view.warnings, 200);
    assert.equal(view.rejected, 0);
    assert.ok(view.report && view.report.rows === 14_000 && view.report.mapping.Mobile === 'phone', 'the report');
    assert.ok(view.startedAt && view.finishedAt && view.hasErrorsFile);
    assert.equal((await get(a.key, '/contacts?q=Person13999')).json().data.length, 1);

    const errors = await get(a.key, `/imports/${queued.id}/errors.csv`);
    assert.equal(errors.statusCode, 200);
    assert.match(String(errors.headers['content-type']), /text\/csv/);
    assert.match(String(errors.headers['content-disposition']), /customers\.errors\.csv/);
    const lines = errors.body.trim().split('\n');
    assert.equal(lines.length, 201, 'a header and one line per row that lost a value');
    assert.match(lines[1], /call the office.*,51,"imported without: Mobile: ""call the office"" is not a valid phone number"/);

    const events = await streamEvents(a.key);
    const progress = events.filter((e) => e.type === 'import.progress' && e.payload.importId === queued.id);
    assert.ok(progress.length >= 1, 'progress on the event stream');
    assert.ok(progress.every((e) => typeof e.payload.rowsDone === 'number' && e.payload.bytesTotal === Buffer.byteLength(csv)));
    const completed = events.filter((e) => e.type === 'import.completed');
    assert.equal(completed.length, 1);
    assert.deepEqual([completed[0].payload.importId, completed[0].payload.rowsDone, completed[0].payload.merged], [queued.id, 14_000, 144]);

    // The upload itself is removed once imported; the error file stays for download.
    assert.equal((await get(a.key, '/imports')).json().data[0].id, queued.id);
  });

  test('another business cannot see, download or cancel the job, nor hear its events; a technician and an agent may not import', async () => {
    const accepted = await upload(a.key, contactsCsv(20, 'mine'));
    assert.equal(accepted.statusCode, 202, accepted.body);
    const id = accepted.json().id as string;
    for (const res of [await get(b.key, `/imports/${id}`), await get(b.key, `/imports/${id}/errors.csv`), await post(b.key, `/imports/${id}/cancel`)]) assert.equal(res.statusCode, 404, res.body);
    assert.equal((await get(b.key, '/imports')).json().data.length, 0);
    assert.equal((await streamEvents(b.key)).filter((e) => e.type.startsWith('import.')).length, 0);

    const refused = await upload(techKey, contactsCsv(5, 'tech'));
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, 'FORBIDDEN');
    assert.equal((await get(techKey, `/imports/${id}`)).statusCode, 403);
    assert.equal((await get(techKey, '/imports')).statusCode, 403);
    const agentKey = (await createApiKey(ctx, a.scope, { name: 'agent', role: 'agent' })).key;
    assert.equal((await upload(agentKey, contactsCsv(5, 'agent'))).statusCode, 403);

    // Cancelled while queued: never runs, and its upload is gone.
    const cancelled = await post(a.key, `/imports/${id}/cancel`);
    assert.equal(cancelled.statusCode, 200, cancelled.body);
    assert.equal(cancelled.json().status, 'cancelled');
    assert.equal(await claimNextImport(ctx), null);
    assert.equal((await post(a.key, `/imports/${id}/cancel`)).statusCode, 409);
    assert.equal((await get(a.key, `/imports/${id}/errors.csv`)).statusCode, 404);
  });

  test('a running import cancelled stops after its batch: rows written stay, the job says cancelled with its counts', async () => {
    const accepted = await upload(a.key, contactsCsv(30_000, 'cancel'));
    assert.equal(accepted.statusCode, 202, accepted.body);
    const id = accepted.json().id as string;
    const job = await claimNextImport(ctx);
    assert.equal(job?.id, id);
    const running = runImportJob(ctx, job!);
    // Asked to stop once it has written something.
    for (let i = 0; i < 400; i++) {
      if ((await get(a.key, `/imports/${id}`)).json().rowsDone > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const asked = await post(a.key, `/imports/${id}/cancel`);
    assert.equal(asked.statusCode, 200, asked.body);
    assert.ok(asked.json().status === 'running' && asked.json().cancelRequested, asked.body);
    const ended = await running;
    assert.equal(ended.status, 'cancelled');
    assert.ok(ended.rowsDone > 0 && ended.rowsDone < 30_000, `stopped part-way (${ended.rowsDone})`);
    assert.equal(ended.created + ended.merged + ended.rejected, ended.rowsDone);
    const stored = (await get(a.key, '/contacts?q=cancel&limit=1')).json();
    assert.ok(stored.data.length === 1, 'rows written before the cancel stay');
    assert.equal((await streamEvents(a.key)).filter((e) => e.type === 'import.cancelled' && e.payload.importId === id).length, 1);
  });

  test('a job whose worker stopped mid-run is marked failed with a message saying what was kept and what to do', async () => {
    const accepted = await upload(a.key, contactsCsv(10, 'killed'));
    const id = accepted.json().id as string;
    const job = await claimNextImport(ctx);
    assert.equal(job?.id, id);
    // The process is gone: nothing updates the heartbeat any more.
    assert.equal(await failInterruptedImports(ctx), 0, 'a live run is left alone');
    world().clock.advance(staleAfterMs + 1_000);
    assert.equal(await failInterruptedImports(ctx), 1);
    const view = (await get(a.key, `/imports/${id}`)).json() as ImportJob;
    assert.equal(view.status, 'failed');
    assert.match(view.error ?? '', /interrupted: Kinetic stopped while it ran .* Import the file again to finish: rows already imported are merged, not duplicated/);
    assert.equal(existsSync(job!.file_path), false);
    assert.equal((await streamEvents(a.key)).filter((e) => e.type === 'import.failed' && e.payload.importId === id).length, 1);
  });

  test('bad files are refused at upload, before a job exists; the size limit is the import limit; dryRun previews the first rows', async () => {
    const xlsx = await upload(a.key, Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]));
    assert.equal(xlsx.statusCode, 400);
    assert.match(xlsx.json().error.message, /spreadsheet workbook/);
    const badMap = await upload(a.key, 'Name\nX\n', `?mapping=${encodeURIComponent(JSON.stringify({ Name: 'shoe_size' }))}`);
    assert.equal(badMap.statusCode, 400, badMap.body);
    assert.equal((await upload(a.key, '')).statusCode, 400);
    assert.equal((await upload(a.key, 'Name\nX\n', '?mapping=not-json')).statusCode, 400);
    const json = await app.inject({ method: 'POST', url: '/imports', headers: { authorization: `Bearer ${a.key}`, 'content-type': 'application/json' }, payload: '{"csv":"Name\\nX"}' });
    assert.equal(json.statusCode, 415, json.body);
    const huge = await upload(a.key, Buffer.alloc(9 * 1024 * 1024, 'a'));
    assert.equal(huge.statusCode, 413, huge.body);
    assert.match(huge.json().error.message, /KINETIC_IMPORT_MAX_BYTES/);
    assert.equal((await get(a.key, '/imports?status=queued')).json().data.length, 0, 'no job for a refused file');

    const preview = await upload(a.key, contactsCsv(5_000, 'preview'), '?dryRun=true&previewRows=200');
    assert.equal(preview.statusCode, 200, preview.body);
    const p = preview.json();
    assert.deepEqual([p.dryRun, p.rows, p.truncated, p.created + p.merged + p.rejected], [true, 200, true, 200]);
    assert.equal(p.warnings, 4);
    assert.match(p.errorsCsv, /_error/);
    assert.ok(p.fields.includes('phone'));
    assert.equal((await get(a.key, '/contacts?q=preview')).json().data.length, 0, 'a preview writes nothing');
    assert.equal((await get(a.key, '/imports?status=queued')).json().data.length, 0, 'a preview is not a job');
  });
});
