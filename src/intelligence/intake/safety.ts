import { emergencyRules, MEDICAL } from './rules.ts';
import { normalizeText } from './features.ts';

/**
 * What to tell someone reporting an emergency, straight away and before any
 * person has read the message: the one safety step for the hazard they
 * describe (gas: leave and call the utility; water: the shut-off valve;
 * injury: 911). A pure function of the text, table-tested; the same advice is
 * texted, emailed and spoken by the receptionist.
 */
export type Hazard = 'gas' | 'carbon_monoxide' | 'fire_electrical' | 'water' | 'medical' | 'dental' | 'cosmetic_complication' | 'no_heat' | 'no_cooling' | 'legal' | 'other';

const DENTAL = /\b(tooth|teeth|molar|crown|filling|root canal|wisdom|gum|jaw|abscess|dental|dentist)\b/;
const COSMETIC = /\b(filler|botox|injection|injectable|lip (flip|filler)|microneedling|laser|peel|vascular occlusion|blanch\w*|dusky|mottled)\b/;
const NO_COOL = /\b(no (ac|air|a\/c|cooling)|not cooling|ac (is )?(out|dead|died|quit|not working|stopped)|heat stroke|heat exhaustion)\b/;

export function hazardOf(text: string): Hazard {
  const t = normalizeText(text);
  const hits = new Set(emergencyRules(text).map((h) => h.id));
  if (hits.has('gas_smell')) return 'gas';
  if (hits.has('carbon_monoxide')) return 'carbon_monoxide';
  if (hits.has('electrical_hazard')) return 'fire_electrical';
  if (hits.has('flooding')) return 'water';
  if (hits.has('medical') || MEDICAL.test(t)) return 'medical';
  if (hits.has('cosmetic_complication')) return 'cosmetic_complication';
  if (hits.has('dental_trauma')) return 'dental';
  if (COSMETIC.test(t)) return 'cosmetic_complication';
  if (DENTAL.test(t)) return 'dental';
  if (hits.has('no_heat_vulnerable')) return 'no_heat';
  if (hits.has('no_cooling_vulnerable') || NO_COOL.test(t)) return 'no_cooling';
  if (hits.has('legal_custody')) return 'legal';
  return 'other';
}

const ADVICE: Record<Hazard, string> = {
  gas: 'If you smell gas: leave the building now, do not use light switches, phones or flames inside, and call your gas utility\'s emergency line (or 911) once you are outside.',
  carbon_monoxide: 'If a CO alarm is sounding or anyone feels dizzy, sick or sleepy: get everyone outside into fresh air now and call 911.',
  fire_electrical: 'If you see smoke or sparks or smell burning: if it is safe, switch off the power at the breaker; get everyone out and call 911 if there is fire or smoke.',
  water: 'To stop the water: close the main shut-off valve (usually near the water meter or where the main line enters), and keep away from outlets and appliances in wet areas.',
  medical: 'If anyone has trouble breathing, chest pain or heavy bleeding, call 911 now.',
  dental: 'For a knocked-out tooth, keep it moist (in milk or against your cheek) without scrubbing it; for heavy bleeding, bite on clean gauze. Trouble breathing or swallowing, or swelling spreading to the eye or neck: call 911.',
  cosmetic_complication: 'If the treated area turns white, grey or blotchy, or the pain is getting worse, apply warm compresses and do not massage it; vision changes or trouble breathing: call 911 now.',
  no_heat: 'Until we get there, keep everyone in one warm room with doors closed; never heat the home with an oven, grill or generator indoors.',
  no_cooling: 'Until we get there, keep everyone in the coolest room with fans and water, and call 911 for confusion, fainting or a very high temperature.',
  legal: 'If you or someone you are with is being arrested or questioned: stay calm, do not resist, say you want a lawyer and do not answer questions or sign anything until one of our attorneys calls you.',
  other: 'If anyone is in danger, call 911.',
};

export const safetyAdvice = (hazard: Hazard): string => ADVICE[hazard];

/** The immediate text or email to someone who reported an emergency. `paged`: whether the on-call team was paged. */
export function safetyMessage(businessName: string, text: string, paged: boolean): { hazard: Hazard; body: string } {
  const hazard = hazardOf(text);
  const now = paged ? 'we are paging our on-call technician now and they will call you shortly.' : 'our team has been alerted and will call you as soon as possible.';
  return { hazard, body: `${businessName}: we got your message — ${now} ${ADVICE[hazard]}` };
}
