import { describeValue, type FeatureSpec } from './schema.ts';

/** One feature's push on one prediction, in log-odds. */
export interface Reason {
  feature: string;
  value: string;
  effect: 'raises' | 'lowers';
  weight: number;
}

const readable = (name: string) => name.replace(/_/g, ' ');

/** The features that moved this score most, strongest first (small pushes are left out). */
export function topReasons(features: FeatureSpec[], x: ArrayLike<number>, contributions: ArrayLike<number>, limit = 3, minWeight = 0.05): Reason[] {
  return features
    .map((f, i) => ({ feature: readable(f.name), value: describeValue(f, x[i]), effect: contributions[i] >= 0 ? ('raises' as const) : ('lowers' as const), weight: Number(contributions[i].toFixed(3)) }))
    .filter((r) => Math.abs(r.weight) >= minWeight)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, limit);
}

/** Reasons in words: "raises: tenure is 2, contract is Month-to-month; lowers: monthly charges is 20". */
export function reasonsText(reasons: Reason[]): string {
  const up = reasons.filter((r) => r.effect === 'raises').map((r) => `${r.feature} is ${r.value}`);
  const down = reasons.filter((r) => r.effect === 'lowers').map((r) => `${r.feature} is ${r.value}`);
  const parts = [up.length ? `raises: ${up.join(', ')}` : '', down.length ? `lowers: ${down.join(', ')}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : 'close to the average: no single feature stands out';
}
