import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runCli } from '../../helpers/cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-classify-'));

// No database, key or network: the classify command needs none.
const env = { KINETIC_DEMO: '0', KINETIC_DATA_DIR: dir };

test('classify --json prints exactly urgency, intent, serviceType, confidence', async () => {
  const r = await runCli(env, dir, ['classify', '--json', 'There is a strong gas smell in the kitchen']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j), ['urgency', 'intent', 'serviceType', 'confidence']);
  assert.equal(j.urgency, 'emergency');
  assert.equal(j.serviceType, 'gas_line');
  assert.ok(j.confidence > 0 && j.confidence <= 1);
});

test('classify --json with no service mentioned gives serviceType null', async () => {
  const j = JSON.parse((await runCli(env, dir, ['classify', '--json', 'what are your hours on saturday?'])).out);
  assert.equal(j.serviceType, null);
  assert.equal(j.intent, 'question');
});

test('classify without --json prints a readable line with reasons', async () => {
  const r = await runCli(env, dir, ['classify', 'no heat and we have a newborn']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^emergency · /);
  assert.match(r.out, /infant, elderly/);
});

test('classify --csv adds the columns to every row, in order, keeping messy rows', async () => {
  const input = path.join(dir, 'messages.csv');
  writeFileSync(
    input,
    '\uFEFFid,Message,Source\n1,"I smell gas, help",sms\n2,"Can I get a quote for a new AC? ""ASAP"" please",web\n3,,email\n4,"cancel my appt tmrw\nthx",sms\n',
  );
  const r = await runCli(env, dir, ['classify', '--csv', 'messages.csv', '--text-column', 'Message', '--out', 'out.csv']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /classified 4 rows \(1 emergency\)/);
  const rows = parse(readFileSync(path.join(dir, 'out.csv')), { columns: true }) as Array<Record<string, string>>;
  assert.deepEqual(rows.map((x) => x.id), ['1', '2', '3', '4']);
  assert.deepEqual(Object.keys(rows[0]), ['id', 'Message', 'Source', 'urgency', 'intent', 'serviceType', 'confidence', 'reasons']);
  assert.equal(rows[0].urgency, 'emergency');
  assert.equal(rows[1].intent, 'quote');
  assert.equal(rows[2].confidence, '0');
  assert.equal(rows[3].intent, 'cancel');
});

const bad: Array<[string, string[], RegExp]> = [
  ['missing text column', ['classify', '--csv', 'messages.csv', '--text-column', 'Body', '--out', 'x.csv'], /"Body" is not a column.*columns: id, Message, Source/],
  ['missing file', ['classify', '--csv', 'nope.csv', '--text-column', 'Message', '--out', 'x.csv'], /no such file/],
  ['no --text-column', ['classify', '--csv', 'messages.csv', '--out', 'x.csv'], /--text-column/],
  ['no --out', ['classify', '--csv', 'messages.csv', '--text-column', 'Message'], /--out/],
  ['no text at all', ['classify', '--json'], /give the text/],
  ['blank text', ['classify', '--json', '   '], /give the text/],
];
for (const [name, args, message] of bad) {
  test(`classify: ${name} → exit 2 with a clear message`, async () => {
    const r = await runCli(env, dir, [...args]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.err, message);
  });
}

test('classify --csv on a ragged CSV is exit 2', async () => {
  writeFileSync(path.join(dir, 'ragged.csv'), 'a,b\n1,2,3\n');
  const r = await runCli(env, dir, ['classify', '--csv', 'ragged.csv', '--text-column', 'a', '--out', 'y.csv']);
  assert.equal(r.code, 2);
  assert.match(r.err, /not a readable CSV/);
});
