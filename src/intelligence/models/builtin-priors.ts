import type { Reason } from './explain.ts';
import { reasonsText } from './explain.ts';
import { phraseFeature } from './reason-words.ts';
import type { FeatureRecord } from './builtin-features.ts';
import { sigmoid } from './metrics.ts';
import type { Prediction } from './model.ts';

/**
 * Sensible starting models for a business with too little history to learn
 * from: a base rate from the service-business playbook and a few rules of
 * thumb, stated as reasons like a trained model's.
 */
interface Rule {
  feature: string;
  applies: (v: FeatureRecord[string]) => boolean;
  weight: number;
}

export interface PriorModel {
  baseRate: number;
  rules: Rule[];
}

const num = (v: FeatureRecord[string]) => (typeof v === 'number' ? v : NaN);

export const priors: Record<'lead_conversion' | 'churn' | 'deal_stall', PriorModel> = {
  lead_conversion: {
    baseRate: 0.35,
    rules: [
      { feature: 'response_minutes', applies: (v) => num(v) <= 15, weight: 0.6 },
      { feature: 'response_minutes', applies: (v) => num(v) > 240, weight: -0.8 },
      { feature: 'urgency', applies: (v) => v === 'emergency', weight: 0.9 },
      { feature: 'source', applies: (v) => typeof v === 'string' && /referral|repeat/i.test(v), weight: 0.5 },
      { feature: 'prior_jobs', applies: (v) => num(v) > 0, weight: 0.5 },
    ],
  },
  churn: {
    baseRate: 0.45,
    rules: [
      { feature: 'days_since_last_job', applies: (v) => num(v) > 365, weight: 1.0 },
      { feature: 'days_since_last_job', applies: (v) => num(v) > 540, weight: 0.7 },
      { feature: 'days_since_last_job', applies: (v) => num(v) < 120, weight: -0.7 },
      { feature: 'jobs_completed', applies: (v) => num(v) >= 3, weight: -0.7 },
      { feature: 'last_review_rating', applies: (v) => num(v) <= 2, weight: 0.6 },
    ],
  },
  deal_stall: {
    baseRate: 0.5,
    rules: [
      { feature: 'days_since_last_touch', applies: (v) => num(v) > 14, weight: 0.9 },
      { feature: 'age_days', applies: (v) => num(v) > 30, weight: 0.6 },
      { feature: 'replies_since_created', applies: (v) => num(v) > 0, weight: -0.6 },
      { feature: 'touches_since_created', applies: (v) => num(v) >= 3, weight: -0.4 },
    ],
  },
};

const shown = (v: FeatureRecord[string]) => (v === null ? 'blank' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

export function predictPrior(model: PriorModel, record: FeatureRecord): Prediction {
  let z = Math.log(model.baseRate / (1 - model.baseRate));
  const reasons: Reason[] = [];
  for (const r of model.rules) {
    if (!r.applies(record[r.feature] ?? null)) continue;
    z += r.weight;
    const value = record[r.feature] ?? null;
    reasons.push({ feature: r.feature.replace(/_/g, ' '), value: shown(value), effect: r.weight >= 0 ? 'raises' : 'lowers', weight: r.weight, text: phraseFeature(r.feature, value) });
  }
  reasons.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  const top = reasons.slice(0, 3);
  return { probability: sigmoid(z), reasons: top, text: reasonsText(top) };
}
