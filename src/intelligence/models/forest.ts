import { MISSING_BIN, type Binner } from './binning.ts';
import { addLeaf, categoryMask, emptyTree, partitionRows, treeLeaf, writeSplit, type BinnedData, type Split, type Tree } from './gbdt.ts';

/**
 * A random forest of probability trees (Breiman; the defaults follow R's ranger for probability forests): every
 * tree grows on a bootstrap sample of the rows, each split looks at a random `mtry` of the features, nodes are
 * split until they are pure or smaller than twice `minLeaf`, and a leaf holds the share of positives that reached
 * it. The forest's probability is the mean over trees. On small and wide tables (a few hundred rows, dozens of
 * columns) this is often the strongest single model; it is cross-validated next to the GBDT and logistic
 * regression and chosen only when it wins.
 *
 * Splits use the same histogram bins as the GBDT (numeric: x <= cut; categorical: categories sorted by their
 * share of positives, the best prefix goes left; missing values go to whichever side is better).
 */
export interface ForestParams {
  trees: number;
  /** Features tried at each split; default floor(sqrt(features)). */
  mtry: number | null;
  /** Smallest number of (bootstrap) rows in a leaf. */
  minLeaf: number;
  maxDepth: number;
  seed: number;
}

export const defaultForestParams: ForestParams = { trees: 300, mtry: null, minLeaf: 5, maxDepth: 40, seed: 7 };

export interface ForestModel {
  kind: 'forest';
  /** `value` is each node's share of positives (a probability), so explanations read the change along a row's path. */
  trees: Tree[];
}

/** Seeded uniform [0, 1) (mulberry32): the same rows and features give the same forest. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function trainForest(data: BinnedData, binner: Binner, categorical: boolean[], params: Partial<ForestParams> = {}): ForestModel {
  const p = { ...defaultForestParams, ...params };
  const F = categorical.length;
  const { n, bins, y } = data;
  const mtry = Math.max(1, Math.min(F, p.mtry ?? Math.floor(Math.sqrt(F))));
  const features = Uint32Array.from({ length: F }, (_, i) => i);
  const cnt = new Float64Array(256);
  const pos = new Float64Array(256);
  const trees: Tree[] = [];

  for (let t = 0; t < p.trees; t++) {
    const rnd = random(p.seed * 7919 + t);
    // Bootstrap: n draws with replacement; a row drawn twice appears twice.
    const rows = new Uint32Array(n);
    for (let i = 0; i < n; i++) rows[i] = Math.floor(rnd() * n);
    const tree = emptyTree();
    const meanOf = (start: number, end: number) => {
      let s = 0;
      for (let k = start; k < end; k++) s += y[rows[k]];
      return s / (end - start);
    };
    const stack: Array<{ node: number; start: number; end: number; depth: number }> = [{ node: addLeaf(tree, meanOf(0, n)), start: 0, end: n, depth: 0 }];
    while (stack.length) {
      const { node, start, end, depth } = stack.pop()!;
      const count = end - start;
      let S = 0;
      for (let k = start; k < end; k++) S += y[rows[k]];
      if (S === 0 || S === count || count < 2 * p.minLeaf || depth >= p.maxDepth) continue;
      const parent = (S * S) / count;
      let best: Split | null = null;
      // A partial Fisher–Yates shuffle picks this split's mtry features.
      for (let j = 0; j < mtry; j++) {
        const r = j + Math.floor(rnd() * (F - j));
        const tmp = features[j];
        features[j] = features[r];
        features[r] = tmp;
        const f = features[j];
        cnt.fill(0);
        pos.fill(0);
        for (let k = start; k < end; k++) {
          const row = rows[k];
          const b = bins[row * F + f];
          cnt[b] += 1;
          pos[b] += y[row];
        }
        const mC = cnt[MISSING_BIN];
        const mS = pos[MISSING_BIN];
        const consider = (cl: number, sl: number, bin: number, catLeft: number[] | null, missingLeft: boolean) => {
          if (cl < p.minLeaf || count - cl < p.minLeaf) return;
          const gain = (sl * sl) / cl + ((S - sl) * (S - sl)) / (count - cl) - parent;
          if (gain > (best?.gain ?? 1e-12)) best = { gain, feature: f, bin, catLeft, missingLeft };
        };
        const nb = binner.numBins[f];
        if (categorical[f]) {
          const cats: number[] = [];
          for (let b = 0; b < nb; b++) if (cnt[b] > 0) cats.push(b);
          if (cats.length < 2 && mC === 0) continue;
          cats.sort((a, b) => pos[a] / cnt[a] - pos[b] / cnt[b]);
          let CL = 0;
          let SL = 0;
          for (let i = 0; i < cats.length; i++) {
            CL += cnt[cats[i]];
            SL += pos[cats[i]];
            if (i < cats.length - 1) consider(CL, SL, -1, cats.slice(0, i + 1), false);
            if (mC > 0) consider(CL + mC, SL + mS, -1, cats.slice(0, i + 1), true);
          }
          continue;
        }
        let CL = 0;
        let SL = 0;
        for (let b = 0; b < nb; b++) {
          if (cnt[b] === 0) continue;
          CL += cnt[b];
          SL += pos[b];
          if (CL < count - mC) consider(CL, SL, b, null, false);
          if (mC > 0) consider(CL + mC, SL + mS, b, null, true);
        }
      }
      if (!best) continue;
      const s: Split = best;
      const mid = partitionRows(rows, start, end, bins, F, s, categoryMask(s));
      const l = addLeaf(tree, meanOf(start, mid));
      const r = addLeaf(tree, meanOf(mid, end));
      writeSplit(tree, node, s, binner, l, r);
      stack.push({ node: l, start, end: mid, depth: depth + 1 }, { node: r, start: mid, end, depth: depth + 1 });
    }
    trees.push(tree);
  }
  return { kind: 'forest', trees };
}

/** Probabilities of 0 or 1 (every tree's leaf pure) are kept off the ends so the log-odds stay finite. */
const edge = 1e-3;
const logit = (q: number) => {
  const c = Math.min(Math.max(q, edge), 1 - edge);
  return Math.log(c / (1 - c));
};

/** The forest's mean probability. */
export function forestProbability(model: ForestModel, x: ArrayLike<number>): number {
  let s = 0;
  for (const t of model.trees) s += t.value[treeLeaf(t, x)];
  return s / model.trees.length;
}

/** Log-odds of the forest's probability: what calibration, blending and the model file's scoring work on. */
export function forestRaw(model: ForestModel, x: ArrayLike<number>): number {
  return logit(forestProbability(model, x));
}

/**
 * Per-feature contributions: the change in the share of positives at each split along the row's path, averaged over
 * trees (they sum to the probability minus the forest's base rate), then put on the log-odds scale by the ratio of the
 * two differences, so they still sum to the raw score minus the base.
 */
export function forestContributions(model: ForestModel, x: ArrayLike<number>, F: number): { base: number; contributions: Float64Array } {
  const contributions = new Float64Array(F);
  let base = 0;
  let prob = 0;
  for (const t of model.trees) {
    base += t.value[0];
    prob += t.value[treeLeaf(t, x, contributions)];
  }
  const T = model.trees.length;
  base /= T;
  prob /= T;
  for (let f = 0; f < F; f++) contributions[f] /= T;
  const dp = prob - base;
  const scale = Math.abs(dp) > 1e-9 ? (logit(prob) - logit(base)) / dp : 1 / Math.max(prob * (1 - prob), edge);
  for (let f = 0; f < F; f++) contributions[f] *= scale;
  return { base: logit(base), contributions };
}

/** Total impurity decrease per feature, normalised to sum to 1. */
export function forestImportance(model: ForestModel, F: number): number[] {
  const imp = new Array<number>(F).fill(0);
  for (const t of model.trees) t.feature.forEach((f, i) => f >= 0 && (imp[f] += t.gain[i]));
  const total = imp.reduce((a, b) => a + b, 0) || 1;
  return imp.map((v) => v / total);
}
