import { forestContributions, forestImportance, forestRaw, type ForestModel } from './forest.ts';
import { gbdtContributions, gbdtImportance, gbdtRaw, type GbdtModel } from './gbdt.ts';
import { logisticContributions, logisticImportance, logisticRaw, type LogisticModel } from './logistic.ts';
import { applyPlatt, type Platt } from './metrics.ts';

/** A single model that can be a blend's part. */
export type PartModel = GbdtModel | LogisticModel | ForestModel;

/** The average of the calibrated probabilities of the two best single models; chosen only when cross-validation shows it beats both. */
export interface BlendModel {
  kind: 'blend';
  parts: Array<{ model: PartModel; calibration: Platt }>;
}

export const partRaw = (m: PartModel, x: ArrayLike<number>) => (m.kind === 'gbdt' ? gbdtRaw(m, x) : m.kind === 'forest' ? forestRaw(m, x) : logisticRaw(m, x));
export const partContributions = (m: PartModel, x: ArrayLike<number>, F: number) =>
  m.kind === 'gbdt' ? gbdtContributions(m, x, F) : m.kind === 'forest' ? forestContributions(m, x, F) : logisticContributions(m, x);
export const partImportance = (m: PartModel, F: number) => (m.kind === 'gbdt' ? gbdtImportance(m, F) : m.kind === 'forest' ? forestImportance(m, F) : logisticImportance(m));
const clip = (p: number) => Math.min(Math.max(p, 1e-12), 1 - 1e-12);

/** Log-odds of the averaged probability, so the saved model's identity calibration turns it back into that average. */
export function blendRaw(m: BlendModel, x: ArrayLike<number>): number {
  let s = 0;
  for (const part of m.parts) s += applyPlatt(part.calibration, partRaw(part.model, x));
  const p = clip(s / m.parts.length);
  return Math.log(p / (1 - p));
}

/**
 * Per-feature contributions on the blend's log-odds: each part's (calibrated) contributions weighted by how much a change in that part's
 * log-odds moves the blend's log-odds at this row (chain rule through the average).
 */
export function blendContributions(m: BlendModel, x: ArrayLike<number>, F: number): { base: number; contributions: Float64Array } {
  const contributions = new Float64Array(F);
  const ps = m.parts.map((part) => applyPlatt(part.calibration, partRaw(part.model, x)));
  const p = clip(ps.reduce((a, b) => a + b, 0) / ps.length);
  m.parts.forEach((part, k) => {
    const w = (ps[k] * (1 - ps[k])) / (ps.length * p * (1 - p));
    const c = partContributions(part.model, x, F).contributions;
    for (let f = 0; f < F; f++) contributions[f] += w * part.calibration.a * c[f];
  });
  return { base: Math.log(p / (1 - p)), contributions };
}

export function blendImportance(m: BlendModel, F: number): number[] {
  const imp = new Array<number>(F).fill(0);
  for (const part of m.parts) {
    const pi = partImportance(part.model, F);
    pi.forEach((v, f) => (imp[f] += v / m.parts.length));
  }
  return imp;
}
