import { AppError, validationError } from '../../lib/errors.ts';
import { applyBinner, fitBinner } from './binning.ts';
import { blendImportance, partImportance, type BlendModel, type PartModel } from './blend.ts';
import { trainForest } from './forest.ts';
import { defaultGbdtParams, trainGbdt, type GbdtParams } from './gbdt.ts';
import { trainLogistic } from './logistic.ts';
import { applyPlatt, calibrationTable, metricsOf } from './metrics.ts';
import { rawScore, type SavedModel } from './model.ts';
import { encodeTable, inferFeatures, type Table } from './schema.ts';
import { chooseCandidate, cvBlend, cvForest, cvGbdt, cvLogistic, minChildFor, planCv, type CvResult, type EncodedRows } from './select.ts';
import { cvFolds, holdOut } from './split.ts';
import { labelClasses, labelValue, parseDate } from './values.ts';

export interface TrainOptions {
  label: string;
  positive?: string | null;
  id?: string | null;
  exclude?: string[];
  /** Rows are ordered by this date column for a time-based split; by default the first date column found. */
  timeColumn?: string | null;
  /** Candidates to cross-validate; default GBDT and logistic regression, and a random forest on tables up to `forestMaxRows` training rows. */
  algorithms?: Array<'gbdt' | 'logistic' | 'forest'>;
  gbdt?: Partial<GbdtParams>;
  seed?: number;
  /** Cross-validation folds (default 5; 3 on tables with more than `cvMaxRows` training rows). */
  folds?: number;
  /** Training rows above which cross-validation runs 3 folds on a sample of about this many (default 20,000). */
  cvMaxRows?: number;
  /** Consider blends (averages of the best single models; default true; chosen only when cross-validation shows a gain). */
  blend?: boolean;
  /** Injected for the training-time figure (domain code gets no clock of its own here). */
  now?: () => number;
}

const minRowsPerClass = 5;
const defaultFolds = 5;
/** Above this many training rows, cross-validation runs 3 folds on a sample of this size (the refit still uses every row). */
const cvMaxRows = 20_000;
const largeFolds = 3;
/** Tables up to this many training rows get their stratified folds cut `smallRepeats` times. */
const repeatMaxRows = 2_000;
const smallRepeats = 3;
/** L2 penalties cross-validated for logistic regression (the default, and two stronger ones for small, wide tables). */
const logisticL2Grid: Array<number | undefined> = [undefined, 0.01, 0.1];
/** Training rows up to which a random forest is a default candidate (above, the GBDT does as well and the forest's file grows large). */
export const forestMaxRows = 5_000;
/** The refit learns from more rows than each fold did; its rounds grow with that ratio, but by at most this factor. */
const maxRoundScale = 1.25;
/**
 * GBDT settings cross-validated on tables up to `cvMaxRows` training rows: the defaults; small slow trees that suit mostly additive
 * data; mid-sized trees regularised by a stronger L2, larger leaves and row/feature subsampling (wide, noisy tables); and stumps-like
 * trees on half the features (close to gbm's depth-3 boosting). Subsampled settings train each tree on fewer rows, so they cost
 * less than their tree counts suggest. Large tables keep the defaults alone (training time).
 */
const gbdtGrid: Array<Partial<GbdtParams>> = [
  {},
  { maxLeaves: 8, maxDepth: 4, learningRate: 0.05, maxTrees: 800 },
  { maxLeaves: 15, maxDepth: 6, learningRate: 0.05, maxTrees: 800, lambda: 5, minChildSamples: 10, subsample: 0.8, colsample: 0.6 },
  { maxLeaves: 4, maxDepth: 2, learningRate: 0.05, maxTrees: 1200, subsample: 0.8, colsample: 0.5 },
];
const gbdtLabel = (p: Partial<GbdtParams>) => {
  const q = { ...defaultGbdtParams, ...p };
  const extra = [
    p.minChildSamples !== undefined ? `min leaf ${q.minChildSamples}` : '',
    q.lambda !== defaultGbdtParams.lambda ? `L2 ${q.lambda}` : '',
    q.subsample < 1 ? `rows ${q.subsample}` : '',
    q.colsample < 1 ? `features ${q.colsample}` : '',
  ].filter(Boolean);
  return [`${q.maxLeaves} leaves, lr ${q.learningRate}`, ...extra].join(', ');
};

function checkColumns(table: Table, o: TrainOptions): void {
  const known = new Set(table.columns);
  const unknown = (flag: string, col: string) =>
    validationError([{ field: flag, message: `no column "${col}" in the CSV (columns: ${table.columns.join(', ')})` }]);
  if (!known.has(o.label)) throw unknown('label', o.label);
  if (o.id && !known.has(o.id)) throw unknown('id', o.id);
  for (const c of o.exclude ?? []) if (!known.has(c)) throw unknown('exclude', c);
  if (o.timeColumn && !known.has(o.timeColumn)) throw unknown('timeColumn', o.timeColumn);
}

/**
 * Learns a calibrated binary model from a table: types inferred, the newest (or a stratified) 15% held out as the test set, GBDT, logistic
 * regression, a random forest (small tables) and their blends compared by k-fold cross-validation on the rest, the lowest CV log loss
 * reported on the test rows from a fit on the training rows, then refit on every labelled row.
 */
export function trainModel(table: Table, o: TrainOptions): SavedModel {
  const now = o.now ?? (() => performance.now());
  const started = now();
  checkColumns(table, o);
  const li = table.columns.indexOf(o.label);
  const labels = table.rows.map((r) => r[li]);
  const { classes, yesNo } = labelClasses(labels);
  let positive = o.positive ?? null;
  if (positive !== null && !classes.some((c) => c.toLowerCase() === positive!.toLowerCase()))
    throw validationError([{ field: 'positive', message: `"${positive}" never appears in column "${o.label}" (values: ${classes.slice(0, 10).join(', ')})` }]);
  if (positive === null && !yesNo) {
    throw validationError([{ field: 'positive', message: `label "${o.label}" has ${classes.length} values (${classes.slice(0, 10).join(', ')}); pass --positive <value> to say which one counts as positive` }]);
  }
  const y = labels.map((v) => labelValue(v, positive));
  const rows = y.flatMap((v, i) => (v === null ? [] : [i]));
  const pos = rows.filter((r) => y[r] === 1).length;
  if (pos === 0 || pos === rows.length)
    throw validationError([{ field: 'label', message: `label "${o.label}" has only one class (${classes.join(', ') || 'blank'}); a model needs examples of both` }]);
  if (pos < minRowsPerClass || rows.length - pos < minRowsPerClass)
    throw validationError([{ field: 'label', message: `too few examples: ${pos} positive and ${rows.length - pos} negative rows; at least ${minRowsPerClass} of each are needed` }]);

  const skip = new Set([o.label, ...(o.id ? [o.id] : []), ...(o.exclude ?? [])]);
  const use = table.columns.filter((c) => !skip.has(c));
  const stride = Math.max(1, Math.floor(rows.length / 20_000));
  const sample = rows.filter((_, k) => k % stride === 0);
  const { features, columns, dateColumn } = inferFeatures(table, use, sample);
  if (features.length === 0) throw validationError([{ field: 'csv', message: 'no usable feature columns: every other column is blank, constant or unique text' }]);

  const timeCol = o.timeColumn ?? dateColumn;
  const ti = timeCol ? table.columns.indexOf(timeCol) : -1;
  const byTime = ti >= 0;
  const split = byTime ? holdOut(rows, { time: (r) => parseDate(table.rows[r][ti]) }) : holdOut(rows, { label: (r) => y[r]!, seed: o.seed });
  const part = (idx: number[]): EncodedRows => ({ X: encodeTable(features, table, idx), y: Uint8Array.from(idx.map((r) => y[r]!)) });
  const tr = part(split.train);
  const te = part(split.test);
  const shape = { categorical: features.map((f) => f.kind === 'categorical'), catCounts: features.map((f) => (f.kind === 'categorical' ? f.categories.length : 0)) };
  // Cross-validation on the training rows (a time-ordered or stratified sample of them on very large tables).
  const positions = Array.from({ length: split.train.length }, (_, i) => i);
  const maxRows = o.cvMaxRows ?? cvMaxRows;
  const large = positions.length > maxRows;
  const algorithms = o.algorithms ?? (!large && split.train.length <= forestMaxRows ? ['gbdt', 'logistic', 'forest'] : ['gbdt', 'logistic']);
  if (algorithms.length === 0) throw new AppError('BAD_REQUEST', 'no algorithm to train');
  const cvPositions = large ? sampleRows(positions, maxRows, byTime ? null : (i) => tr.y[i], o.seed) : positions;
  const k = large ? largeFolds : o.folds ?? defaultFolds;
  // Small tables are cut into folds several times over (each time differently), so the choice does not hang on one lucky cut.
  const repeats = !large && !byTime && cvPositions.length <= repeatMaxRows ? smallRepeats : 1;
  const plan = planCv(
    Array.from({ length: repeats }, (_, r) => cvFolds(cvPositions, k, byTime ? { time: true } : { label: (i) => tr.y[i], seed: (o.seed ?? 42) + r })).flat(),
  );
  const results: CvResult[] = [];
  // The grid above unless parameters were given or the table is large.
  const grid = o.gbdt ? [o.gbdt] : large ? [{}] : gbdtGrid;
  const gbdts = algorithms.includes('gbdt') ? grid.map((params) => cvGbdt(tr, plan, shape, params)) : [];
  results.push(...gbdts);
  const logistics = algorithms.includes('logistic') ? (large ? [undefined] : logisticL2Grid).map((l2) => cvLogistic(tr, plan, shape, o.seed, l2)) : [];
  const lr = logistics.length ? logistics.reduce((a, b) => (b.metrics.logLoss < a.metrics.logLoss ? b : a)) : undefined;
  results.push(...logistics);
  if (algorithms.includes('forest')) results.push(cvForest(tr, plan, shape, { seed: o.seed ?? 7 }));
  const gb = gbdts.length ? gbdts.reduce((a, b) => (b.metrics.logLoss < a.metrics.logLoss ? b : a)) : undefined;
  // Blends average the two best single models of different kinds, and all of them (the best GBDT and logistic settings stand for their kind).
  const singles = [gb, lr, ...results.filter((r) => r.name === 'forest')].filter((r): r is CvResult => r !== undefined).sort((a, b) => a.metrics.logLoss - b.metrics.logLoss);
  if (singles.length >= 2 && o.blend !== false) results.push(cvBlend(tr, plan, singles.slice(0, 2)));
  if (singles.length >= 3 && o.blend !== false) results.push(cvBlend(tr, plan, singles));
  const chosen = chooseCandidate(results);

  // Refit: GBDT boosts the rounds cross-validation chose, scaled up a little for the larger refit set.
  const refitPart = (c: CvResult, d: EncodedRows): PartModel => {
    if (c.name === 'logistic') return trainLogistic(d.X, shape.categorical, shape.catCounts, d.y, { seed: o.seed, l2: c.l2 });
    const binner = fitBinner(d.X, shape.categorical, shape.catCounts);
    const binned = { bins: applyBinner(binner, d.X, d.y.length), n: d.y.length, y: d.y };
    if (c.name === 'forest') return trainForest(binned, binner, shape.categorical, { seed: o.seed ?? 7 });
    const scale = Math.min(maxRoundScale, Math.max(1, d.y.length / c.foldTrainRows));
    const params = { ...defaultGbdtParams, minChildSamples: minChildFor(d.y.length), ...c.params, maxTrees: Math.max(1, Math.round(c.rounds! * scale)) };
    return trainGbdt(binned, null, binner, shape.categorical, params);
  };
  const refit = (d: EncodedRows): SavedModel['model'] =>
    chosen.name === 'blend' ? ({ kind: 'blend', parts: chosen.parts!.map((c) => ({ model: refitPart(c, d), calibration: c.calibration })) } satisfies BlendModel) : refitPart(chosen, d);
  const calibration = chosen.name === 'blend' ? { a: 1, b: 0 } : chosen.calibration;
  // The held-out figures come from a fit on the training rows alone; the saved model then learns from every labelled row.
  const heldOut = refit(tr);
  const testP = Array.from({ length: te.y.length }, (_, i) => applyPlatt(calibration, rawScore(heldOut, te.X.map((c) => c[i]))));
  const all = part([...split.train, ...split.test]);
  const model = split.test.length > 0 ? refit(all) : heldOut;
  const F = features.length;
  const imp = model.kind === 'blend' ? blendImportance(model, F) : partImportance(model, F);
  const candidates: SavedModel['metrics']['candidates'] = {};
  const blends = results.filter((r) => r.name === 'blend');
  const bestBlend = blends.length ? blends.reduce((a, b) => (b.metrics.logLoss < a.metrics.logLoss ? b : a)) : undefined;
  for (const r of results) if ([gb, lr, bestBlend].includes(r) || r.name === 'forest') candidates[r.name] = r.metrics;
  const round4 = (v: number) => Number(v.toFixed(4));
  return {
    format: 'kinetic-model',
    formatVersion: 1,
    label: o.label,
    positive,
    idColumn: o.id ?? null,
    features,
    columns,
    algorithm: chosen.name,
    model,
    calibration,
    split: { kind: split.kind, column: split.kind === 'time' ? timeCol : null, train: split.train.length, valid: 0, test: split.test.length, refit: split.train.length + split.test.length },
    metrics: { test: metricsOf(te.y, testP), candidates },
    selection: {
      method: 'cross-validation',
      folds: k,
      ...(repeats > 1 ? { repeats } : {}),
      foldKind: byTime ? 'time' : 'stratified',
      rows: cvPositions.length,
      metric: 'logLoss',
      chosen: chosen.name,
      chosenRow: results.indexOf(chosen),
      table: results.map((r) => ({
        candidate: r.name,
        ...(r.name === 'gbdt' ? { params: gbdtLabel(r.params ?? {}) } : r.name === 'logistic' && logistics.length > 1 ? { params: `L2 ${r.l2 ?? 0.001}` } : r.parts ? { params: r.parts.map((q) => q.name).join(' + ') } : {}),
        logLoss: round4(r.metrics.logLoss),
        logLossSd: round4(r.foldLogLoss.sd),
        auc: r.metrics.auc === null ? null : round4(r.metrics.auc),
        brier: round4(r.metrics.brier),
        ...(r.rounds ? { rounds: r.rounds } : {}),
      })),
    },
    calibrationTable: calibrationTable(te.y, testP),
    importance: features.map((f, i) => ({ feature: f.name, importance: Number(imp[i].toFixed(4)) })).sort((a, b) => b.importance - a.importance),
    trainSeconds: Number(((now() - started) / 1000).toFixed(2)),
  };
}

/** Every n-th position (time order kept) or, with labels, a seeded stratified sample of `size` positions. */
function sampleRows(positions: number[], size: number, label: ((i: number) => number) | null, seed = 42): number[] {
  if (!label) {
    const stride = positions.length / size;
    return Array.from({ length: size }, (_, j) => positions[Math.floor(j * stride)]);
  }
  const fold = cvFolds(positions, Math.max(2, Math.round(positions.length / size)), { label, seed })[0];
  return fold.valid;
}
