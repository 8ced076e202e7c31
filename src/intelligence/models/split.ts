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
