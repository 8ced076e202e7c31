import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyBinner, fitBinner } from '../../../src/intelligence/models/binning.ts';
import { forestContributions, forestImportance, forestProbability, forestRaw, trainForest } from '../../../src/intelligence/models/forest.ts';
import { auc } from '../../../src/intelligence/models/metrics.ts';
import { predictTable } from '../../../src/intelligence/models/model.ts';
import { formatTrainingReport } from '../../../src/intelligence/models/report.ts';
import type { Table } from '../../../src/intelligence/models/schema.ts';
import { chooseCandidate, type CvResult } from '../../../src/intelligence/models/select.ts';
import { trainModel } from '../../../src/intelligence/models/train.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Columns of an XOR problem with a categorical colour that matters, a blank now and then, and noise. */
function xorColumns(n: number, seed: number) {
  const r = rng(seed);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const colour = new Float64Array(n);
  const noise = new Float64Array(n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = r() * 2 - 1;
    b[i] = r() < 0.05 ? NaN : r() * 2 - 1;
    colour[i] = Math.floor(r() * 4);
    noise[i] = r();
    const xor = (a[i] > 0) !== ((Number.isNaN(b[i]) ? 0 : b[i]) > 0);
    const z = (xor ? 2 : -2) + (colour[i] === 2 ? 1.5 : 0);
    y[i] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { X: [a, b, colour, noise], y };
}

const categorical = [false, false, true, false];
const catCounts = [0, 0, 4, 0];
const rowOf = (X: Float64Array[], i: number) => X.map((c) => c[i]);

test('a random forest learns an interaction and a category, with blanks, and ranks unseen rows well', () => {
  const train = xorColumns(1500, 1);
  const binner = fitBinner(train.X, categorical, catCounts);
  const forest = trainForest({ bins: applyBinner(binner, train.X, train.y.length), n: train.y.length, y: train.y }, binner, categorical, { trees: 100 });
  assert.equal(forest.trees.length, 100);
  const test = xorColumns(800, 2);
  const p = Array.from({ length: test.y.length }, (_, i) => forestProbability(forest, rowOf(test.X, i)));
  assert.ok(p.every((v) => v >= 0 && v <= 1));
  assert.ok(auc(test.y, p)! > 0.85, `AUC ${auc(test.y, p)}`);
  const imp = forestImportance(forest, 4);
  assert.ok(imp[0] > imp[3] && imp[1] > imp[3], `the noise column matters least: ${imp.map((v) => v.toFixed(3)).join(' ')}`);
  assert.ok(Math.abs(imp.reduce((s, v) => s + v, 0) - 1) < 1e-9);
});

test('the same rows and seed grow the same forest; another seed grows another', () => {
  const d = xorColumns(400, 3);
  const binner = fitBinner(d.X, categorical, catCounts);
  const data = { bins: applyBinner(binner, d.X, d.y.length), n: d.y.length, y: d.y };
  const one = trainForest(data, binner, categorical, { trees: 20, seed: 5 });
  const two = trainForest(data, binner, categorical, { trees: 20, seed: 5 });
  const other = trainForest(data, binner, categorical, { trees: 20, seed: 6 });
  assert.deepEqual(one, two);
  assert.notDeepEqual(one, other);
});

test("a row's contributions add up to its log-odds minus the forest's base", () => {
  const d = xorColumns(600, 4);
  const binner = fitBinner(d.X, categorical, catCounts);
  const forest = trainForest({ bins: applyBinner(binner, d.X, d.y.length), n: d.y.length, y: d.y }, binner, categorical, { trees: 50 });
  for (let i = 0; i < 30; i++) {
    const x = rowOf(d.X, i);
    const { base, contributions } = forestContributions(forest, x, 4);
    const sum = contributions.reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(base + sum - forestRaw(forest, x)) < 1e-6, `row ${i}: ${base} + ${sum} vs ${forestRaw(forest, x)}`);
  }
});

test('small tables cross-validate a random forest next to GBDT and logistic regression; a forest model scores, explains and survives its file', () => {
  const d = xorColumns(600, 7);
  const colours = ['red', 'green', 'blue', 'grey'];
  const table: Table = {
    columns: ['a', 'b', 'colour', 'noise', 'label'],
    rows: Array.from({ length: d.y.length }, (_, i) => [d.X[0][i].toFixed(3), Number.isNaN(d.X[1][i]) ? '' : d.X[1][i].toFixed(3), colours[d.X[2][i]], d.X[3][i].toFixed(3), d.y[i] ? 'yes' : 'no']),
  };
  const m = trainModel(table, { label: 'label' });
  const names = new Set(m.selection!.table.map((r) => r.candidate));
  for (const c of ['gbdt', 'logistic', 'forest', 'blend']) assert.ok(names.has(c as CvResult['name']), `${c} is cross-validated: ${[...names].join(', ')}`);
  assert.ok(m.metrics.candidates.forest, 'the forest has its cross-validated figures');
  // Blends are labelled with what they average.
  assert.ok(m.selection!.table.filter((r) => r.candidate === 'blend').every((r) => / \+ /.test(r.params ?? '')), JSON.stringify(m.selection!.table));

  const forestOnly = trainModel(table, { label: 'label', algorithms: ['forest'] });
  assert.equal(forestOnly.algorithm, 'forest');
  assert.equal(forestOnly.model.kind, 'forest');
  assert.match(formatTrainingReport(forestOnly), /Model: random forest, refit on all 600 labelled rows/);
  const rows = [['0.8', '-0.7', 'blue', '0.5'], ['0.8', '0.7', 'red', '0.5']];
  const [hi, lo] = predictTable(forestOnly, { columns: ['a', 'b', 'colour', 'noise'], rows });
  assert.ok(hi.probability > 0.7 && lo.probability < 0.3, `${hi.probability} ${lo.probability}`);
  assert.match(hi.text, /raises: /);
  const reloaded = JSON.parse(JSON.stringify(forestOnly)) as typeof forestOnly;
  assert.deepEqual(predictTable(reloaded, { columns: ['a', 'b', 'colour', 'noise'], rows }).map((p) => p.probability), [hi.probability, lo.probability]);
});

test('tables above the forest limit train without a forest unless asked', () => {
  const r = rng(9);
  const rows = Array.from({ length: 6_000 }, () => {
    const a = r() * 2 - 1;
    return [a.toFixed(3), r() < 1 / (1 + Math.exp(-3 * a)) ? '1' : '0'];
  });
  const m = trainModel({ columns: ['a', 'y'], rows }, { label: 'y', cvMaxRows: 1_000 });
  assert.ok(!m.selection!.table.some((row) => row.candidate === 'forest'), JSON.stringify(m.selection!.table));
});

test('a forest is chosen like any single model: the lowest cross-validated log loss', () => {
  const r = (name: CvResult['name'], logLoss: number) => ({ name, metrics: { logLoss } }) as CvResult;
  assert.equal(chooseCandidate([r('gbdt', 0.42), r('logistic', 0.43), r('forest', 0.4)]).name, 'forest');
  assert.equal(chooseCandidate([r('gbdt', 0.42), r('forest', 0.4), r('blend', 0.395), r('blend', 0.39)]).name, 'blend');
  assert.equal(chooseCandidate([r('gbdt', 0.42), r('forest', 0.4), r('blend', 0.3995)]).name, 'forest');
});
