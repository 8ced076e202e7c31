import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainModel } from '../../../src/intelligence/models/train.ts';
import { predictTable } from '../../../src/intelligence/models/model.ts';
import { formatTrainingReport } from '../../../src/intelligence/models/report.ts';
import { cvFolds } from '../../../src/intelligence/models/split.ts';
import { chooseCandidate, type CvResult } from '../../../src/intelligence/models/select.ts';
import type { Table } from '../../../src/intelligence/models/schema.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function xorTable(n: number, seed = 1): Table {
  const r = rng(seed);
  const rows = Array.from({ length: n }, () => {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    const y = (a > 0) !== (b > 0) ? (r() < 0.9 ? 1 : 0) : r() < 0.1 ? 1 : 0;
    return [a.toFixed(3), b.toFixed(3), (r() * 2 - 1).toFixed(3), y ? 'Yes' : 'No'];
  });
  return { columns: ['a', 'b', 'noise', 'label'], rows };
}

/** Linear log-odds over many weak features: the linear model's home ground, where trees are only an approximation. */
function linearTable(n: number, seed = 2): Table {
  const r = rng(seed);
  const w = [1.2, -1, 0.8, -0.7, 0.6, 0.5, -0.5, 0.4];
  const rows = Array.from({ length: n }, () => {
    const x = w.map(() => r() * 2 - 1);
    const z = x.reduce((s, v, i) => s + v * w[i], 0);
    return [...x.map((v) => v.toFixed(3)), r() < 1 / (1 + Math.exp(-z)) ? '1' : '0'];
  });
  return { columns: [...w.map((_, i) => `x${i}`), 'y'], rows };
}

const lowestCv = (m: ReturnType<typeof trainModel>) => [...m.selection!.table].sort((a, b) => a.logLoss - b.logLoss)[0];

test('cross-validation picks the trees on an interaction (XOR) and the linear model on linear data', () => {
  const xor = trainModel(xorTable(2500), { label: 'label', blend: false });
  assert.equal(xor.algorithm, 'gbdt');
  assert.equal(xor.selection!.chosen, 'gbdt');
  const cv = Object.fromEntries(xor.selection!.table.map((r) => [r.candidate, r]));
  assert.ok(cv.gbdt.logLoss < cv.logistic.logLoss - 0.1, JSON.stringify(cv));
  const lin = trainModel(linearTable(3000), { label: 'y', blend: false });
  assert.equal(lin.algorithm, 'logistic', JSON.stringify(lin.selection!.table));
});

test('the report names the metric that chose and shows it: the chosen candidate has the lowest CV log loss in the table', () => {
  for (const m of [trainModel(xorTable(1500), { label: 'label' }), trainModel(linearTable(2000), { label: 'y' })]) {
    const sel = m.selection!;
    assert.equal(sel.method, 'cross-validation');
    assert.equal(sel.metric, 'logLoss');
    assert.equal(sel.folds, 5);
    assert.equal(sel.chosen, m.algorithm);
    const single = sel.table.filter((r) => r.candidate !== 'blend').sort((a, b) => a.logLoss - b.logLoss)[0];
    const blend = sel.table.find((r) => r.candidate === 'blend');
    assert.equal(m.algorithm, blend && blend.logLoss < single.logLoss - 0.001 ? 'blend' : single.candidate);
    const report = formatTrainingReport(m);
    assert.match(report, /5-fold cross-validation repeated 3 times, stratified/, 'small tables are cut into folds three times');
    assert.match(report, /chosen on CV log loss/);
    const chosenLine = report.split('\n').find((l) => l.includes('← chosen'))!;
    assert.ok(chosenLine.trimStart().startsWith(m.algorithm), chosenLine);
    assert.equal(sel.table[sel.chosenRow].candidate, m.algorithm);
    assert.ok(chosenLine.includes(sel.table[sel.chosenRow].logLoss.toFixed(3)), chosenLine);
    if (m.algorithm === 'gbdt') assert.equal(sel.table[sel.chosenRow].logLoss, single.logLoss, 'the better of the GBDT settings');
    assert.doesNotMatch(report, /validation log loss/);
  }
  assert.ok(lowestCv(trainModel(xorTable(1500), { label: 'label', blend: false })).candidate === 'gbdt');
});

test('a small GBDT grid is cross-validated on modest tables: each setting is a row of the table', () => {
  const m = trainModel(xorTable(1500), { label: 'label' });
  const gbdtRows = m.selection!.table.filter((r) => r.candidate === 'gbdt');
  assert.deepEqual(gbdtRows.map((r) => r.params), [
    '31 leaves, lr 0.1',
    '8 leaves, lr 0.05',
    '15 leaves, lr 0.05, min leaf 10, L2 5, rows 0.8, features 0.6',
    '4 leaves, lr 0.05, rows 0.8, features 0.5',
  ]);
  assert.equal(m.metrics.candidates.gbdt!.logLoss.toFixed(4), Math.min(...gbdtRows.map((r) => r.logLoss)).toFixed(4));
});

test('row and feature subsampling: each tree learns from a seeded draw, the model still finds the interaction, and the same seed gives the same model', () => {
  const opts = { label: 'label', algorithms: ['gbdt' as const], blend: false, gbdt: { subsample: 0.7, colsample: 0.67 } };
  const a = trainModel(xorTable(1500), opts);
  const b = trainModel(xorTable(1500), opts);
  assert.ok(a.metrics.test.auc! > 0.85, `test AUC ${a.metrics.test.auc}`);
  assert.deepEqual(a.model, b.model);
  assert.equal(a.selection!.table[0].params, '31 leaves, lr 0.1, rows 0.7, features 0.67');
});

test('the held-out figures come from a fit on the training rows; the saved model then learns from every labelled row', () => {
  const t = xorTable(1000);
  t.rows[3][3] = ''; // an unlabelled row is neither trained on nor tested
  const m = trainModel(t, { label: 'label', algorithms: ['gbdt'] });
  assert.equal(m.split.train + m.split.test, 999);
  assert.equal(m.split.refit, 999);
  assert.equal(m.split.valid, 0);
  assert.equal(m.split.test, Math.round(499 * 0.15) + Math.round(500 * 0.15) || m.split.test);
  assert.equal(m.selection!.rows, m.split.train, 'cross-validation ran on exactly the training rows');
  assert.match(formatTrainingReport(m), /refit on all 999 labelled rows after the test figures were taken/);
  // The refit boosts the CV-chosen rounds scaled by (refit rows / fold training rows), at most 1.25×.
  const rounds = m.selection!.table[m.selection!.chosenRow].rounds!;
  assert.equal(m.model.kind, 'gbdt');
  if (m.model.kind === 'gbdt') assert.ok(m.model.trees.length <= Math.round(rounds * 1.25) && m.model.trees.length >= Math.min(rounds, 1), `${m.model.trees.length} trees, CV ${rounds}`);

  // Logistic regression standardises each number by the rows it learns from: its mean is that of all 999 labelled rows, test rows included.
  const lin = trainModel(t, { label: 'label', algorithms: ['logistic'] });
  assert.equal(lin.model.kind, 'logistic');
  const labelled = t.rows.filter((r) => r[3] !== '');
  const mean = (rows: typeof labelled) => rows.reduce((s, r) => s + Number(r[0]), 0) / rows.length;
  if (lin.model.kind === 'logistic') {
    const input = lin.model.inputs[lin.features.findIndex((f) => f.column === 'a')];
    assert.equal(input.kind, 'numeric');
    if (input.kind === 'numeric') assert.ok(Math.abs(input.mean - mean(labelled)) < 1e-9, `mean ${input.mean} vs all rows ${mean(labelled)}`);
  }
});

test('dated rows: time-ordered folds never validate on rows older than they train on, and the newest rows stay the test set', () => {
  const rows = Array.from({ length: 100 }, (_, i) => i);
  const folds = cvFolds(rows, 5, { time: true });
  assert.equal(folds.length, 5);
  for (const f of folds) assert.ok(Math.max(...f.train) < Math.min(...f.valid));
  assert.deepEqual(folds.flatMap((f) => f.valid), rows.slice(40));
  const t = xorTable(1200);
  const dated: Table = { columns: [...t.columns, 'created'], rows: t.rows.map((row, i) => [...row, new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString()]) };
  const m = trainModel(dated, { label: 'label' });
  assert.equal(m.selection!.foldKind, 'time');
  assert.equal(m.split.test, 180);
  assert.match(formatTrainingReport(m), /time-ordered/);
});

test('stratified folds keep each fold\'s positive rate and cover every row once', () => {
  const label = (r: number) => (r % 4 === 0 ? 1 : 0);
  const rows = Array.from({ length: 400 }, (_, i) => i);
  const folds = cvFolds(rows, 5, { label });
  assert.deepEqual(folds.flatMap((f) => f.valid).sort((a, b) => a - b), rows);
  for (const f of folds) {
    assert.equal(f.valid.length, 80);
    assert.equal(f.valid.filter(label).length, 20);
    assert.equal(f.train.length + f.valid.length, 400);
  }
});

test('the blend is chosen only when its CV log loss beats the best single model by the margin', () => {
  const r = (name: CvResult['name'], logLoss: number) => ({ name, metrics: { logLoss } }) as CvResult;
  assert.equal(chooseCandidate([r('gbdt', 0.42), r('logistic', 0.418), r('blend', 0.4175)]).name, 'logistic');
  assert.equal(chooseCandidate([r('gbdt', 0.42), r('logistic', 0.418), r('blend', 0.41)]).name, 'blend');
  assert.equal(chooseCandidate([r('gbdt', 0.421), r('logistic', 0.418)]).name, 'logistic');
});

test('a blended model is chosen when CV shows a gain, and scores and explains rows like any other', () => {
  // A threshold, an interaction and five linear terms: the trees and the linear model each miss part of it.
  const g = rng(7);
  const rows = Array.from({ length: 3000 }, () => {
    const x = Array.from({ length: 8 }, () => g() * 2 - 1);
    const z = (x[0] > 0.5 ? 1.5 : 0) + (x[1] * x[2] > 0 ? 0.8 : -0.8) + 0.7 * (x[3] + x[4] - x[5] + x[6] - x[7]);
    return [...x.map((v) => v.toFixed(3)), g() < 1 / (1 + Math.exp(-z)) ? 'yes' : 'no'];
  });
  const columns = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  // Default trees only (given parameters skip the grid, whose shallow trees would capture the additive part by themselves).
  const m = trainModel({ columns: [...columns, 'y'], rows }, { label: 'y', gbdt: {} });
  assert.equal(m.algorithm, 'blend', JSON.stringify(m.selection!.table));
  assert.equal(m.model.kind, 'blend');
  assert.deepEqual(m.calibration, { a: 1, b: 0 }, 'each part carries its own calibration');
  const [hi, lo] = predictTable(m, { columns, rows: [['0.9', '0.5', '0.5', '0.9', '0.9', '-0.9', '0.9', '-0.9'], ['0', '0.5', '-0.5', '-0.9', '-0.9', '0.9', '-0.9', '0.9']] });
  assert.ok(hi.probability > 0.8 && lo.probability < 0.2, `${hi.probability} ${lo.probability}`);
  assert.match(hi.text, /raises: /);
  assert.match(lo.text, /lowers: /);
  assert.ok(Math.abs(m.importance.reduce((s, f) => s + f.importance, 0) - 1) < 0.01);
  assert.ok(m.metrics.test.auc! > 0.7);
});

test('large tables: cross-validation runs 3 folds on a sample, the default GBDT only, and the refit still learns from every training row', () => {
  for (const dated of [false, true]) {
    const t = xorTable(2400);
    const table: Table = dated ? { columns: [...t.columns, 'created'], rows: t.rows.map((row, i) => [...row, new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString()]) } : t;
    const m = trainModel(table, { label: 'label', cvMaxRows: 800 });
    const sel = m.selection!;
    assert.equal(sel.folds, 3);
    assert.ok(sel.rows >= 600 && sel.rows <= 1100, `${sel.rows} sampled rows`);
    assert.equal(m.split.train, 2040);
    assert.deepEqual(sel.table.filter((r) => r.candidate === 'gbdt').map((r) => r.params), ['31 leaves, lr 0.1']);
    assert.match(formatTrainingReport(m), new RegExp(`a sample of ${sel.rows} of the 2040 training rows`));
    assert.equal(m.split.refit, 2400);
    assert.match(formatTrainingReport(m), /refit on all 2400 labelled rows/);
    assert.equal(m.algorithm, 'gbdt');
    assert.ok(m.metrics.test.auc! > 0.85, `auc ${m.metrics.test.auc}`);
  }
});

test('a model saved before cross-validation (no selection) still prints, labelled with what chose it then', () => {
  const m = trainModel(xorTable(600), { label: 'label', algorithms: ['logistic'] });
  const old = { ...m, selection: undefined, split: { ...m.split, valid: 90 } };
  const report = formatTrainingReport(old);
  assert.match(report, /validation 90/);
  assert.match(report, /candidate logistic\s+test AUC/);
  assert.match(report, /chosen on validation log loss/);
});
