import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { runCli } from '../../helpers/cli.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kinetic-model-cli-'));

const env = { KINETIC_DATA_DIR: dir, KINETIC_DEMO: '0' };

const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return name;
};

/** A messy customer export: quoted strings with commas, blanks, "Yes"/"No", numbers stored as text, "$1,200", a date column. */
function messyCsv(n: number, withLabel = true): string {
  let s = 7;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const lines = [['customer_id', 'name', 'plan', 'monthly_spend', 'visits', 'autopay', 'signed_up', ...(withLabel ? ['Churned'] : [])].join(',')];
  for (let i = 0; i < n; i++) {
    const plan = ['Basic', 'Plus', 'Premium, annual'][Math.floor(r() * 3)];
    const spend = Math.round(r() * 3000);
    const visits = Math.floor(r() * 12);
    const autopay = r() < 0.5;
    const z = (plan === 'Basic' ? 1.2 : -0.8) + (autopay ? -1.5 : 0.8) - visits * 0.15 + (spend > 1500 ? 0.6 : 0);
    const churned = r() < 1 / (1 + Math.exp(-z));
    const spendText = r() < 0.1 ? '' : spend >= 1000 ? `"$${Math.floor(spend / 1000)},${String(spend % 1000).padStart(3, '0')}"` : `$${spend}`;
    const date = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000 * 20).toISOString().slice(0, 10);
    lines.push(
      [`C-${1000 + i}`, `"Smith, J${i}"`, `"${plan}"`, spendText, r() < 0.05 ? 'N/A' : ` ${visits} `, autopay ? 'Yes' : 'No', date, ...(withLabel ? [churned ? 'Yes' : 'No'] : [])].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

test('model train on a messy CSV prints held-out metrics, calibration and importance, and saves the model; score writes one row per input row in order', async () => {
  file('customers.csv', messyCsv(1200));
  const trained = await runCli(env, dir, ['model', 'train', '--csv', 'customers.csv', '--label', 'Churned', '--id', 'customer_id', '--exclude', 'name', '--out', 'churn.json']);
  assert.equal(trained.code, 0, trained.err);
  for (const needle of [/AUC\s+0\.\d{3}/, /Log loss\s+0\.\d{3}/, /Brier\s+0\.\d{3}/, /Calibration/, /Feature importance/, /monthly_spend\s+numeric/, /autopay\s+boolean/, /plan\s+categorical/, /by time on "signed_up"/]) {
    assert.match(trained.out, needle);
  }
  // The metric that chose is printed with the candidates it compared; the final model learned from every labelled row.
  assert.match(trained.out, /5-fold cross-validation, time-ordered .* chosen on CV log loss/);
  assert.match(trained.out, /← chosen/);
  assert.match(trained.out, /train 1020, test 180/);
  assert.match(trained.out, /refit on all 1200 labelled rows after the test figures were taken/);
  const auc = Number(/AUC\s+(0\.\d+)/.exec(trained.out.split('Held-out test')[1])![1]);
  assert.ok(auc > 0.7, `held-out AUC ${auc}`);
  const saved = JSON.parse(readFileSync(path.join(dir, 'churn.json'), 'utf8'));
  assert.equal(saved.format, 'kinetic-model');
  assert.ok(!saved.features.some((f: { column: string }) => f.column === 'name' || f.column === 'customer_id'), 'id and excluded columns are not learned from');

  file('new.csv', messyCsv(40, false));
  const scored = await runCli(env, dir, ['model', 'score', '--model', 'churn.json', '--csv', 'new.csv', '--out', 'scores.csv']);
  assert.equal(scored.code, 0, scored.err);
  const rows = parse(readFileSync(path.join(dir, 'scores.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
  assert.equal(rows.length, 40);
  assert.deepEqual(Object.keys(rows[0]), ['customer_id', 'probability', 'reasons']);
  assert.deepEqual(rows.map((r) => r.customer_id), Array.from({ length: 40 }, (_, i) => `C-${1000 + i}`));
  for (const r of rows) {
    const p = Number(r.probability);
    assert.ok(p >= 0 && p <= 1, r.probability);
    assert.ok(r.reasons.length > 0);
  }
  assert.ok(rows.some((r) => /autopay is|plan is|visits is/.test(r.reasons)), rows[0].reasons);
});

test('labels true/false and 1/0 need no --positive; other labels name the positive value', async () => {
  const base = messyCsv(300).split('\r\n').filter(Boolean);
  const relabel = (yes: string, no: string) => base.map((l, i) => (i === 0 ? l : l.replace(/,Yes$/, `,${yes}`).replace(/,No$/, `,${no}`))).join('\n');
  for (const [yes, no] of [['true', 'false'], ['1', '0'], ['yes', 'no']]) {
    const res = await runCli(env, dir, ['model', 'train', '--csv', file(`l-${yes}.csv`, relabel(yes, no)), '--label', 'Churned', '--out', `l-${yes}.json`]);
    assert.equal(res.code, 0, `${yes}/${no}: ${res.err}`);
  }
  const words = file('words.csv', relabel('churned', 'stayed'));
  const needs = await runCli(env, dir, ['model', 'train', '--csv', words, '--label', 'Churned', '--out', 'w.json']);
  assert.equal(needs.code, 2);
  assert.match(needs.err, /--positive|positive/);
  const ok = await runCli(env, dir, ['model', 'train', '--csv', words, '--label', 'Churned', '--positive', 'churned', '--out', 'w.json']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /positive = "churned"/);
});

test('bad CSVs and bad flags get a clear error and exit code 2', async () => {
  const good = messyCsv(200);
  file('good.csv', good);
  const cases: Array<[string[], RegExp]> = [
    [['model', 'train', '--csv', file('ragged.csv', 'a,b,label\n1,2,Yes\n3,4\n5,6,No\n'), '--label', 'label', '--out', 'x.json'], /line 3 has 2 fields but the header has 3/],
    [['model', 'train', '--csv', file('one.csv', 'a,b,label\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 3},Yes`).join('\n')), '--label', 'label', '--out', 'x.json'], /only one class/],
    [['model', 'train', '--csv', 'good.csv', '--label', 'Nope', '--out', 'x.json'], /label: no column "Nope"/],
    [['model', 'train', '--csv', 'good.csv', '--label', 'Churned', '--exclude', 'plan,ghost', '--out', 'x.json'], /exclude: no column "ghost"/],
    [['model', 'train', '--csv', 'good.csv', '--label', 'Churned', '--id', 'ghost', '--out', 'x.json'], /id: no column "ghost"/],
    [['model', 'train', '--csv', 'missing.csv', '--label', 'Churned', '--out', 'x.json'], /no such file/],
    [['model', 'train', '--csv', file('empty.csv', ''), '--label', 'Churned', '--out', 'x.json'], /empty/],
    [['model', 'train', '--csv', 'good.csv', '--out', 'x.json'], /label/],
    [['model', 'train', '--csv', 'good.csv', '--label', 'Churned', '--folds', '1', '--out', 'x.json'], /--folds must be a whole number from 2 to 10/],
    [['model', 'score', '--model', file('notmodel.json', '{"hello":1}'), '--csv', 'good.csv', '--out', 's.csv'], /not a Kinetic model/],
  ];
  for (const [args, message] of cases) {
    const res = await runCli(env, dir, [...args]);
    assert.equal(res.code, 2, `${args.join(' ')} → ${res.code} ${res.err}`);
    assert.match(res.err, message, args.join(' '));
    assert.doesNotMatch(res.err, /\n\s+at /, 'no stack trace');
  }
  const trained = await runCli(env, dir, ['model', 'train', '--csv', 'good.csv', '--label', 'Churned', '--id', 'customer_id', '--folds', '3', '--out', 'g.json']);
  assert.match(trained.out, /3-fold cross-validation/);
  assert.equal(trained.code, 0, trained.err);
  const lacking = await runCli(env, dir, ['model', 'score', '--model', 'g.json', '--csv', file('lacking.csv', 'customer_id,plan\nC-1,Basic\n'), '--out', 's.csv']);
  assert.equal(lacking.code, 2);
  assert.match(lacking.err, /lacks columns .*"monthly_spend"/);
});
