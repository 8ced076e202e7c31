import { applyBinner, fitBinner } from './binning.ts';
import { forestRaw, trainForest, type ForestParams } from './forest.ts';
import { defaultGbdtParams, gbdtRaw, trainGbdt, type GbdtModel, type GbdtParams, type GbdtTrace } from './gbdt.ts';
import { logisticRaw, trainLogistic, type LogisticModel } from './logistic.ts';
import { applyPlatt, fitPlatt, logLoss, metricsOf, type Metrics, type Platt } from './metrics.ts';
import type { Fold } from './split.ts';

/**
 * Model selection by cross-validation: every candidate is trained on each fold's training rows and predicts the fold's
 * validation rows it never saw; the pooled out-of-fold predictions are Platt-calibrated once and scored. The candidate with the
 * lowest cross-validated log loss is chosen — the same figure the report prints.
 */
export type CandidateName = 'gbdt' | 'logistic' | 'forest' | 'blend';

export interface EncodedRows {
  X: Float64Array[];
  y: Uint8Array;
}

export interface FeatureShape {
  categorical: boolean[];
  catCounts: number[];
}

export interface CvResult {
  name: CandidateName;
  /** Pooled out-of-fold metrics after calibration. */
  metrics: Metrics;
  /** Mean and standard deviation of the per-fold log loss: how much the figure moves from fold to fold. */
  foldLogLoss: { mean: number; sd: number };
  /** Platt scaling fitted on the pooled out-of-fold raw scores; reused for the refit model. */
  calibration: Platt;
  /** GBDT only: boosting rounds with the lowest mean validation loss across folds. */
  rounds?: number;
  /** GBDT only: the parameters cross-validated (beyond the defaults). */
  params?: Partial<GbdtParams>;
  /** Mean training rows per fold (the refit's rounds are scaled from this). */
  foldTrainRows: number;
  /** Calibrated out-of-fold probability per validated position (see `covered`). */
  oofP: Float64Array;
  /** Logistic only: the L2 penalty cross-validated (default when absent). */
  l2?: number;
  /** Blend only: the two single candidates it averages. */
  parts?: CvResult[];
}

export interface CvPlan {
  folds: Fold[];
  /** Positions (into the encoded rows) that some fold validates, in fold order. */
  covered: number[];
}

export function planCv(folds: Fold[]): CvPlan {
  return { folds, covered: folds.flatMap((f) => f.valid) };
}

const columnsAt = (X: Float64Array[], idx: number[]) => X.map((c) => Float64Array.from(idx, (i) => c[i]));
const rowAt = (X: Float64Array[], i: number) => X.map((c) => c[i]);

/** Smallest leaf for `n` training rows: the default 20, fewer on small tables so trees can still split. */
export const minChildFor = (n: number) => Math.min(defaultGbdtParams.minChildSamples, Math.max(3, Math.floor(n / 50)));

function pooled(name: CandidateName, data: EncodedRows, plan: CvPlan, raw: Float64Array, extra: Pick<CvResult, 'rounds' | 'foldTrainRows'>): CvResult {
  const ys = Uint8Array.from(plan.covered, (i) => data.y[i]);
  const calibration = fitPlatt(raw, ys);
  const oofP = raw.map((r) => applyPlatt(calibration, r));
  return { name, ...scored(data, plan, oofP), calibration, oofP, ...extra };
}

function scored(data: EncodedRows, plan: CvPlan, oofP: Float64Array): Pick<CvResult, 'metrics' | 'foldLogLoss'> {
  const ys = Uint8Array.from(plan.covered, (i) => data.y[i]);
  const losses: number[] = [];
  let at = 0;
  for (const f of plan.folds) {
    losses.push(logLoss(ys.subarray(at, at + f.valid.length), oofP.subarray(at, at + f.valid.length)));
    at += f.valid.length;
  }
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  const sd = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, losses.length - 1));
  return { metrics: metricsOf(ys, oofP), foldLogLoss: { mean, sd } };
}

/** Mean validation log loss within this of the minimum counts as as good (about a tenth of the usual fold-to-fold spread). */
const roundsTolerance = 0.0005;

const meanTrainRows = (plan: CvPlan) => plan.folds.reduce((a, f) => a + f.train.length, 0) / plan.folds.length;

/**
 * GBDT across folds: each fold boosts with early stopping on its own validation rows, recording the loss per round; the number of
 * rounds is then the one with the lowest loss averaged over folds (one choice for all folds, as LightGBM's cv does), and each
 * fold's out-of-fold scores use that many trees.
 */
export function cvGbdt(data: EncodedRows, plan: CvPlan, shape: FeatureShape, params: Partial<GbdtParams> = {}): CvResult {
  const runs: Array<{ model: GbdtModel; trace: GbdtTrace; fold: Fold }> = [];
  for (const fold of plan.folds) {
    const trX = columnsAt(data.X, fold.train);
    const vaX = columnsAt(data.X, fold.valid);
    const trY = Uint8Array.from(fold.train, (i) => data.y[i]);
    const vaY = Uint8Array.from(fold.valid, (i) => data.y[i]);
    const binner = fitBinner(trX, shape.categorical, shape.catCounts);
    const trace: GbdtTrace = { validLoss: [], trees: [] };
    const p = { ...defaultGbdtParams, minChildSamples: minChildFor(fold.train.length), ...params };
    const model = trainGbdt(
      { bins: applyBinner(binner, trX, trY.length), n: trY.length, y: trY },
      { bins: applyBinner(binner, vaX, vaY.length), n: vaY.length, y: vaY },
      binner,
      shape.categorical,
      p,
      trace,
    );
    runs.push({ model, trace, fold });
  }
  const longest = Math.max(1, ...runs.map((r) => r.trace.validLoss.length));
  const mean: number[] = [];
  for (let t = 0; t < longest; t++) {
    // A fold that stopped early keeps its last loss: its curve was only getting worse.
    let s = 0;
    for (const r of runs) {
      const c = r.trace.validLoss;
      s += c.length ? c[Math.min(t, c.length - 1)] : 0;
    }
    mean.push(s / runs.length);
  }
  // The loss curve is flat near its minimum: the fewest rounds within `roundsTolerance` of the best cost almost nothing and train faster.
  const best = Math.min(...mean);
  const rounds = Math.max(1, mean.findIndex((v) => v <= best + roundsTolerance) + 1);
  const raw = new Float64Array(plan.covered.length);
  let at = 0;
  for (const r of runs) {
    const m: GbdtModel = { ...r.model, trees: r.trace.trees.slice(0, rounds) };
    for (const i of r.fold.valid) raw[at++] = gbdtRaw(m, rowAt(data.X, i));
  }
  return { ...pooled('gbdt', data, plan, raw, { rounds, foldTrainRows: meanTrainRows(plan) }), params };
}

export function cvLogistic(data: EncodedRows, plan: CvPlan, shape: FeatureShape, seed?: number, l2?: number): CvResult {
  const raw = new Float64Array(plan.covered.length);
  let at = 0;
  for (const fold of plan.folds) {
    const model: LogisticModel = trainLogistic(columnsAt(data.X, fold.train), shape.categorical, shape.catCounts, Uint8Array.from(fold.train, (i) => data.y[i]), { seed, l2 });
    for (const i of fold.valid) raw[at++] = logisticRaw(model, rowAt(data.X, i));
  }
  return { ...pooled('logistic', data, plan, raw, { foldTrainRows: meanTrainRows(plan) }), ...(l2 === undefined ? {} : { l2 }) };
}

/** Random forest across folds: a forest per fold's training rows, scored on its validation rows. */
export function cvForest(data: EncodedRows, plan: CvPlan, shape: FeatureShape, params: Partial<ForestParams> = {}): CvResult {
  const raw = new Float64Array(plan.covered.length);
  let at = 0;
  for (const fold of plan.folds) {
    const trX = columnsAt(data.X, fold.train);
    const trY = Uint8Array.from(fold.train, (i) => data.y[i]);
    const binner = fitBinner(trX, shape.categorical, shape.catCounts);
    const model = trainForest({ bins: applyBinner(binner, trX, trY.length), n: trY.length, y: trY }, binner, shape.categorical, params);
    for (const i of fold.valid) raw[at++] = forestRaw(model, rowAt(data.X, i));
  }
  return pooled('forest', data, plan, raw, { foldTrainRows: meanTrainRows(plan) });
}

/** The average of the parts' calibrated probabilities, scored on the same out-of-fold rows (no extra training). */
export function cvBlend(data: EncodedRows, plan: CvPlan, parts: CvResult[]): CvResult {
  const oofP = parts[0].oofP.map((_, i) => parts.reduce((s, p) => s + p.oofP[i], 0) / parts.length);
  return { name: 'blend', ...scored(data, plan, oofP), calibration: { a: 1, b: 0 }, oofP, foldTrainRows: parts[0].foldTrainRows, parts };
}

/** A blend must beat the better single model by at least this much CV log loss to be worth its extra parts. */
export const blendMinGain = 0.001;

/** The lowest CV log loss wins; a blend (the better one, when there are two) only when it beats the best single model by `blendMinGain`. */
export function chooseCandidate(results: CvResult[]): CvResult {
  const singles = results.filter((r) => r.name !== 'blend');
  let best = singles[0];
  for (const r of singles) if (r.metrics.logLoss < best.metrics.logLoss) best = r;
  let blend: CvResult | undefined;
  for (const r of results) if (r.name === 'blend' && (!blend || r.metrics.logLoss < blend.metrics.logLoss)) blend = r;
  return blend && blend.metrics.logLoss < best.metrics.logLoss - blendMinGain ? blend : best;
}
