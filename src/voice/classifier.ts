// Types only: erased at run time, so the intelligence module stays optional (see loadIntakeClassifier).
import type { IntakeClassification as FullIntakeClassification } from '../intelligence/intake/classify.ts';
import type { Urgency } from '../intelligence/intake/labels.ts';
import { optionalExport } from './optional-export.ts';

export type { Urgency };

/**
 * What the receptionist needs to know about a caller's problem: the part of
 * the intake classifier's answer it reads. The voice code depends only on
 * this interface; `loadIntakeClassifier` plugs in the intelligence module's
 * classifier when it is installed, else the keyword rules below.
 */
export type IntakeClassification = Pick<FullIntakeClassification, 'urgency' | 'intent' | 'serviceType' | 'confidence' | 'reasons'>;

export interface IntakeClassifier {
  readonly name: string;
  classify(text: string): IntakeClassification;
}

interface Rule {
  pattern: RegExp;
  reason: string;
}

// Life-safety or property-at-risk situations: a technician is dispatched now.
const EMERGENCY: Rule[] = [
  { pattern: /\b(smell(s|ing)? (of )?gas|gas (smell|leak)|leaking gas|rotten eggs?)\b/, reason: 'gas smell or leak' },
  { pattern: /\b(carbon monoxide|co (alarm|detector)|monoxide)\b/, reason: 'carbon monoxide alarm' },
  { pattern: /\b(spark(s|ing)?|arcing|smok(e|ing)|burning smell|on fire|fire)\b.*\b(panel|breaker|outlet|wire|wiring|furnace|unit)\b|\b(panel|breaker|outlet|wire|wiring|furnace|unit)\b.*\b(spark(s|ing)?|arcing|smok(e|ing)|burning|fire)\b/, reason: 'sparking, smoke or burning at electrical or heating equipment' },
  { pattern: /\b(flood(ed|ing)?|burst pipe|pipe (burst|broke)|water('s| is)? (everywhere|pouring|gushing)|(pouring|gushing) (in )?(through|from) the ceiling|sewage (backup|backing up))\b/, reason: 'flooding or burst pipe' },
  { pattern: /\b(no|without|lost) (heat|heating)\b.*\b(baby|infant|newborn|elderly|grandm|grandp|senior|old(er)? (man|woman|person)|oxygen|sick)\b|\b(baby|infant|newborn|elderly|grandm|grandp|senior|oxygen)\b.*\b(no|without|lost) (heat|heating)\b/, reason: 'no heat with a vulnerable person in the home' },
  { pattern: /\b(emergency|urgent(ly)? help|right now|immediately|asap)\b.*\b(leak|heat|gas|water|power|electric)|\b(leak|heat|gas|water|power|electric)\w*\b.*\b(emergency)\b/, reason: 'caller describes an emergency' },
];

const URGENT: Rule[] = [
  { pattern: /\b(no (heat|heating|hot water|ac|air|cooling|power)|(heat|furnace|ac|air conditioning|boiler|water heater) (is )?(not|isn't|stopped|won't|doesn't) (working|work|turn)|not (heating|cooling))\b/, reason: 'system not working' },
  { pattern: /\b(leak(ing)?|drip(ping)?|clog(ged)?|backed up|overflow(ing)?)\b/, reason: 'leak or blockage' },
];

const HUMAN = /\b(real person|human|representative|operator|speak (to|with) (someone|somebody|a person|the owner|a manager)|talk (to|with) (someone|somebody|a person|the owner|a manager))\b/;

const SERVICES: Array<[RegExp, string]> = [
  [/\b(gas)\b/, 'gas_leak'],
  [/\b(furnace|heat|heating|boiler|heat pump)\b/, 'heating_repair'],
  [/\b(ac|a\/c|air condition\w*|cooling|cool)\b/, 'ac_repair'],
  [/\b(water heater|hot water)\b/, 'water_heater'],
  [/\b(pipe|leak|drain|clog|toilet|faucet|sewer|flood)\w*\b/, 'plumbing'],
  [/\b(panel|breaker|outlet|wiring|electric\w*|power|spark\w*)\b/, 'electrical'],
  [/\b(tune[- ]?up|maintenance|check[- ]?up|inspection|service)\b/, 'maintenance'],
  [/\b(quote|estimate|install\w*|replace\w*|new (unit|system))\b/, 'installation'],
];

const ROUTINE_INTENTS: Array<[RegExp, string]> = [
  [/\b(quote|estimate|price|cost|how much)\b/, 'quote'],
  [/\b(book|schedule|appointment|come out|set up|tune[- ]?up|maintenance)\b/, 'booking'],
  [/\b(bill|invoice|payment|pay)\b/, 'billing'],
];

/** Keyword rules: offline, deterministic, explainable. */
export const keywordClassifier: IntakeClassifier = {
  name: 'voice-keywords-1',
  classify(raw: string): IntakeClassification {
    const text = raw.toLowerCase().replace(/[’']/g, "'");
    const serviceType = SERVICES.find(([p]) => p.test(text))?.[1] ?? null;
    if (HUMAN.test(text)) return { urgency: 'routine', intent: 'speak_to_person', serviceType, confidence: 0.9, reasons: ['asked for a person'] };
    const emergency = EMERGENCY.filter((r) => r.pattern.test(text));
    if (emergency.length) return { urgency: 'emergency', intent: 'service_request', serviceType, confidence: Math.min(0.95, 0.75 + 0.1 * emergency.length), reasons: emergency.map((r) => r.reason) };
    const urgent = URGENT.filter((r) => r.pattern.test(text));
    if (urgent.length) return { urgency: 'urgent', intent: 'service_request', serviceType, confidence: 0.7, reasons: urgent.map((r) => r.reason) };
    const intent = ROUTINE_INTENTS.find(([p]) => p.test(text))?.[1];
    if (intent) return { urgency: 'routine', intent, serviceType, confidence: 0.7, reasons: [`mentions ${intent}`] };
    if (serviceType) return { urgency: 'routine', intent: 'service_request', serviceType, confidence: 0.6, reasons: [`mentions ${serviceType.replace(/_/g, ' ')}`] };
    return { urgency: 'routine', intent: 'unknown', serviceType: null, confidence: 0.2, reasons: ['no recognisable problem or request'] };
  },
};

type ClassifyFn = (text: string) => IntakeClassification;

/**
 * Missing an emergency costs far more than a false alarm, so when the keyword
 * rules see one (gas, CO, flooding, sparking, no heat with an infant) the call
 * is treated as an emergency whatever the other classifier says.
 */
export function safetyFirst(primary: IntakeClassification, rules: IntakeClassification): IntakeClassification {
  if (primary.urgency === 'emergency' || rules.urgency !== 'emergency') return primary;
  return { ...primary, urgency: 'emergency', confidence: Math.max(primary.confidence, rules.confidence), reasons: [...rules.reasons, ...primary.reasons] };
}

const loadClassifyIntake = optionalExport<ClassifyFn>('../intelligence/intake/classify.ts', 'classifyIntake');

/**
 * The intake classifier from src/intelligence/intake/classify.ts when that
 * module is present, adapted to IntakeClassifier; the keyword rules otherwise.
 * Loaded once per process.
 */
let loaded: Promise<IntakeClassifier> | null = null;
export function loadIntakeClassifier(): Promise<IntakeClassifier> {
  loaded ??= loadClassifyIntake().then((fn) => (fn ? { name: 'intelligence/intake', classify: (text: string) => safetyFirst(fn(text), keywordClassifier.classify(text)) } : keywordClassifier));
  return loaded;
}
