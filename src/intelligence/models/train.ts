import { AppError, validationError } from '../../lib/errors.ts';
import { applyBinner, fitBinner } from './binning.ts';
import { defaultGbdtParams, gbdtImportance, trainGbdt, type GbdtParams } from './gbdt.ts';
import { logisticImportance, trainLogistic } from './logistic.ts';
import { applyPlatt, calibrationTable, fitPlatt, logLoss, metricsOf, type Metrics } from './metrics.ts';
import { rawScore, type SavedModel } from './model.ts';
import { encodeTable, inferFeatures, type Table } from './schema.ts';
import { stratifiedSplit, timeSplit } from './split.ts';
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
  /** Injected for the training-time figure (domain code gets no clock of its own here). */
  now?: () => number;
}

const minRowsPerClass = 5;

function checkColumns(table: Table, o: TrainOptions): void {
  const known = new Set(table.columns);
  const unknown = (flag: string, col: string) =>
    validationError([{ field: flag, message: `no column "${col}" in the CSV (columns: ${table.columns.join(', ')})` }]);
  if (!known.has(o.label)) throw unknown('label', o.label);
  if (o.id && !known.has(o.id)) throw unknown('id', o.id);
  for (const c of o.exclude ?? []) if (!known.has(c)) throw unknown('exclude', c);
  if (o.timeColumn && !known.has(o.timeColumn)) throw unknown('timeColumn', o.timeColumn);
}

/** Learns a calibrated binary model from a table: types inferred, GBDT and logistic regression both tried, the better one on held-out rows kept. */
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
  const split = ti >= 0 ? timeSplit(rows, (r) => parseDate(table.rows[r][ti])) : stratifiedSplit(rows, (r) => y[r]!, o.seed);
  const part = (idx: number[]) => ({ X: encodeTable(features, table, idx), y: Uint8Array.from(idx.map((r) => y[r]!)) });
  const tr = part(split.train);
  const va = part(split.valid);
  const te = part(split.test);
  const categorical = features.map((f) => f.kind === 'categorical');
  const catCounts = features.map((f) => (f.kind === 'categorical' ? f.categories.length : 0));
  const algorithms = o.algorithms ?? ['gbdt', 'logistic'];

  const candidates: SavedModel['metrics']['candidates'] = {};
  let best: { algorithm: 'gbdt' | 'logistic'; model: SavedModel['model']; loss: number } | null = null;
  const rowOf = (X: Float64Array[], i: number) => X.map((c) => c[i]);
  const raws = (m: SavedModel['model'], X: Float64Array[], n: number) => Array.from({ length: n }, (_, i) => rawScore(m, rowOf(X, i)));
  const fitted: Array<{ algorithm: 'gbdt' | 'logistic'; model: SavedModel['model'] }> = [];
  if (algorithms.includes('gbdt')) {
    const binner = fitBinner(tr.X, categorical, catCounts);
    const minChild = Math.min(defaultGbdtParams.minChildSamples, Math.max(3, Math.floor(split.train.length / 50)));
    const params = { ...defaultGbdtParams, minChildSamples: minChild, ...o.gbdt };
    const model = trainGbdt(
      { bins: applyBinner(binner, tr.X, tr.y.length), n: tr.y.length, y: tr.y },
      va.y.length ? { bins: applyBinner(binner, va.X, va.y.length), n: va.y.length, y: va.y } : null,
      binner,
      categorical,
      params,
    );
    fitted.push({ algorithm: 'gbdt', model });
  }
  if (algorithms.includes('logistic')) fitted.push({ algorithm: 'logistic', model: trainLogistic(tr.X, categorical, catCounts, tr.y, { seed: o.seed }) });
  const calibrations = new Map<string, ReturnType<typeof fitPlatt>>();
  for (const f of fitted) {
    const validRaw = raws(f.model, va.X, va.y.length);
    const cal = fitPlatt(validRaw, va.y);
    calibrations.set(f.algorithm, cal);
    const loss = logLoss(va.y, validRaw.map((r) => applyPlatt(cal, r)));
    const testP = raws(f.model, te.X, te.y.length).map((r) => applyPlatt(cal, r));
    candidates[f.algorithm] = metricsOf(te.y, testP);
    if (!best || loss < best.loss) best = { algorithm: f.algorithm, model: f.model, loss };
  }
  if (!best) throw new AppError('BAD_REQUEST', 'no algorithm to train');
  const calibration = calibrations.get(best.algorithm)!;
  const testP = raws(best.model, te.X, te.y.length).map((r) => applyPlatt(calibration, r));
  const imp = best.model.kind === 'gbdt' ? gbdtImportance(best.model, features.length) : logisticImportance(best.model);
  return {
    format: 'kinetic-model',
    formatVersion: 1,
    label: o.label,
    positive,
    idColumn: o.id ?? null,
    features,
    columns,
    algorithm: best.algorithm,
    model: best.model,
    calibration,
    split: { kind: split.kind, column: split.kind === 'time' ? timeCol : null, train: split.train.length, valid: split.valid.length, test: split.test.length },
    metrics: { test: candidates[best.algorithm] as Metrics, candidates },
    calibrationTable: calibrationTable(te.y, testP),
    importance: features.map((f, i) => ({ feature: f.name, importance: Number(imp[i].toFixed(4)) })).sort((a, b) => b.importance - a.importance),
    trainSeconds: Number(((now() - started) / 1000).toFixed(2)),
  };
}
