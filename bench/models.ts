// Model engine training speed: a synthetic table of `rows` × 50 features (40 numeric with blanks, 10 categorical), non-linear label.
import { trainModel } from '../src/intelligence/models/train.ts';
import type { Table } from '../src/intelligence/models/schema.ts';

function syntheticTable(rows: number, seed = 11): Table {
  let s = seed;
  const r = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const columns = [...Array.from({ length: 40 }, (_, i) => `num_${i}`), ...Array.from({ length: 10 }, (_, i) => `cat_${i}`), 'label'];
  const cats = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  const data = new Array<Array<string | number | null>>(rows);
  for (let i = 0; i < rows; i++) {
    const nums = Array.from({ length: 40 }, () => (r() < 0.05 ? null : r() * 10 - 5));
    const cs = Array.from({ length: 10 }, () => cats[Math.floor(r() * cats.length)]);
    const z = (nums[0] ?? 0) * (nums[1] ?? 0) * 0.3 + Math.sin(nums[2] ?? 0) + (cs[0] === 'alpha' ? 1.5 : 0) - 0.2 * (nums[3] ?? 0);
    data[i] = [...nums, ...cs, r() < 1 / (1 + Math.exp(-z)) ? 1 : 0];
  }
  return { columns, rows: data };
}

export function benchModelTraining(rows = 100_000): string[] {
  const table = syntheticTable(rows);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const m = trainModel(table, { label: 'label' });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const gbdt = m.metrics.candidates.gbdt;
  const lr = m.metrics.candidates.logistic;
  const trees = m.model.kind === 'gbdt' ? m.model.trees.length : 0;
  return [
    `model training: ${rows.toLocaleString('en-US')} rows × 50 features, GBDT, logistic regression and their blend chosen by cross-validation, calibrated, refit: ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU (chosen ${m.algorithm}${trees ? `, ${trees} trees` : ''})`,
    `  cross-validation AUC gbdt ${gbdt?.auc?.toFixed(3)} · logistic ${lr?.auc?.toFixed(3)}; held-out test (the chosen model): AUC ${m.metrics.test.auc?.toFixed(3)}, log loss ${m.metrics.test.logLoss.toFixed(3)}, Brier ${m.metrics.test.brier.toFixed(3)}`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of benchModelTraining(Number(process.env.BENCH_ROWS ?? 100_000))) console.log(line);
