import type { SavedModel } from './model.ts';

export const num = (v: number | null | undefined, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));

/** The training report printed by `kinetic model train`: data, held-out metrics, calibration table and feature importance. */
export function formatTrainingReport(m: SavedModel): string {
  const lines: string[] = [];
  lines.push(`Label: ${m.label}${m.positive ? ` (positive = "${m.positive}")` : ' (yes/true/1 = positive)'}`);
  lines.push('Columns:');
  for (const c of m.columns) lines.push(`  ${c.column.padEnd(28)} ${c.type}${c.note ? ` — ${c.note}` : ''}`);
  lines.push(
    `Split: ${m.split.kind === 'time' ? `by time on "${m.split.column}" (newest rows held out)` : 'stratified random'} — train ${m.split.train}, validation ${m.split.valid}, test ${m.split.test}`,
  );
  for (const [name, met] of Object.entries(m.metrics.candidates)) lines.push(`  candidate ${name.padEnd(9)} AUC ${num(met?.auc)}  log loss ${num(met?.logLoss)}  Brier ${num(met?.brier)}`);
  const t = m.metrics.test;
  lines.push(`Model: ${m.algorithm === 'gbdt' ? 'gradient-boosted trees' : 'logistic regression'} (chosen on validation log loss), calibrated (Platt)`);
  lines.push(`Held-out test (${t.rows} rows, ${(t.positiveRate * 100).toFixed(1)}% positive):`);
  lines.push(`  AUC       ${num(t.auc)}`);
  lines.push(`  Log loss  ${num(t.logLoss)}`);
  lines.push(`  Brier     ${num(t.brier)}`);
  lines.push('Calibration (test rows by predicted probability):');
  lines.push('  band       rows   predicted  observed');
  for (const b of m.calibrationTable) lines.push(`  ${b.range.padEnd(9)} ${String(b.count).padStart(5)}   ${num(b.meanPredicted).padStart(9)}  ${num(b.observedRate).padStart(8)}`);
  lines.push('Feature importance:');
  for (const f of m.importance.slice(0, 20)) lines.push(`  ${f.feature.padEnd(28)} ${(f.importance * 100).toFixed(1).padStart(5)}%  ${'#'.repeat(Math.round(f.importance * 40))}`);
  return `${lines.join('\n')}\n`;
}
