import { sigmoid } from './metrics.ts';

/**
 * L2-regularised logistic regression: numeric features standardised (blank →
 * the mean, plus a "was blank" indicator), categorical features one-hot.
 * Trained with mini-batch Adam in a fixed, seeded order.
 */
export type LogisticInput =
  | { kind: 'numeric'; mean: number; std: number; col: number; missingCol: number }
  | { kind: 'categorical'; offset: number; size: number };

export interface LogisticModel {
  kind: 'logistic';
  inputs: LogisticInput[];
  weights: number[];
  bias: number;
  /** Training mean of each design column: contributions are measured from the average row. */
  colMeans: number[];
}

export function designOf(inputs: LogisticInput[], x: ArrayLike<number>, D: number): Float64Array {
  const row = new Float64Array(D);
  inputs.forEach((s, f) => {
    const v = x[f];
    if (s.kind === 'numeric') {
      if (Number.isNaN(v)) {
        if (s.missingCol >= 0) row[s.missingCol] = 1;
      } else row[s.col] = (v - s.mean) / s.std;
    } else if (!Number.isNaN(v) && v >= 0 && v < s.size) row[s.offset + v] = 1;
  });
  return row;
}

export function trainLogistic(columns: Float64Array[], categorical: boolean[], categoryCounts: number[], y: Uint8Array, opts: { l2?: number; seed?: number } = {}): LogisticModel {
  const n = y.length;
  let D = 0;
  const inputs: LogisticInput[] = columns.map((col, f) => {
    if (categorical[f]) {
      const s: LogisticInput = { kind: 'categorical', offset: D, size: categoryCounts[f] };
      D += categoryCounts[f];
      return s;
    }
    let sum = 0;
    let sq = 0;
    let m = 0;
    let missing = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(col[i])) missing++;
      else (sum += col[i]), (sq += col[i] * col[i]), m++;
    }
    const mean = m ? sum / m : 0;
    const std = m ? Math.sqrt(Math.max(sq / m - mean * mean, 0)) || 1 : 1;
    const s: LogisticInput = { kind: 'numeric', mean, std, col: D++, missingCol: missing > 0 ? D++ : -1 };
    return s;
  });
  const X = new Float64Array(n * D);
  const rowBuf = new Float64Array(columns.length);
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < columns.length; f++) rowBuf[f] = columns[f][i];
    X.set(designOf(inputs, rowBuf, D), i * D);
  }
  const colMeans = new Array<number>(D).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) colMeans[j] += X[i * D + j] / n;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const rate = Math.min(Math.max(pos / n, 1e-6), 1 - 1e-6);
  const w = new Float64Array(D + 1); // last = bias
  w[D] = Math.log(rate / (1 - rate));
  const m1 = new Float64Array(D + 1);
  const m2 = new Float64Array(D + 1);
  const grad = new Float64Array(D + 1);
  const l2 = opts.l2 ?? 1e-3;
  const batch = 128;
  const epochs = Math.min(100, Math.max(5, Math.ceil(400_000 / Math.max(n, 1))));
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  let seed = opts.seed ?? 7;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    const lr = 0.05 / Math.sqrt(1 + e);
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      grad.fill(0);
      for (let k = start; k < end; k++) {
        const r = order[k];
        const off = r * D;
        let z = w[D];
        for (let j = 0; j < D; j++) z += w[j] * X[off + j];
        const d = sigmoid(z) - y[r];
        for (let j = 0; j < D; j++) grad[j] += d * X[off + j];
        grad[D] += d;
      }
      const bs = end - start;
      step++;
      for (let j = 0; j <= D; j++) {
        const gj = grad[j] / bs + (j < D ? l2 * w[j] : 0);
        m1[j] = 0.9 * m1[j] + 0.1 * gj;
        m2[j] = 0.999 * m2[j] + 0.001 * gj * gj;
        const mh = m1[j] / (1 - 0.9 ** step);
        const vh = m2[j] / (1 - 0.999 ** step);
        w[j] -= (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
  }
  return { kind: 'logistic', inputs, weights: Array.from(w.subarray(0, D)), bias: w[D], colMeans };
}

const designWidth = (m: LogisticModel) => m.weights.length;

export function logisticRaw(m: LogisticModel, x: ArrayLike<number>): number {
  const row = designOf(m.inputs, x, designWidth(m));
  let z = m.bias;
  for (let j = 0; j < row.length; j++) z += m.weights[j] * row[j];
  return z;
}

/** Per-feature contributions to the log-odds, measured from the average training row. */
export function logisticContributions(m: LogisticModel, x: ArrayLike<number>): { base: number; contributions: Float64Array } {
  const row = designOf(m.inputs, x, designWidth(m));
  const contributions = new Float64Array(m.inputs.length);
  let base = m.bias;
  for (let j = 0; j < row.length; j++) base += m.weights[j] * m.colMeans[j];
  m.inputs.forEach((s, f) => {
    const cols = s.kind === 'numeric' ? [s.col, s.missingCol].filter((c) => c >= 0) : Array.from({ length: s.size }, (_, k) => s.offset + k);
    for (const j of cols) contributions[f] += m.weights[j] * (row[j] - m.colMeans[j]);
  });
  return { base, contributions };
}

/** |weight| × spread per feature, normalised to sum to 1. */
export function logisticImportance(m: LogisticModel): number[] {
  const imp = m.inputs.map((s) => {
    if (s.kind === 'numeric') return Math.abs(m.weights[s.col]) + (s.missingCol >= 0 ? Math.abs(m.weights[s.missingCol]) * m.colMeans[s.missingCol] : 0);
    let v = 0;
    for (let k = 0; k < s.size; k++) v += Math.abs(m.weights[s.offset + k]) * Math.sqrt(m.colMeans[s.offset + k] * (1 - m.colMeans[s.offset + k]));
    return v;
  });
  const total = imp.reduce((a, b) => a + b, 0) || 1;
  return imp.map((v) => v / total);
}
