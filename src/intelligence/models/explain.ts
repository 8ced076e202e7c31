import { phraseFeature } from './reason-words.ts';
import { describeValue, type FeatureSpec } from './schema.ts';

/** One feature's push on one prediction, in log-odds, with the feature and its value in words (`text`). */
export interface Reason {
  feature: string;
  value: string;
  effect: 'raises' | 'lowers';
  weight: number;
  text: string;
}

const readable = (name: string) => name.replace(/_/g, ' ');

/** The raw value a phrase is built from: the number itself, yes/no, or the category's name. */
function rawValue(f: FeatureSpec, x: number): string | number | boolean | null {
  if (Number.isNaN(x)) return null;
  if (f.kind === 'numeric') return x;
  if (f.kind === 'boolean') return x === 1;
  return describeValue(f, x);
}

/** The features that moved this score most, strongest first (small pushes are left out). */
export function topReasons(features: FeatureSpec[], x: ArrayLike<number>, contributions: ArrayLike<number>, limit = 3, minWeight = 0.05): Reason[] {
  return features
    .map((f, i) => ({
      feature: readable(f.name),
      value: describeValue(f, x[i]),
      effect: contributions[i] >= 0 ? ('raises' as const) : ('lowers' as const),
      weight: Number(contributions[i].toFixed(3)),
      text: phraseFeature(f.name, rawValue(f, x[i])),
    }))
    .filter((r) => Math.abs(r.weight) >= minWeight)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, limit);
}

/** Reasons in words: "raises: waited 20 hours for an answer, came from google ads; lowers: no earlier jobs". */
export function reasonsText(reasons: Reason[]): string {
  const up = reasons.filter((r) => r.effect === 'raises').map((r) => r.text);
  const down = reasons.filter((r) => r.effect === 'lowers').map((r) => r.text);
  const parts = [up.length ? `raises: ${up.join(', ')}` : '', down.length ? `lowers: ${down.join(', ')}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : 'close to the average: no single feature stands out';
}
