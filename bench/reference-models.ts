// Kinetic's model engine against classic reference models on public data sets.
// The rows, their train/test split and the reference AUCs (R: glm, ranger, gbm) come from
// bench/reference/export.R, run once with Debian's R; see bench/reference/README.md. Kinetic trains on
// the same train rows (as `kinetic model train` would, choosing by cross-validation) and is scored on the
// same test rows (as `kinetic model score` would).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvTable } from '../src/intelligence/models/csv.ts';
import { auc } from '../src/intelligence/models/metrics.ts';
import { predictTable } from '../src/intelligence/models/model.ts';
import type { Table } from '../src/intelligence/models/schema.ts';
import { trainModel } from '../src/intelligence/models/train.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference');

interface Reference {
  source: string;
  label: string;
  positive: string;
  rows: number;
  features: number;
  references: Record<string, number>;
}

export interface ReferenceResult {
  name: string;
  rows: number;
  features: number;
  kinetic: number;
  chosen: string;
  /** The chosen candidate's setting as the CV table prints it (GBDT parameters, a blend's parts). */
  setting: string | null;
  seconds: number;
  references: Record<string, number>;
  best: { name: string; auc: number };
}

function splitTable(t: Table): { train: Table; test: Table } {
  const si = t.columns.indexOf('split');
  const columns = t.columns.filter((_, i) => i !== si);
  const pick = (which: string): Table => ({ columns, rows: t.rows.filter((r) => r[si] === which).map((r) => r.filter((_, i) => i !== si)) });
  return { train: pick('train'), test: pick('test') };
}

export async function referenceResults(): Promise<ReferenceResult[]> {
  const meta = JSON.parse(readFileSync(path.join(dir, 'references.json'), 'utf8')) as { datasets: Record<string, Reference> };
  const out: ReferenceResult[] = [];
  for (const [name, ref] of Object.entries(meta.datasets)) {
    const { train, test } = splitTable(await readCsvTable(path.join(dir, 'data', `${name}.csv`)));
    const t0 = performance.now();
    const model = trainModel(train, { label: ref.label, positive: ref.positive });
    const seconds = (performance.now() - t0) / 1000;
    const li = test.columns.indexOf(ref.label);
    const y = test.rows.map((r) => (String(r[li]) === ref.positive ? 1 : 0));
    const p = predictTable(model, test).map((x) => x.probability);
    const [bestName, bestAuc] = Object.entries(ref.references).reduce((a, b) => (b[1] > a[1] ? b : a));
    out.push({ name, rows: ref.rows, features: ref.features, kinetic: auc(y, p) ?? NaN, chosen: model.algorithm, setting: model.selection?.table[model.selection.chosenRow]?.params ?? null, seconds, references: ref.references, best: { name: bestName, auc: bestAuc } });
  }
  return out;
}

export async function benchReferenceModels(): Promise<string[]> {
  const results = await referenceResults();
  const lines = ['public data sets, test AUC (same train/test rows; references from R, see bench/reference/README.md):'];
  lines.push(`  ${'data set'.padEnd(14)} ${'rows'.padStart(5)} ${'cols'.padStart(4)}  ${'glm'.padStart(6)} ${'ranger'.padStart(6)} ${'gbm'.padStart(6)}  ${'Kinetic'.padStart(7)}  vs best     chosen    train`);
  for (const r of results) {
    const d = r.kinetic - r.best.auc;
    lines.push(
      `  ${r.name.padEnd(14)} ${String(r.rows).padStart(5)} ${String(r.features).padStart(4)}  ${r.references.glm.toFixed(4)} ${r.references.ranger.toFixed(4)} ${r.references.gbm.toFixed(4)}  ${r.kinetic.toFixed(4).padStart(7)}  ${(d >= 0 ? '+' : '') + d.toFixed(4)}    ${r.chosen.padEnd(8)}  ${r.seconds.toFixed(1)} s`,
    );
  }
  const atOrAbove = results.filter((r) => r.kinetic >= r.best.auc).length;
  lines.push(`  at or above the best reference on ${atOrAbove} of ${results.length}`);
  for (const r of results) if (r.setting) lines.push(`  ${r.name}: ${r.chosen} (${r.setting})`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) for (const line of await benchReferenceModels()) console.log(line);
