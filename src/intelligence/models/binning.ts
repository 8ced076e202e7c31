/** Histogram binning for the tree learner: every feature value becomes a byte (0..254, 255 = missing). */
export const MISSING_BIN = 255;
const maxValueBins = 255;

export interface Binner {
  /** Numeric features: sorted cut points (x <= cuts[i] falls in bin i or lower); categorical features: null (the bin is the category code). */
  cuts: Array<number[] | null>;
  numBins: number[];
}

/** Learns cut points from the training columns: every distinct value when there are few, else quantiles. */
export function fitBinner(columns: Float64Array[], categorical: boolean[], categoryCounts: number[]): Binner {
  const cuts: Array<number[] | null> = [];
  const numBins: number[] = [];
  columns.forEach((col, f) => {
    if (categorical[f]) {
      cuts.push(null);
      numBins.push(Math.min(categoryCounts[f], maxValueBins));
      return;
    }
    const present: number[] = [];
    const stride = Math.max(1, Math.floor(col.length / 200_000));
    for (let i = 0; i < col.length; i += stride) if (!Number.isNaN(col[i])) present.push(col[i]);
    present.sort((a, b) => a - b);
    const distinct: number[] = [];
    for (const v of present) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
    let c: number[];
    if (distinct.length <= maxValueBins) c = distinct.slice(0, -1);
    else {
      c = [];
      for (let q = 1; q < maxValueBins; q++) {
        const v = present[Math.floor((q * present.length) / maxValueBins)];
        if (c.length === 0 || c[c.length - 1] < v) c.push(v);
      }
      if (c[c.length - 1] >= distinct[distinct.length - 1]) c.pop();
    }
    cuts.push(c);
    numBins.push(c.length + 1);
  });
  return { cuts, numBins };
}

/** The bin of one value. */
export function binOf(binner: Binner, f: number, x: number): number {
  if (Number.isNaN(x)) return MISSING_BIN;
  const c = binner.cuts[f];
  if (!c) return x >= 0 && x < binner.numBins[f] ? x : MISSING_BIN;
  let lo = 0;
  let hi = c.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x <= c[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Row-major byte matrix: bins[r * F + f]. Row-major keeps one row's bins together for the histogram pass. */
export function applyBinner(binner: Binner, columns: Float64Array[], n: number): Uint8Array {
  const F = columns.length;
  const bins = new Uint8Array(n * F);
  for (let f = 0; f < F; f++) {
    const col = columns[f];
    for (let r = 0; r < n; r++) bins[r * F + f] = binOf(binner, f, col[r]);
  }
  return bins;
}
