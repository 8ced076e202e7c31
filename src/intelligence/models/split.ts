/** Train / validation / test row split: by time when rows have dates (the newest rows are held out), stratified by label otherwise. */
export interface RowSplit {
  kind: 'time' | 'stratified';
  train: number[];
  valid: number[];
  test: number[];
}

const fractions = { valid: 0.15, test: 0.15 };

/** Rows ordered by time (blank times first), then cut 70 / 15 / 15. */
export function timeSplit(rows: number[], time: (row: number) => number): RowSplit {
  const sorted = [...rows].sort((a, b) => {
    const ta = time(a);
    const tb = time(b);
    return (Number.isNaN(ta) ? -Infinity : ta) - (Number.isNaN(tb) ? -Infinity : tb) || a - b;
  });
  const n = sorted.length;
  const testStart = Math.round(n * (1 - fractions.test));
  const validStart = Math.round(n * (1 - fractions.test - fractions.valid));
  return { kind: 'time', train: sorted.slice(0, validStart), valid: sorted.slice(validStart, testStart), test: sorted.slice(testStart) };
}

/** Each class shuffled (seeded) and cut 70 / 15 / 15, so every part keeps the label's rate. */
export function stratifiedSplit(rows: number[], label: (row: number) => number, seed = 42): RowSplit {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const out: RowSplit = { kind: 'stratified', train: [], valid: [], test: [] };
  for (const cls of [0, 1]) {
    const group = rows.filter((r) => label(r) === cls);
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [group[i], group[j]] = [group[j], group[i]];
    }
    const nTest = Math.round(group.length * fractions.test);
    const nValid = Math.round(group.length * fractions.valid);
    out.test.push(...group.slice(0, nTest));
    out.valid.push(...group.slice(nTest, nTest + nValid));
    out.train.push(...group.slice(nTest + nValid));
  }
  for (const part of [out.train, out.valid, out.test]) part.sort((a, b) => a - b);
  return out;
}

/** The outer split: the rows every candidate and the final model learn from (`train`), and the held-out test rows nothing learns from. */
export interface HoldOut {
  kind: 'time' | 'stratified';
  /** In time order for a time split, so folds can be cut forward in time. */
  train: number[];
  test: number[];
}

export function holdOut(rows: number[], by: { time: (row: number) => number } | { label: (row: number) => number; seed?: number }): HoldOut {
  if ('time' in by) {
    const s = timeSplit(rows, by.time);
    return { kind: 'time', train: [...s.train, ...s.valid], test: s.test };
  }
  const s = stratifiedSplit(rows, by.label, by.seed);
  return { kind: 'stratified', train: [...s.train, ...s.valid].sort((a, b) => a - b), test: s.test };
}

export interface Fold {
  train: number[];
  valid: number[];
}

/** Share of the (time-ordered) rows that only ever train in forward-chaining folds: the first fold still learns from 40% of them. */
const firstTrainShare = 0.4;

/**
 * Cross-validation folds over the training rows. Stratified: each class shuffled (seeded) and dealt round-robin into k folds.
 * Time: forward chaining — the oldest 40% always train; the rest is cut into k blocks in time order, and each fold validates on one block
 * having trained on every row older than it, so no fold learns from the future it is judged on.
 */
export function cvFolds(rows: number[], k: number, by: { time: true } | { label: (row: number) => number; seed?: number }): Fold[] {
  if ('time' in by) {
    const start = Math.round(rows.length * firstTrainShare);
    const folds: Fold[] = [];
    for (let i = 0; i < k; i++) {
      const a = start + Math.round(((rows.length - start) * i) / k);
      const b = start + Math.round(((rows.length - start) * (i + 1)) / k);
      if (b > a) folds.push({ train: rows.slice(0, a), valid: rows.slice(a, b) });
    }
    return folds;
  }
  let s = ((by.seed ?? 42) ^ 0x9e3779b9) >>> 0 || 1;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const foldOf = new Map<number, number>();
  let dealt = 0;
  for (const cls of [0, 1]) {
    const group = rows.filter((r) => by.label(r) === cls);
    for (let i = group.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [group[i], group[j]] = [group[j], group[i]];
    }
    // Continue the deal across classes so fold sizes stay within one row of each other.
    for (const r of group) foldOf.set(r, dealt++ % k);
  }
  return Array.from({ length: k }, (_, f) => ({ train: rows.filter((r) => foldOf.get(r) !== f), valid: rows.filter((r) => foldOf.get(r) === f) }));
}
