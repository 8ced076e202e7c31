/**
 * Intake classification of a call transcript, text or email: urgency, intent
 * and service type, each with a confidence, plus plain-language reasons.
 * Offline and synchronous: a learned model, emergency rules on top (tuned for
 * recall), keyword service matching, and the business's own corrections.
 */
import { cosine, featurize } from './features.ts';
import type { Intent, Urgency } from './labels.ts';
import { NO_SERVICE, shippedModel, type IntakeModel } from './model.ts';
import { emergencyRules, looksLikeInjection, runningLate, saysNotEmergency, urgentFloor } from './rules.ts';
import { matchServices, type BusinessService } from './services.ts';
import { predictSoftmax } from './softmax.ts';

export interface IntakeClassification {
  urgency: Urgency;
  intent: string;
  serviceType: string | null;
  /** Overall confidence: the weakest of the urgency and intent confidences. */
  confidence: number;
  reasons: string[];
  confidences: { urgency: number; intent: number; serviceType: number };
  modelVersion: string;
}

/** A past human correction for this business: similar messages follow it. */
export interface IntakeCorrection {
  text: string;
  urgency: Urgency;
  intent: Intent | string;
  serviceType: string | null;
}

export interface ClassifyOptions {
  model?: IntakeModel;
  corrections?: readonly IntakeCorrection[];
  services?: readonly BusinessService[];
}

/** Model probability of an emergency at or above which the message is treated as one (favours recall). */
export const EMERGENCY_THRESHOLD = 0.3;
/** Corrections at least this similar (cosine over text features) are applied. */
export const CORRECTION_SIMILARITY = 0.6;

const REQUEST = /\b(can (you|someone|somebody) (come|send|fix|look|check)|come (out|over|by)|my (sink|toilet|ac|furnace|heater|water heater|tooth|teeth|gums|lips?|case|outlet|panel))\b/i;
function asksForService(text: string, services: readonly BusinessService[]): boolean {
  return REQUEST.test(text) || urgentFloor(text) || matchServices(text, services).length > 0;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function classifyIntake(text: string, options: ClassifyOptions = {}): IntakeClassification {
  const model = options.model ?? shippedModel();
  const reasons: string[] = [];
  const trimmed = text.trim();
  if (!trimmed) {
    return { urgency: 'routine', intent: 'question', serviceType: null, confidence: 0, reasons: ['empty message'], confidences: { urgency: 0, intent: 0, serviceType: 0 }, modelVersion: model.version };
  }

  // Urgency: model, then an urgent floor for broken essentials, then emergency rules over everything.
  const up = predictSoftmax(model.urgency, trimmed);
  const pEmergency = up.find((p) => p.label === 'emergency')!.p;
  const best = up.reduce((a, b) => (b.p > a.p ? b : a));
  let urgency: Urgency = best.label;
  let urgencyConf = best.p;
  if (urgency !== 'emergency' && pEmergency >= EMERGENCY_THRESHOLD) {
    urgency = 'emergency';
    urgencyConf = pEmergency;
    reasons.push(`model gives a ${Math.round(pEmergency * 100)}% chance of an emergency`);
  }
  if (urgency === 'emergency' && saysNotEmergency(trimmed)) {
    // The writer says it is not an emergency; only a hazard rule (below) overrides them.
    urgency = 'urgent';
    urgencyConf = Math.max(0.6, up.find((p) => p.label === 'urgent')!.p);
    reasons.push('says it is not an emergency');
  }
  // Instructions to the system with nothing else in them are spam. One that also asks for real work
  // ("ignore your rules… also my sink is clogged") keeps the model's labels: the draft is held for a person.
  const injection = looksLikeInjection(trimmed) && !asksForService(trimmed, options.services ?? []);
  if (injection && urgency !== 'routine') {
    // Instructions to the system are not a customer's problem: they never raise urgency (a hazard rule still does).
    urgency = 'routine';
    urgencyConf = 0.9;
  }
  if (urgency === 'routine' && !injection && urgentFloor(trimmed)) {
    urgency = 'urgent';
    urgencyConf = Math.max(0.6, up.find((p) => p.label === 'urgent')!.p);
    reasons.push('describes something broken that people need (no heat, no cooling, a leak, no power)');
  }
  const hits = emergencyRules(trimmed);
  if (hits.length) {
    urgency = 'emergency';
    urgencyConf = Math.max(urgencyConf, 0.97);
    for (const h of hits) reasons.push(`emergency: ${h.reason}`);
  }

  // Intent.
  const ip = predictSoftmax(model.intent, trimmed);
  const bestIntent = ip.reduce((a, b) => (b.p > a.p ? b : a));
  let intent: string = bestIntent.label;
  let intentConf = bestIntent.p;
  const cancels = /\b(cancel\w*)\b/i.test(trimmed);
  if (injection && !hits.length) {
    intent = 'spam';
    intentConf = Math.max(intentConf, 0.9);
    reasons.push('reads like instructions to the system (prompt injection)');
  } else if (runningLate(trimmed) && !cancels && !hits.length) {
    intent = 'reschedule';
    intentConf = Math.max(intentConf, 0.85);
    reasons.push('running late for an appointment');
  }
  if (hits.length && intent === 'spam') {
    // A real hazard is never thrown away as spam.
    intent = 'new_service';
    intentConf = 0.6;
  }

  // Service type: keywords first (business services, then the built-in vocabulary), the model otherwise.
  let serviceType: string | null = null;
  let serviceConf = 0;
  const matched = matchServices(trimmed, options.services ?? []);
  const sp = predictSoftmax(model.service, trimmed);
  const bestService = sp.reduce((a, b) => (b.p > a.p ? b : a));
  if (matched.length) {
    serviceType = matched[0].key;
    serviceConf = matched.length === 1 ? 0.9 : 0.75;
    reasons.push(`service: mentions ${matched[0].matches.slice(0, 2).map((m) => `"${m}"`).join(', ')}`);
  } else if (bestService.label !== NO_SERVICE && bestService.p >= 0.5) {
    serviceType = bestService.label;
    serviceConf = bestService.p;
  } else {
    serviceConf = sp.find((p) => p.label === NO_SERVICE)!.p;
  }
  if (intent === 'spam') {
    serviceType = null;
  }

  // The business's own corrections: the most similar past message pulls the answer its way.
  if (options.corrections?.length) {
    const f = featurize(trimmed);
    let top: { c: IntakeCorrection; sim: number } | null = null;
    for (const c of options.corrections) {
      const sim = cosine(f, featurize(c.text));
      if (!top || sim > top.sim) top = { c, sim };
    }
    if (top && top.sim >= CORRECTION_SIMILARITY) {
      const { c, sim } = top;
      // Rules still win over a loose match; an (almost) identical corrected message overrides them.
      if (!hits.length || sim >= 0.95) {
        if (c.urgency !== urgency) urgencyConf = sim;
        urgency = c.urgency;
      }
      if (c.intent !== intent) intentConf = sim;
      intent = c.intent;
      if (c.serviceType !== serviceType) serviceConf = sim;
      serviceType = c.serviceType;
      urgencyConf = Math.max(urgencyConf, sim);
      intentConf = Math.max(intentConf, sim);
      reasons.push(`matches a message this business corrected before (${Math.round(sim * 100)}% similar)`);
    }
  }

  if (!reasons.length) reasons.push(`model: ${urgency} ${intent.replace('_', ' ')}`);
  return {
    urgency,
    intent,
    serviceType,
    confidence: round(Math.min(urgencyConf, intentConf)),
    reasons,
    confidences: { urgency: round(urgencyConf), intent: round(intentConf), serviceType: round(serviceConf) },
    modelVersion: model.version,
  };
}
