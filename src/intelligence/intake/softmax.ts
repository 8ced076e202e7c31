/**
 * Multinomial logistic regression over sparse text features, trained with
 * plain SGD and L2 regularisation. Small, deterministic (seeded shuffle) and
 * fast enough to train at start-up on a few hundred messages.
 */
import { featurize } from './features.ts';

export interface SoftmaxModel<L extends string> {
  labels: readonly L[];
  vocab: Map<string, number>;
  /** weights[label][feature] */
  weights: Float64Array[];
  bias: Float64Array;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  /** Extra weight per label (e.g. upweight emergencies for recall). */
  classWeight?: Record<string, number>;
  seed?: number;
}

type SparseVec = Array<[number, number]>;

function vectorize(vocab: Map<string, number>, text: string, grow: boolean): SparseVec {
  const out: SparseVec = [];
  let norm = 0;
  for (const [k, count] of featurize(text)) {
    let idx = vocab.get(k);
    if (idx === undefined) {
      if (!grow) continue;
      idx = vocab.size;
      vocab.set(k, idx);
    }
    const v = Math.log1p(count);
    out.push([idx, v]);
    norm += v * v;
  }
  const n = Math.sqrt(norm) || 1;
  for (const e of out) e[1] /= n;
  return out;
}

function softmax(scores: number[]): number[] {
  const m = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Dense {
  idx: Int32Array;
  val: Float64Array;
}

const dense = (x: SparseVec): Dense => ({ idx: Int32Array.from(x.map((e) => e[0])), val: Float64Array.from(x.map((e) => e[1])) });

function scores(weights: Float64Array[], bias: Float64Array, x: Dense, out: number[]): void {
  for (let c = 0; c < weights.length; c++) {
    const w = weights[c];
    let s = bias[c];
    for (let j = 0; j < x.idx.length; j++) s += w[x.idx[j]] * x.val[j];
    out[c] = s;
  }
}

function softmaxInPlace(s: number[]): void {
  let m = -Infinity;
  for (const v of s) if (v > m) m = v;
  let z = 0;
  for (let i = 0; i < s.length; i++) {
    s[i] = Math.exp(s[i] - m);
    z += s[i];
  }
  for (let i = 0; i < s.length; i++) s[i] /= z;
}

export function trainSoftmax<L extends string>(labels: readonly L[], rows: Array<{ text: string; label: L }>, opts: TrainOptions = {}): SoftmaxModel<L> {
  const vocab = new Map<string, number>();
  const data = rows.map((r) => ({ x: dense(vectorize(vocab, r.text, true)), y: labels.indexOf(r.label) }));
  for (const d of data) if (d.y < 0) throw new Error(`unknown label in training data`);
  const k = labels.length;
  const weights = labels.map(() => new Float64Array(vocab.size));
  const bias = new Float64Array(k);
  const epochs = opts.epochs ?? 15;
  const lr0 = opts.learningRate ?? 1.0;
  const l2 = opts.l2 ?? 1e-4;
  const rand = lcg(opts.seed ?? 7);
  const order = data.map((_, i) => i);
  const p: number[] = new Array(k).fill(0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const lr = lr0 / (1 + epoch * 0.1);
    for (const n of order) {
      const { x, y } = data[n];
      scores(weights, bias, x, p);
      softmaxInPlace(p);
      const cw = opts.classWeight?.[labels[y]] ?? 1;
      for (let c = 0; c < k; c++) {
        const g = (p[c] - (c === y ? 1 : 0)) * cw;
        bias[c] -= lr * g * 0.1;
        const w = weights[c];
        for (let j = 0; j < x.idx.length; j++) {
          const f = x.idx[j];
          w[f] -= lr * (g * x.val[j] + l2 * w[f]);
        }
      }
    }
  }
  return { labels, vocab, weights, bias };
}

/** Class probabilities for one text, in the model's label order. */
export function predictSoftmax<L extends string>(model: SoftmaxModel<L>, text: string): Array<{ label: L; p: number }> {
  const x = vectorize(model.vocab, text, false);
  const p = softmax(model.labels.map((_, c) => model.bias[c] + x.reduce((s, [f, v]) => s + model.weights[c][f] * v, 0)));
  return model.labels.map((label, c) => ({ label, p: p[c] }));
}
