/**
 * The offline intake model: one softmax regression per head, trained from the
 * shipped labelled set the first time it is needed (well under a second).
 */
import { loadDataset } from './dataset.ts';
import { INTENTS, SERVICE_KEYS, URGENCIES, type IntakeLabel, type Intent, type Urgency } from './labels.ts';
import { trainSoftmax, type SoftmaxModel } from './softmax.ts';

export const MODEL_VERSION = 'intake-softmax-2';
export const NO_SERVICE = 'none';

export interface IntakeModel {
  version: string;
  urgency: SoftmaxModel<Urgency>;
  intent: SoftmaxModel<Intent>;
  service: SoftmaxModel<string>;
}

export function trainIntakeModel(rows: readonly IntakeLabel[]): IntakeModel {
  const serviceLabels = [NO_SERVICE, ...SERVICE_KEYS];
  return {
    version: MODEL_VERSION,
    // Emergencies are upweighted: a missed one costs far more than a false alarm.
    urgency: trainSoftmax(URGENCIES, rows.map((r) => ({ text: r.text, label: r.urgency })), { classWeight: { emergency: 2.5, urgent: 1.3 } }),
    intent: trainSoftmax(INTENTS, rows.map((r) => ({ text: r.text, label: r.intent }))),
    service: trainSoftmax(serviceLabels, rows.map((r) => ({ text: r.text, label: r.serviceType && serviceLabels.includes(r.serviceType) ? r.serviceType : NO_SERVICE }))),
  };
}

let shipped: IntakeModel | null = null;
/** The model trained on the shipped training set (trained once per process). */
export function shippedModel(): IntakeModel {
  shipped ??= trainIntakeModel(loadDataset('train'));
  return shipped;
}
