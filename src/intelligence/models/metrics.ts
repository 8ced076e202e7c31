/** Scoring metrics and probability calibration for binary models. Pure functions over arrays. */
export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

const clip = (p: number) => Math.min(Math.max(p, 1e-15), 1 - 1e-15);

export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= y[i] ? Math.log(clip(p[i])) : Math.log(1 - clip(p[i]));
  return y.length ? s / y.length : NaN;
}

export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i] - y[i]) ** 2;
  return y.length ? s / y.length : NaN;
}

/** Area under the ROC curve (ties counted as half); null when only one class is present. */
export function auc(y: ArrayLike<number>, p: ArrayLike<number>): number | null {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => p[a] - p[b]);
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] ? 1 : 0;
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return null;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]] === p[idx[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]]) rankSum += avgRank;
    i = j + 1;
  }
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface CalibrationBin {
  range: string;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Predictions grouped in ten equal-width bands: how often the label was positive in each, against what was predicted. */
export function calibrationTable(y: ArrayLike<number>, p: ArrayLike<number>, bands = 10): CalibrationBin[] {
  const sums = Array.from({ length: bands }, () => ({ n: 0, p: 0, y: 0 }));
  for (let i = 0; i < y.length; i++) {
    const b = Math.min(bands - 1, Math.floor(p[i] * bands));
    sums[b].n++;
    sums[b].p += p[i];
    sums[b].y += y[i];
  }
  return sums
    .map((s, b) => ({ range: `${(b / bands).toFixed(1)}–${((b + 1) / bands).toFixed(1)}`, count: s.n, meanPredicted: s.n ? s.p / s.n : 0, observedRate: s.n ? s.y / s.n : 0 }))
    .filter((b) => b.count > 0);
}

export interface Metrics {
  rows: number;
  positiveRate: number;
  auc: number | null;
  logLoss: number;
  brier: number;
}

export function metricsOf(y: ArrayLike<number>, p: ArrayLike<number>): Metrics {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  return { rows: y.length, positiveRate: y.length ? pos / y.length : 0, auc: auc(y, p), logLoss: logLoss(y, p), brier: brier(y, p) };
}

/** Platt scaling: p = sigmoid(a·raw + b), fitted by Newton's method on held-out rows with Platt's smoothed targets. */
export interface Platt {
  a: number;
  b: number;
}

export function fitPlatt(raw: ArrayLike<number>, y: ArrayLike<number>): Platt {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return { a: 1, b: 0 };
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < y.length; i++) {
      const t = y[i] ? hi : lo;
      const p = sigmoid(a * raw[i] + b);
      const d = p - t;
      const w = p * (1 - p);
      ga += d * raw[i];
      gb += d;
      haa += w * raw[i] * raw[i];
      hab += w * raw[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

export const applyPlatt = (c: Platt, raw: number): number => sigmoid(c.a * raw + c.b);
