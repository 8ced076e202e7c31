import { AppError, validationError } from '../../lib/errors.ts';
import { applyBinner, fitBinner } from './binning.ts';
import { blendImportance, type BlendModel } from './blend.ts';
import { defaultGbdtParams, gbdtImportance, trainGbdt, type GbdtModel, type GbdtParams } from './gbdt.ts';
import { logisticImportance, trainLogistic, type LogisticModel } from './logistic.ts';
import { applyPlatt, calibrationTable, metricsOf } from './metrics.ts';
import { rawScore, type SavedModel } from './model.ts';
import { encodeTable, inferFeatures, type Table } from './schema.ts';
import { chooseCandidate, cvBlend, cvGbdt, cvLogistic, minChildFor, planCv, type CvResult, type EncodedRows } from './select.ts';
import { cvFolds, holdOut } from './split.ts';
import { labelClasses, labelValue, parseDate } from './values.ts';

export interface TrainOptions {
  label: string;
  positive?: string | null;
  id?: string | null;
  exclude?: string[];
  /** Rows are ordered by this date column for a time-based split; by default the first date column found. */
  timeColumn?: string | null;
  algorithms?: Array<'gbdt' | 'logistic'>;
  gbdt?: Partial<GbdtParams>;
  seed?: number;
  /** Cross-validation folds (default 5; 3 on tables with more than `cvMaxRows` training rows). */
  folds?: number;
  /** Training rows above which cross-validation runs 3 folds on a sample of about this many (default 20,000). */
  cvMaxRows?: number;
  /** Consider the averaged GBDT + logistic blend (default true; chosen only when cross-validation shows a gain). */
  blend?: boolean;
  /** Injected for the training-time figure (domain code gets no clock of its own here). */
  now?: () => number;
}

const minRowsPerClass = 5;
const defaultFolds = 5;
/** Above this many training rows, cross-validation runs 3 folds on a sample of this size (the refit still uses every row). */
const cvMaxRows = 20_000;
const largeFolds = 3;
/** The refit learns from more rows than each fold did; its rounds grow with that ratio, but by at most this factor. */
const maxRoundScale = 1.25;
/** GBDT settings cross-validated on tables up to `cvMaxRows` training rows: the defaults, and small slow trees that suit mostly additive data. */
const gbdtGrid: Array<Partial<GbdtParams>> = [{}, { maxLeaves: 8, maxDepth: 4, learningRate: 0.05, maxTrees: 800 }];
const gbdtLabel = (p: Partial<GbdtParams>) => {
  const q = { ...defaultGbdtParams, ...p };
  return `${q.maxLeaves} leaves, lr ${q.learningRate}`;
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
 * regression and their blend compared by k-fold cross-validation on the rest, the lowest CV log loss refit on every training row and
 * reported on the test rows.
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
  const algorithms = o.algorithms ?? ['gbdt', 'logistic'];
  if (algorithms.length === 0) throw new AppError('BAD_REQUEST', 'no algorithm to train');

  // Cross-validation on the training rows (a time-ordered or stratified sample of them on very large tables).
  const positions = Array.from({ length: split.train.length }, (_, i) => i);
  const maxRows = o.cvMaxRows ?? cvMaxRows;
  const large = positions.length > maxRows;
  const cvPositions = large ? sampleRows(positions, maxRows, byTime ? null : (i) => tr.y[i], o.seed) : positions;
  const k = large ? largeFolds : o.folds ?? defaultFolds;
  const plan = planCv(cvFolds(cvPositions, k, byTime ? { time: true } : { label: (i) => tr.y[i], seed: o.seed }));
  const results: CvResult[] = [];
  // A small grid (default trees, and shallow slow ones) unless parameters were given or the table is large.
  const grid = o.gbdt ? [o.gbdt] : large ? [{}] : gbdtGrid;
  const gbdts = algorithms.includes('gbdt') ? grid.map((params) => cvGbdt(tr, plan, shape, params)) : [];
  results.push(...gbdts);
  if (algorithms.includes('logistic')) results.push(cvLogistic(tr, plan, shape, o.seed));
  const gb = gbdts.length ? gbdts.reduce((a, b) => (b.metrics.logLoss < a.metrics.logLoss ? b : a)) : undefined;
  const lr = results.find((r) => r.name === 'logistic');
  if (gb && lr && o.blend !== false) results.push(cvBlend(tr, plan, gb, lr));
  const chosen = chooseCandidate(results);

  // Refit on every training row; GBDT boosts the rounds cross-validation chose, scaled up a little for the larger refit set.
  const refitGbdt = (): GbdtModel => {
    const binner = fitBinner(tr.X, shape.categorical, shape.catCounts);
    const scale = Math.min(maxRoundScale, Math.max(1, tr.y.length / gb!.foldTrainRows));
    const params = { ...defaultGbdtParams, minChildSamples: minChildFor(tr.y.length), ...gb!.params, maxTrees: Math.max(1, Math.round(gb!.rounds! * scale)) };
    return trainGbdt({ bins: applyBinner(binner, tr.X, tr.y.length), n: tr.y.length, y: tr.y }, null, binner, shape.categorical, params);
  };
  const refitLogistic = (): LogisticModel => trainLogistic(tr.X, shape.categorical, shape.catCounts, tr.y, { seed: o.seed });
  let model: SavedModel['model'];
  let calibration = chosen.calibration;
  if (chosen.name === 'gbdt') model = refitGbdt();
  else if (chosen.name === 'logistic') model = refitLogistic();
  else {
    const blend: BlendModel = { kind: 'blend', parts: [{ model: refitGbdt(), calibration: gb!.calibration }, { model: refitLogistic(), calibration: lr!.calibration }] };
    model = blend;
    calibration = { a: 1, b: 0 };
  }

  const testP = Array.from({ length: te.y.length }, (_, i) => applyPlatt(calibration, rawScore(model, te.X.map((c) => c[i]))));
  const F = features.length;
  const imp = model.kind === 'gbdt' ? gbdtImportance(model, F) : model.kind === 'logistic' ? logisticImportance(model) : blendImportance(model, F);
  const candidates: SavedModel['metrics']['candidates'] = {};
  for (const r of results) if (r.name !== 'gbdt' || r === gb) candidates[r.name] = r.metrics;
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
    split: { kind: split.kind, column: split.kind === 'time' ? timeCol : null, train: split.train.length, valid: 0, test: split.test.length },
    metrics: { test: metricsOf(te.y, testP), candidates },
    selection: {
      method: 'cross-validation',
      folds: plan.folds.length,
      foldKind: byTime ? 'time' : 'stratified',
      rows: cvPositions.length,
      metric: 'logLoss',
      chosen: chosen.name,
      chosenRow: results.indexOf(chosen),
      table: results.map((r) => ({
        candidate: r.name,
        ...(r.name === 'gbdt' ? { params: gbdtLabel(r.params ?? {}) } : {}),
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
