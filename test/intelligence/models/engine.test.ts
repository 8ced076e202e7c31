import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainModel } from '../../../src/intelligence/models/train.ts';
import { predictTable } from '../../../src/intelligence/models/model.ts';
import { auc, brier, calibrationTable, fitPlatt, logLoss } from '../../../src/intelligence/models/metrics.ts';
import type { Table } from '../../../src/intelligence/models/schema.ts';

/** Deterministic pseudo-random numbers for reproducible tables. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function xorTable(n: number, seed = 1): Table {
  const r = rng(seed);
  const rows = Array.from({ length: n }, () => {
    const a = r() * 2 - 1;
    const b = r() * 2 - 1;
    const noise = r() * 2 - 1;
    const y = (a > 0) !== (b > 0) ? (r() < 0.9 ? 1 : 0) : r() < 0.1 ? 1 : 0;
    return [a.toFixed(3), b.toFixed(3), noise.toFixed(3), y ? 'Yes' : 'No'];
  });
  return { columns: ['a', 'b', 'noise', 'label'], rows };
}

function linearTable(n: number, seed = 2): Table {
  const r = rng(seed);
  const rows = Array.from({ length: n }, () => {
    const x = Array.from({ length: 5 }, () => r() * 2 - 1);
    const z = 2 * x[0] - 1.5 * x[1] + x[2] + 0 * x[3];
    const y = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    return [...x.map((v) => v.toFixed(3)), String(y)];
  });
  return { columns: ['x0', 'x1', 'x2', 'x3', 'x4', 'y'], rows };
}

test('gradient-boosted trees beat logistic regression on an interaction (XOR) the linear model cannot see', () => {
  const m = trainModel(xorTable(3000), { label: 'label' });
  const g = m.metrics.candidates.gbdt!;
  const l = m.metrics.candidates.logistic!;
  assert.ok(g.auc! > 0.85, `gbdt auc ${g.auc}`);
  assert.ok(l.auc! < 0.65, `logistic auc ${l.auc}`);
  assert.ok(g.logLoss < l.logLoss);
  assert.equal(m.algorithm, 'gbdt');
  assert.deepEqual(m.importance.slice(0, 2).map((i) => i.feature).sort(), ['a', 'b']);
});

test('logistic regression does well on linear data and is competitive with the trees', () => {
  const m = trainModel(linearTable(4000), { label: 'y' });
  const l = m.metrics.candidates.logistic!;
  const g = m.metrics.candidates.gbdt!;
  assert.ok(l.auc! > 0.8, `logistic auc ${l.auc}`);
  assert.ok(l.auc! >= g.auc! - 0.01, `logistic ${l.auc} vs gbdt ${g.auc}`);
  assert.equal(m.positive, null, '1/0 labels need no --positive');
});

test('reasons name the features that push a prediction up or down', () => {
  const m = trainModel(xorTable(3000), { label: 'label' });
  const [high, low] = predictTable(m, { columns: ['a', 'b', 'noise'], rows: [['0.8', '-0.7', '0'], ['0.8', '0.7', '0']] });
  assert.ok(high.probability > 0.7 && low.probability < 0.3, `${high.probability} ${low.probability}`);
  assert.ok(high.reasons.some((r) => r.effect === 'raises'), JSON.stringify(high.reasons));
  assert.match(high.text, /raises: .*(a|b) is/);
  assert.match(low.text, /lowers: /);
});

test('missing values and categories are learned, including a blank that means something', () => {
  const r = rng(5);
  const rows = Array.from({ length: 2000 }, () => {
    const plan = ['Basic', 'Plus', 'Premium'][Math.floor(r() * 3)];
    const blank = r() < 0.3;
    const y = plan === 'Premium' || blank ? (r() < 0.85 ? 'yes' : 'no') : r() < 0.15 ? 'yes' : 'no';
    return [plan, blank ? '' : (r() * 100).toFixed(0), y];
  });
  const m = trainModel({ columns: ['plan', 'visits', 'churned'], rows }, { label: 'churned', algorithms: ['gbdt'] });
  assert.ok(m.metrics.test.auc! > 0.8, `auc ${m.metrics.test.auc}`);
  const [premium, blank, basic] = predictTable(m, { columns: ['plan', 'visits'], rows: [['Premium', '50'], ['Basic', ''], ['Basic', '50']] });
  assert.ok(premium.probability > 0.6 && blank.probability > 0.6 && basic.probability < 0.3, `${premium.probability} ${blank.probability} ${basic.probability}`);
});

test('dated rows are split by time: the newest rows are the held-out test set', () => {
  const t = xorTable(1000);
  const dated: Table = { columns: [...t.columns, 'created'], rows: t.rows.map((row, i) => [...row, new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)]) };
  const m = trainModel(dated, { label: 'label' });
  assert.equal(m.split.kind, 'time');
  assert.equal(m.split.column, 'created');
  assert.equal(m.split.train + m.split.valid + m.split.test, 1000);
  assert.ok(m.features.some((f) => f.kind === 'month'));
  assert.equal(trainModel(t, { label: 'label' }).split.kind, 'stratified');
});

test('metrics: table of known values', () => {
  const cases: Array<[number[], number[], number | null]> = [
    [[0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.75],
    [[0, 1], [0.2, 0.9], 1],
    [[1, 0], [0.2, 0.9], 0],
    [[1, 1], [0.2, 0.9], null],
    [[0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 0.5],
  ];
  for (const [y, p, want] of cases) assert.equal(auc(y, p), want, `${y} ${p}`);
  assert.equal(brier([1, 0], [1, 0]), 0);
  assert.ok(Math.abs(logLoss([1], [0.5]) - Math.log(2)) < 1e-12);
  const table = calibrationTable([0, 1, 1], [0.05, 0.95, 0.91]);
  assert.deepEqual(table.map((b) => [b.count, b.observedRate]), [[1, 0], [2, 1]]);
  // Overconfident raw scores get a slope below 1.
  const raw = [-8, -8, -6, 6, 8, 8, -7, 7, 6, -6];
  const ys = [0, 1, 0, 1, 0, 1, 0, 1, 1, 0];
  assert.ok(fitPlatt(raw, ys).a < 0.5);
});

test('early stopping: on pure noise the trees stop after a few rounds instead of memorising', () => {
  const r = rng(9);
  const rows = Array.from({ length: 2000 }, () => [r().toFixed(3), r().toFixed(3), (r() * 10).toFixed(0), r() < 0.4 ? 'yes' : 'no']);
  const m = trainModel({ columns: ['a', 'b', 'c', 'label'], rows }, { label: 'label', algorithms: ['gbdt'] });
  assert.equal(m.model.kind, 'gbdt');
  if (m.model.kind === 'gbdt') assert.ok(m.model.trees.length < 30, `${m.model.trees.length} trees`);
  assert.ok(Math.abs(m.metrics.test.auc! - 0.5) < 0.1, `auc ${m.metrics.test.auc}`);
});

test('probabilities are calibrated: predicted rates match observed rates on held-out rows', () => {
  const m = trainModel(linearTable(6000, 4), { label: 'y' });
  const bins = m.calibrationTable.filter((b) => b.count >= 40);
  assert.ok(bins.length >= 4);
  const weighted = bins.reduce((s, b) => s + b.count * Math.abs(b.meanPredicted - b.observedRate), 0) / bins.reduce((s, b) => s + b.count, 0);
  assert.ok(weighted < 0.06, `mean calibration gap ${weighted}`);
});
