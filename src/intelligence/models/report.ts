import type { SavedModel } from './model.ts';

export const num = (v: number | null | undefined, d = 3) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));

const partNames: Record<string, string> = { gbdt: 'GBDT', logistic: 'logistic', forest: 'random forest' };
const blendParts = (m: SavedModel) => (m.model.kind === 'blend' ? m.model.parts.map((p) => partNames[p.model.kind]).join(' and ') : 'GBDT and logistic');

/** The training report printed by `kinetic model train`: data, held-out metrics, calibration table and feature importance. */
export function formatTrainingReport(m: SavedModel): string {
  const lines: string[] = [];
  lines.push(`Label: ${m.label}${m.positive ? ` (positive = "${m.positive}")` : ' (yes/true/1 = positive)'}`);
  lines.push('Columns:');
  for (const c of m.columns) lines.push(`  ${c.column.padEnd(28)} ${c.type}${c.note ? ` — ${c.note}` : ''}`);
  const names: Record<string, string> = { gbdt: 'gradient-boosted trees', logistic: 'logistic regression', forest: 'random forest', blend: `blend (average of calibrated ${blendParts(m)})` };
  const sel = m.selection;
  const splitKind = m.split.kind === 'time' ? `by time on "${m.split.column}" (newest rows held out)` : 'stratified random';
  if (!sel) {
    // Saved before cross-validation: candidates hold held-out test figures.
    lines.push(`Split: ${splitKind} — train ${m.split.train}, validation ${m.split.valid}, test ${m.split.test}`);
    for (const [name, met] of Object.entries(m.metrics.candidates)) lines.push(`  candidate ${name.padEnd(9)} test AUC ${num(met?.auc)}  log loss ${num(met?.logLoss)}  Brier ${num(met?.brier)}`);
    lines.push(`Model: ${names[m.algorithm]} (chosen on validation log loss), calibrated (Platt)`);
  } else {
    lines.push(`Split: ${splitKind} — train ${m.split.train}, test ${m.split.test} (the test figures below come from a fit that never saw the test rows)`);
    const on = sel.rows === m.split.train ? `the ${sel.rows} training rows` : `a sample of ${sel.rows} of the ${m.split.train} training rows`;
    const how = sel.foldKind === 'time' ? 'time-ordered (each fold validates on rows newer than those it trains on)' : 'stratified';
    lines.push(`Model selection: ${sel.folds}-fold cross-validation${sel.repeats ? ` repeated ${sel.repeats} times` : ''}, ${how}, on ${on}; chosen on CV log loss (lowest wins${m.metrics.candidates.blend ? '; the blend must beat both by 0.001' : ''}):`);
    lines.push('  candidate                       CV log loss (± folds)  CV AUC  CV Brier  rounds');
    sel.table.forEach((r, i) => {
      const name = `${r.candidate}${r.params ? ` (${r.params})` : ''}`;
      const chosen = (sel.chosenRow ?? sel.table.findIndex((t) => t.candidate === sel.chosen)) === i;
      lines.push(`  ${name.padEnd(30)}  ${num(r.logLoss)} (± ${num(r.logLossSd)})      ${num(r.auc)}   ${num(r.brier)}    ${r.rounds ? String(r.rounds).padStart(6) : '     –'}${chosen ? '  ← chosen' : ''}`);
    });
    lines.push(
      m.split.refit
        ? `Model: ${names[m.algorithm]}, refit on all ${m.split.refit} labelled rows after the test figures were taken, calibrated (Platt, fitted on the cross-validated predictions)`
        : `Model: ${names[m.algorithm]}, refit on all ${m.split.train} training rows, calibrated (Platt, fitted on the cross-validated predictions)`,
    );
  }
  const t = m.metrics.test;
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
