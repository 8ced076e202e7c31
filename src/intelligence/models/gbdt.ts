import { MISSING_BIN, type Binner } from './binning.ts';
import { logLoss, sigmoid } from './metrics.ts';

/**
 * Histogram-based gradient-boosted decision trees for a binary label (log loss),
 * grown leaf-wise like LightGBM: per-leaf gradient histograms, the sibling's
 * histogram by subtraction, a learned direction for missing values, sorted
 * category splits, and early stopping on a validation set.
 */
export interface GbdtParams {
  learningRate: number;
  maxLeaves: number;
  maxDepth: number;
  minChildSamples: number;
  lambda: number;
  maxTrees: number;
  patience: number;
  /** Share of rows each tree learns from, drawn afresh per tree (1: all; below 1 is stochastic boosting, and faster). */
  subsample: number;
  /** Share of features each tree may split on, drawn afresh per tree (1: all). */
  colsample: number;
  /** Seed for the row and feature draws. */
  seed: number;
}

export const defaultGbdtParams: GbdtParams = { learningRate: 0.1, maxLeaves: 31, maxDepth: 8, minChildSamples: 20, lambda: 1, maxTrees: 400, patience: 25, subsample: 1, colsample: 1, seed: 1 };

/** One tree as parallel arrays; node i is a leaf when feature[i] === -1. `value` is every node's (scaled) Newton value, used for explanations. */
export interface Tree {
  feature: number[];
  /** Numeric split: x <= threshold goes left (raw units); the bin index is kept for binned prediction. */
  threshold: number[];
  bin: number[];
  /** Categorical split: these category codes go left. */
  catLeft: Array<number[] | null>;
  missingLeft: boolean[];
  left: number[];
  right: number[];
  value: number[];
  gain: number[];
}

export interface GbdtModel {
  kind: 'gbdt';
  baseScore: number;
  trees: Tree[];
  bestIteration: number;
}

export interface BinnedData {
  bins: Uint8Array;
  n: number;
  y: Uint8Array;
}

/** A split of a node on one feature's bins: numeric bins <= `bin` go left, or the categories in `catLeft`; missing values by `missingLeft`. */
export interface Split {
  gain: number;
  feature: number;
  bin: number;
  catLeft: number[] | null;
  missingLeft: boolean;
}

/** A tree with no nodes yet (the GBDT and the random forest grow theirs the same way). */
export const emptyTree = (): Tree => ({ feature: [], threshold: [], bin: [], catLeft: [], missingLeft: [], left: [], right: [], value: [], gain: [] });

/** Appends a leaf holding `value`; returns its index. */
export function addLeaf(tree: Tree, value: number): number {
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.bin.push(-1);
  tree.catLeft.push(null);
  tree.missingLeft.push(false);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(value);
  tree.gain.push(0);
  return tree.feature.length - 1;
}

/** The category mask of a categorical split (null for a numeric one), so rows are sorted without searching `catLeft`. */
export function categoryMask(s: Split): Uint8Array | null {
  if (!s.catLeft) return null;
  const mask = new Uint8Array(256);
  for (const c of s.catLeft) mask[c] = 1;
  return mask;
}

/** Whether a row with bin `b` goes left under split `s` (`mask` from categoryMask). */
export const goesLeftBin = (s: Pick<Split, 'bin' | 'missingLeft'>, mask: Uint8Array | null, b: number): boolean =>
  b === MISSING_BIN ? s.missingLeft : mask ? mask[b] === 1 : b <= s.bin;

/** Reorders rows[start..end) in place so the rows going left come first; returns where the right ones begin. */
export function partitionRows(rows: Uint32Array, start: number, end: number, bins: Uint8Array, F: number, s: Split, mask: Uint8Array | null): number {
  let lo = start;
  let hi = end - 1;
  while (lo <= hi) {
    if (goesLeftBin(s, mask, bins[rows[lo] * F + s.feature])) lo++;
    else {
      const tmp = rows[lo];
      rows[lo] = rows[hi];
      rows[hi] = tmp;
      hi--;
    }
  }
  return lo;
}

/** Turns leaf `node` into split `s` with children `left` and `right` (the threshold in raw units, for scoring unbinned rows). */
export function writeSplit(tree: Tree, node: number, s: Split, binner: Binner, left: number, right: number): void {
  tree.feature[node] = s.feature;
  tree.bin[node] = s.bin;
  tree.threshold[node] = s.catLeft ? 0 : (binner.cuts[s.feature]![s.bin] ?? Infinity);
  tree.catLeft[node] = s.catLeft;
  tree.missingLeft[node] = s.missingLeft;
  tree.gain[node] = s.gain;
  tree.left[node] = left;
  tree.right[node] = right;
}

interface Leaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  hist: Float64Array;
  G: number;
  H: number;
  split: Split | null;
}

/** Filled by `trainGbdt` when given: the validation log loss after each round and every tree grown (before early-stopping truncation), for cross-validation. */
export interface GbdtTrace {
  validLoss: number[];
  trees: Tree[];
}

export function trainGbdt(train: BinnedData, valid: BinnedData | null, binner: Binner, categorical: boolean[], p: GbdtParams = defaultGbdtParams, trace?: GbdtTrace): GbdtModel {
  const F = categorical.length;
  const { n, bins, y } = train;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i];
  const rate = Math.min(Math.max(pos / n, 1e-6), 1 - 1e-6);
  const baseScore = Math.log(rate / (1 - rate));
  const raw = new Float64Array(n).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const order = new Uint32Array(n);
  const validRaw = valid ? new Float64Array(valid.n).fill(baseScore) : null;
  const trees: Tree[] = [];
  let best = Infinity;
  let bestIteration = 0;
  const histSize = F * 256 * 3;
  // Row and feature draws per tree (stochastic gradient boosting); with both at 1 every row and feature is used, as before.
  let seed = (p.seed ?? 1) >>> 0 || 1;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const subsample = Math.min(1, Math.max(0, p.subsample ?? 1));
  const colsample = Math.min(1, Math.max(0, p.colsample ?? 1));
  const allFeatures = Int32Array.from({ length: F }, (_, f) => f);
  let feats: Int32Array = allFeatures;
  const drawFeatures = (): Int32Array => {
    if (colsample >= 1) return allFeatures;
    const k = Math.max(1, Math.round(F * colsample));
    const pick = Int32Array.from(allFeatures);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (F - i));
      const tmp = pick[i];
      pick[i] = pick[j];
      pick[j] = tmp;
    }
    return Int32Array.from(pick.subarray(0, k)).sort();
  };
  const inTree = subsample < 1 ? new Uint8Array(n) : null;

  // Histograms are large (features × 256 bins × 3); reusing them keeps the garbage collector out of the loop.
  const pool: Float64Array[] = [];
  const buildHist = (start: number, end: number): Float64Array => {
    const reused = pool.pop();
    if (reused) reused.fill(0);
    const hist = reused ?? new Float64Array(histSize);
    for (let k = start; k < end; k++) {
      const r = order[k];
      const gr = g[r];
      const hr = h[r];
      const off = r * F;
      for (let q = 0; q < feats.length; q++) {
        const f = feats[q];
        const j = (f * 256 + bins[off + f]) * 3;
        hist[j] += gr;
        hist[j + 1] += hr;
        hist[j + 2] += 1;
      }
    }
    return hist;
  };

  const score = (G: number, H: number) => (G * G) / (H + p.lambda);

  const findSplit = (hist: Float64Array, G: number, H: number, count: number): Split | null => {
    let bestSplit: Split | null = null;
    const parent = score(G, H);
    const minC = p.minChildSamples;
    for (let q = 0; q < feats.length; q++) {
      const f = feats[q];
      const base = f * 768;
      const mj = base + MISSING_BIN * 3;
      const mG = hist[mj];
      const mH = hist[mj + 1];
      const mC = hist[mj + 2];
      const nb = binnerBins(f);
      if (categorical[f]) {
        const cats: number[] = [];
        for (let b = 0; b < nb; b++) if (hist[base + b * 3 + 2] > 0) cats.push(b);
        if (cats.length < 2) continue;
        cats.sort((a, b) => hist[base + a * 3] / (hist[base + a * 3 + 1] + 10) - hist[base + b * 3] / (hist[base + b * 3 + 1] + 10));
        let GL = 0;
        let HL = 0;
        let CL = 0;
        for (let i = 0; i < cats.length - 1; i++) {
          const j = base + cats[i] * 3;
          GL += hist[j];
          HL += hist[j + 1];
          CL += hist[j + 2];
          for (const ml of [false, true]) {
            const gl = ml ? GL + mG : GL;
            const hl = ml ? HL + mH : HL;
            const cl = ml ? CL + mC : CL;
            if (cl < minC || count - cl < minC) continue;
            const gain = score(gl, hl) + score(G - gl, H - hl) - parent;
            if (gain > (bestSplit?.gain ?? 1e-9)) bestSplit = { gain, feature: f, bin: -1, catLeft: cats.slice(0, i + 1), missingLeft: ml };
          }
        }
        continue;
      }
      let GL = 0;
      let HL = 0;
      let CL = 0;
      for (let b = 0; b < nb - 1; b++) {
        const j = base + b * 3;
        GL += hist[j];
        HL += hist[j + 1];
        CL += hist[j + 2];
        if (hist[j + 2] === 0 && b > 0) continue;
        for (let m = 0; m < (mC > 0 ? 2 : 1); m++) {
          const ml = mC > 0 ? m === 1 : CL >= count - CL;
          const gl = ml ? GL + mG : GL;
          const hl = ml ? HL + mH : HL;
          const cl = ml ? CL + mC : CL;
          if (cl < minC || count - cl < minC) continue;
          const gain = score(gl, hl) + score(G - gl, H - hl) - parent;
          if (gain > (bestSplit?.gain ?? 1e-9)) bestSplit = { gain, feature: f, bin: b, catLeft: null, missingLeft: ml };
        }
      }
    }
    return bestSplit;
  };
  const binnerBins = (f: number) => binner.numBins[f];

  for (let t = 0; t < p.maxTrees; t++) {
    let used = 0;
    for (let i = 0; i < n; i++) {
      const pr = sigmoid(raw[i]);
      g[i] = pr - y[i];
      h[i] = Math.max(pr * (1 - pr), 1e-12);
      if (inTree) {
        inTree[i] = rand() < subsample ? 1 : 0;
        if (inTree[i]) order[used++] = i;
      } else order[used++] = i;
    }
    if (used < 2 * p.minChildSamples) {
      // Too few rows drawn to split (a tiny table): this tree learns from all of them.
      used = 0;
      for (let i = 0; i < n; i++) order[used++] = i;
      inTree?.fill(1);
    }
    feats = drawFeatures();
    const tree = emptyTree();
    const catMasks: Array<Uint8Array | null> = [];
    const addNode = (G: number, H: number) => {
      catMasks.push(null);
      return addLeaf(tree, (-G / (H + p.lambda)) * p.learningRate);
    };
    let G0 = 0;
    let H0 = 0;
    for (let k = 0; k < used; k++) (G0 += g[order[k]]), (H0 += h[order[k]]);
    const rootHist = buildHist(0, used);
    const root: Leaf = { node: addNode(G0, H0), start: 0, end: used, depth: 0, hist: rootHist, G: G0, H: H0, split: null };
    root.split = findSplit(rootHist, G0, H0, used);
    const leaves: Leaf[] = [root];
    while (leaves.length < p.maxLeaves) {
      let bi = -1;
      for (let i = 0; i < leaves.length; i++) if (leaves[i].split && (bi < 0 || leaves[i].split!.gain > leaves[bi].split!.gain)) bi = i;
      if (bi < 0) break;
      const leaf = leaves[bi];
      const s = leaf.split!;
      const mask = categoryMask(s);
      // Partition the leaf's rows in place: left ones first.
      const mid = partitionRows(order, leaf.start, leaf.end, bins, F, s, mask);
      let GL = 0;
      let HL = 0;
      for (let k = leaf.start; k < mid; k++) (GL += g[order[k]]), (HL += h[order[k]]);
      const nl = leaf.node;
      catMasks[nl] = mask;
      const leftNode = addNode(GL, HL);
      const rightNode = addNode(leaf.G - GL, leaf.H - HL);
      writeSplit(tree, nl, s, binner, leftNode, rightNode);
      const leftSmaller = mid - leaf.start <= leaf.end - mid;
      const small = leftSmaller ? buildHist(leaf.start, mid) : buildHist(mid, leaf.end);
      const large = leaf.hist;
      // Sibling by subtraction, over the bins in use only (most of the 256 per feature are empty on small tables).
      for (let q = 0; q < feats.length; q++) {
        const base = feats[q] * 768;
        const end = base + binner.numBins[feats[q]] * 3;
        for (let j = base; j < end; j++) large[j] -= small[j];
        const mj = base + MISSING_BIN * 3;
        large[mj] -= small[mj];
        large[mj + 1] -= small[mj + 1];
        large[mj + 2] -= small[mj + 2];
      }
      const L: Leaf = { node: leftNode, start: leaf.start, end: mid, depth: leaf.depth + 1, hist: leftSmaller ? small : large, G: GL, H: HL, split: null };
      const R: Leaf = { node: rightNode, start: mid, end: leaf.end, depth: leaf.depth + 1, hist: leftSmaller ? large : small, G: leaf.G - GL, H: leaf.H - HL, split: null };
      for (const c of [L, R]) if (c.depth < p.maxDepth && c.end - c.start >= 2 * p.minChildSamples) c.split = findSplit(c.hist, c.G, c.H, c.end - c.start);
      leaves.splice(bi, 1, L, R);
    }
    for (const leaf of leaves) {
      pool.push(leaf.hist);
      const v = tree.value[leaf.node];
      for (let k = leaf.start; k < leaf.end; k++) raw[order[k]] += v;
    }
    if (inTree) {
      // Rows left out of this tree still move by it: route each down the tree by its bins.
      for (let i = 0; i < n; i++) {
        if (inTree[i]) continue;
        let node = 0;
        while (tree.feature[node] >= 0) node = goesLeftBin({ bin: tree.bin[node], missingLeft: tree.missingLeft[node] }, catMasks[node], bins[i * F + tree.feature[node]]) ? tree.left[node] : tree.right[node];
        raw[i] += tree.value[node];
      }
    }
    trees.push(tree);
    if (valid && validRaw) {
      const preds = new Float64Array(valid.n);
      for (let i = 0; i < valid.n; i++) {
        let node = 0;
        while (tree.feature[node] >= 0) node = goesLeftBin({ bin: tree.bin[node], missingLeft: tree.missingLeft[node] }, catMasks[node], valid.bins[i * F + tree.feature[node]]) ? tree.left[node] : tree.right[node];
        validRaw[i] += tree.value[node];
        preds[i] = sigmoid(validRaw[i]);
      }
      const loss = logLoss(valid.y, preds);
      trace?.validLoss.push(loss);
      if (loss < best - 1e-7) (best = loss), (bestIteration = t + 1);
      else if (t + 1 - bestIteration >= p.patience) break;
    } else bestIteration = t + 1;
    if (leaves.length === 1 && !inTree && feats === allFeatures) break; // nothing left to learn (a draw of rows or features may just have been unlucky)
  }
  if (trace) trace.trees = trees;
  return { kind: 'gbdt', baseScore, trees: trees.slice(0, Math.max(bestIteration, 1)), bestIteration };
}

/** The leaf a raw feature row reaches in one tree, and the path's per-feature changes (for explanations). */
export function treeLeaf(tree: Tree, x: ArrayLike<number>, contrib?: Float64Array): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    const f = tree.feature[node];
    const v = x[f];
    const cats = tree.catLeft[node];
    const left = Number.isNaN(v) ? tree.missingLeft[node] : cats ? cats.includes(v) : v <= tree.threshold[node];
    const next = left ? tree.left[node] : tree.right[node];
    if (contrib) contrib[f] += tree.value[next] - tree.value[node];
    node = next;
  }
  return node;
}

/** Raw score (log-odds) of one row. */
export function gbdtRaw(model: GbdtModel, x: ArrayLike<number>): number {
  let s = model.baseScore;
  for (const t of model.trees) s += t.value[treeLeaf(t, x)];
  return s;
}

/** Per-feature contributions to the raw score (path-based attribution), plus the base every row starts from. */
export function gbdtContributions(model: GbdtModel, x: ArrayLike<number>, F: number): { base: number; contributions: Float64Array } {
  const contributions = new Float64Array(F);
  let base = model.baseScore;
  for (const t of model.trees) {
    base += t.value[0];
    treeLeaf(t, x, contributions);
  }
  return { base, contributions };
}

/** Total split gain per feature, normalised to sum to 1. */
export function gbdtImportance(model: GbdtModel, F: number): number[] {
  const imp = new Array<number>(F).fill(0);
  for (const t of model.trees) t.feature.forEach((f, i) => f >= 0 && (imp[f] += t.gain[i]));
  const total = imp.reduce((a, b) => a + b, 0) || 1;
  return imp.map((v) => v / total);
}
