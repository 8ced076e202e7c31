import { applyPlatt, type CalibrationBin, type Metrics, type Platt } from './metrics.ts';
import { encodeTable, type ColumnReport, type FeatureSpec, type Table } from './schema.ts';
import { reasonsText, topReasons, type Reason } from './explain.ts';
import { blendContributions, blendRaw, partContributions, partRaw, type BlendModel, type PartModel } from './blend.ts';
import type { CandidateName } from './select.ts';

/** One candidate's cross-validated figures, as printed in the training report. */
export interface CvRow {
  candidate: CandidateName;
  /** GBDT: the grid point, e.g. "31 leaves, lr 0.1". */
  params?: string;
  logLoss: number;
  logLossSd: number;
  auc: number | null;
  brier: number;
  /** GBDT: boosting rounds chosen across folds. */
  rounds?: number;
}

/** How the algorithm was chosen: k-fold cross-validation on the training rows, lowest CV log loss. */
export interface Selection {
  method: 'cross-validation';
  folds: number;
  /** Small tables: how many times the folds were cut (each cut differently); absent when once. */
  repeats?: number;
  foldKind: 'time' | 'stratified';
  /** Training rows the folds were cut from (a sample of them on very large tables). */
  rows: number;
  metric: 'logLoss';
  chosen: CandidateName;
  /** Index of the chosen row in `table` (several GBDT settings may be listed). */
  chosenRow: number;
  table: CvRow[];
}

/** A trained model as saved to model.json (and stored for the built-in models). */
export interface SavedModel {
  format: 'kinetic-model';
  formatVersion: 1;
  label: string;
  /** The label value counted as positive; null when the label reads as yes/no (yes/true/1 positive). */
  positive: string | null;
  idColumn: string | null;
  features: FeatureSpec[];
  columns: ColumnReport[];
  algorithm: 'gbdt' | 'logistic' | 'forest' | 'blend';
  model: PartModel | BlendModel;
  calibration: Platt;
  /**
   * `train`: the rows cross-validation chose on and the held-out figures were fitted on; `test`: the held-out rows; `refit`: every
   * labelled row, which the saved model learned from once the figures were taken (absent in older models, which learned from `train`).
   * `valid` is 0 since selection moved to cross-validation (older models held out 15%).
   */
  split: { kind: 'time' | 'stratified'; column: string | null; train: number; valid: number; test: number; refit?: number };
  /** `test`: the chosen model on the held-out test rows. `candidates`: each candidate's cross-validated metrics (held-out test figures in models saved before cross-validation). */
  metrics: { test: Metrics; candidates: Partial<Record<CandidateName, Metrics>> };
  /** Absent in models saved before cross-validation. */
  selection?: Selection;
  calibrationTable: CalibrationBin[];
  importance: Array<{ feature: string; importance: number }>;
  trainSeconds: number;
}

export interface Prediction {
  probability: number;
  reasons: Reason[];
  text: string;
}

export function rawScore(model: PartModel | BlendModel, x: ArrayLike<number>): number {
  return model.kind === 'blend' ? blendRaw(model, x) : partRaw(model, x);
}

/** Probability and reasons for one encoded row. */
export function predictEncoded(m: SavedModel, x: ArrayLike<number>, reasonLimit = 3): Prediction {
  const probability = applyPlatt(m.calibration, rawScore(m.model, x));
  const { contributions } = m.model.kind === 'blend' ? blendContributions(m.model, x, m.features.length) : partContributions(m.model, x, m.features.length);
  // Calibration rescales log-odds by `a`: the reasons are stated on the calibrated scale.
  for (let i = 0; i < contributions.length; i++) contributions[i] *= m.calibration.a;
  const reasons = topReasons(m.features, x, contributions, reasonLimit);
  return { probability, reasons, text: reasonsText(reasons) };
}

/** Scores every row of a table, in order. Columns the model never saw are ignored; missing ones read as blank. */
export function predictTable(m: SavedModel, table: Table): Prediction[] {
  const cols = encodeTable(m.features, table);
  const x = new Float64Array(m.features.length);
  return table.rows.map((_, r) => {
    for (let f = 0; f < cols.length; f++) x[f] = cols[f][r];
    return predictEncoded(m, x);
  });
}

/** Scores rows given as objects (the built-in models build these from the CRM). */
export function predictRecords(m: SavedModel, records: Array<Record<string, string | number | boolean | null>>): Prediction[] {
  const columns = [...new Set(m.features.map((f) => f.column))];
  return predictTable(m, { columns, rows: records.map((r) => columns.map((c) => r[c] ?? null)) });
}
