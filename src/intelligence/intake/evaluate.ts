/**
 * Held-out evaluation of the intake classifier: the model is trained on the
 * shipped training set and scored on the separate test set. Reports accuracy
 * per head and emergency recall (the costly miss) and precision.
 */
import { classifyIntake } from './classify.ts';
import { loadDataset } from './dataset.ts';
import type { IntakeLabel } from './labels.ts';
import { shippedModel } from './model.ts';

export interface IntakeEvaluation {
  trainSize: number;
  testSize: number;
  accuracy: { urgency: number; intent: number; serviceType: number };
  emergency: { recall: number; precision: number; support: number; missed: string[] };
  modelVersion: string;
}

const ratio = (n: number, d: number): number => (d ? Math.round((n / d) * 1000) / 1000 : 0);

export function evaluateIntake(test: readonly IntakeLabel[] = loadDataset('test')): IntakeEvaluation {
  const model = shippedModel();
  let urgency = 0;
  let intent = 0;
  let service = 0;
  let tp = 0;
  let predictedEmergency = 0;
  const missed: string[] = [];
  for (const row of test) {
    const c = classifyIntake(row.text, { model });
    if (c.urgency === row.urgency) urgency++;
    if (c.intent === row.intent) intent++;
    if (c.serviceType === row.serviceType) service++;
    if (c.urgency === 'emergency') predictedEmergency++;
    if (row.urgency === 'emergency') {
      if (c.urgency === 'emergency') tp++;
      else missed.push(row.text);
    }
  }
  const support = test.filter((r) => r.urgency === 'emergency').length;
  return {
    trainSize: loadDataset('train').length,
    testSize: test.length,
    accuracy: { urgency: ratio(urgency, test.length), intent: ratio(intent, test.length), serviceType: ratio(service, test.length) },
    emergency: { recall: ratio(tp, support), precision: ratio(tp, predictedEmergency), support, missed },
    modelVersion: model.version,
  };
}
