/**
 * Held-out evaluation of the intake classifier: the model is trained on the
 * shipped training set and scored on a separate test set. Reports accuracy
 * per head and emergency recall (the costly miss) and precision, overall and
 * per vertical when the rows are tagged with one. `paging` counts what would
 * page on-call at once (an emergency rule, or model urgency confidence at or
 * above ROUTE_EMERGENCY_CONFIDENCE), since that is what wakes a technician.
 */
import { classifyIntake } from './classify.ts';
import { loadDataset } from './dataset.ts';
import type { IntakeLabel } from './labels.ts';
import { shippedModel } from './model.ts';
import { emergencyRules } from './rules.ts';

/** Mirrors inbound.ts ROUTE_EMERGENCY_CONFIDENCE (not imported: inbound.ts pulls in the database layer). */
const PAGE_CONFIDENCE = 0.9;

export interface IntakeScores {
  size: number;
  accuracy: { urgency: number; intent: number; serviceType: number };
  emergency: { recall: number; precision: number; support: number; missed: string[] };
  /** Emergencies that would page on-call at once, and non-emergencies that would (false pages). */
  paging: { pagedEmergencies: number; falsePages: string[] };
  /** Rows wrong on urgency or intent: text, expected and predicted. */
  errors: string[];
}

export interface IntakeEvaluation extends IntakeScores {
  trainSize: number;
  testSize: number;
  modelVersion: string;
  byVertical: Record<string, IntakeScores>;
}

const ratio = (n: number, d: number): number => (d ? Math.round((n / d) * 1000) / 1000 : 0);

function score(rows: readonly IntakeLabel[], predict: (text: string) => ReturnType<typeof classifyIntake>): IntakeScores {
  let urgency = 0;
  let intent = 0;
  let service = 0;
  let tp = 0;
  let predictedEmergency = 0;
  let pagedEmergencies = 0;
  const missed: string[] = [];
  const falsePages: string[] = [];
  const errors: string[] = [];
  for (const row of rows) {
    const c = predict(row.text);
    if (c.urgency === row.urgency) urgency++;
    if (c.intent === row.intent) intent++;
    if (c.serviceType === row.serviceType) service++;
    if (c.urgency !== row.urgency || c.intent !== row.intent) errors.push(`${row.text} — expected ${row.urgency}/${row.intent}, got ${c.urgency}/${c.intent}`);
    if (c.urgency === 'emergency') predictedEmergency++;
    const pages = c.urgency === 'emergency' && (emergencyRules(row.text).length > 0 || c.confidences.urgency >= PAGE_CONFIDENCE);
    if (row.urgency === 'emergency') {
      if (c.urgency === 'emergency') tp++;
      else missed.push(row.text);
      if (pages) pagedEmergencies++;
    } else if (pages) falsePages.push(row.text);
  }
  const support = rows.filter((r) => r.urgency === 'emergency').length;
  return {
    size: rows.length,
    accuracy: { urgency: ratio(urgency, rows.length), intent: ratio(intent, rows.length), serviceType: ratio(service, rows.length) },
    emergency: { recall: ratio(tp, support), precision: ratio(tp, predictedEmergency), support, missed },
    paging: { pagedEmergencies, falsePages },
    errors,
  };
}

export function evaluateIntake(test: readonly IntakeLabel[] = loadDataset('test')): IntakeEvaluation {
  const model = shippedModel();
  const cache = new Map<string, ReturnType<typeof classifyIntake>>();
  const predict = (text: string): ReturnType<typeof classifyIntake> => {
    let c = cache.get(text);
    if (!c) cache.set(text, (c = classifyIntake(text, { model })));
    return c;
  };
  const byVertical: Record<string, IntakeScores> = {};
  const verticals = [...new Set(test.map((r) => r.vertical).filter((v) => v !== undefined))];
  for (const v of verticals) byVertical[v] = score(test.filter((r) => r.vertical === v), predict);
  return { ...score(test, predict), trainSize: loadDataset('train').length, testSize: test.length, modelVersion: model.version, byVertical };
}
