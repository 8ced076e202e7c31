/**
 * Hand-written urgency rules. Missing an emergency is the costly error, so
 * these fire on their own, whatever the learned model says; they are tuned
 * for recall and accept the odd false alarm (a human reviews those).
 */
import { normalizeText } from './features.ts';

export interface RuleHit {
  id: string;
  reason: string;
}

// "nothing smells or sparks", "no burning or sparks", "not in custody or anything": a negation shortly before, in the same sentence.
const NEGATION = /\b(no|not|nor|don'?t|doesn'?t|didn'?t|never|without|isn'?t|wasn'?t|aren'?t|nothing|no sign of|neither)\b[^.!?,;]{0,22}$/;

/** True when the match is preceded closely by a negation ("I don't smell gas"). */
function negated(text: string, index: number): boolean {
  return NEGATION.test(text.slice(Math.max(0, index - 30), index));
}

function firstUnnegated(text: string, re: RegExp): boolean {
  const g = new RegExp(re.source, 'g');
  for (const m of text.matchAll(g)) if (!negated(text, m.index ?? 0)) return true;
  return false;
}

const VULNERABLE = /\b(infant|babies|baby|newborn|toddler|\d+ ?(month|mo) old|elderly|grandma|grandmother|grandpa|grandfather|granny|my (mom|mother|dad|father) is (8|9)\d|(8|9)\d ?(years?|yrs?|yo)( old)?|senior|oxygen|disabled|wheelchair|bedridden|hospice|chemo|dialysis|medical condition|heart condition|pregnant|abuela|abuelo|bebe|recien nacido)\b/;
const NO_HEAT = /\b(no heat|heat (is )?(out|off|gone|not working|isn'?t working|quit|died|stopped)|furnace (is )?(out|dead|died|quit|stopped|not working|isn'?t working|won'?t (turn|come|start|kick|light))|heater (quit|died|stopped|is out|not working|isn'?t working|won'?t)|boiler (is )?(out|dead|died|down)|freezing (in here|inside|in the house|cold)|house is (freezing|ice cold|\d\d degrees)|sin calefaccion|no hay calefaccion|blowing cold air)\b/;
const NO_COOL = /\b(no (ac|air|a\/c|cooling)|ac (is )?(out|dead|died|quit|not working|isn'?t working|stopped)|not cooling|blowing (hot|warm) air|house is (1[0-9]{2}|9\d) degrees|heat stroke|heat exhaustion|sin aire)\b/;

/** Shared with safety.ts, which picks the advice for the same hazard. */
export const MEDICAL = /\b(can'?t breathe|cannot breathe|can'?t breath|trouble breathing|hard to breathe|struggling to breathe|short(ness)? of breath|chest pain|unconscious|passed out|fainted|not breathing|seizure|overdose|anaphyla\w*|epi ?pen|throat (is |feels )?(closing|swelling|tight)|tongue (is )?swelling|lips? (is |are )?swelling up|hives (all over|everywhere|and)|heavy bleeding|bleeding (a lot|heavily|badly|won'?t stop|everywhere|through)|won'?t stop bleeding|can'?t stop (the )?bleeding|stroke|heart attack)\b/;
export const DENTAL_EMERGENCY = /\b(knocked[- ]?out (a |his |her |my |their |the |front |adult )*(tooth|teeth)|knocked (out )?(his |her |my |their |a |the |two |front )*(tooth|teeth) out|(tooth|teeth) (got |was |were )?knocked out|(tooth|teeth) (fell|came) out .{0,30}(fell|hit|fall|accident|punch|game)|avulsed|(tooth|teeth) (is |are )?(pushed|shoved|driven) (back|in|up)|broke(n)? (my |his |her )?jaw|jaw (is |might be |may be )?(broken|fractured|dislocated)|can'?t (close|open) (my |his |her )?(jaw|mouth)|(swelling|swollen|swell\w*) .{0,30}(eye|neck|throat|spreading|fast)|(hard|trouble|can'?t|cannot|difficult\w*) (to )?swallow\w*|bleeding .{0,25}(after|since|from) .{0,20}(extraction|pulled|surgery|wisdom)|(extraction|pulled|surgery|socket) .{0,40}(won'?t stop|still bleeding|keeps bleeding|bleeding (a lot|heavily|through))|abscess .{0,30}fever|fever .{0,30}(abscess|tooth|swelling|swollen))\b/;
const TREATMENTS = 'filler|fillers|juvederm|restylane|sculptra|radiesse|kybella|botox|dysport|injection|injections|injected|injectable|lip (flip|filler)|microneedling|laser|peel|thread lift|treatment';
export const COSMETIC_TREATMENT = new RegExp(`\\b(${TREATMENTS})\\b`);
const VASCULAR_SIGNS = /\b(vascular occlusion|occlusion|blanch\w*|(turn\w*|gone|going|is|looks?) (white|pale|grey|gray|blue|purple|dusky|mottled)|grey-blue|gray-blue|blue-grey|dusky|mottled|lacy|cold (and|to the touch)|white and cold|pain (is )?(getting worse|worse|severe|keeps getting)|severe pain|(blurry|blurred|loss of|lost|double|losing) (vision|sight)|seeing (double|spots)|vision (is )?(blurry|changes?|going|blurred)|can'?t see)\b/;
const LEGAL_EMERGENCY = /\b((was|been|got|just|being|is|are|were|am|i'?m) (just )?(arrested|detained|picked up by (the )?(police|ice|cops))|arrested (today|tonight|this morning|last night|just now)|in (police )?custody|in jail|at the (county )?jail|(in|at) the (precinct|police station)|locked up|(police|cops|officers|ice|fbi|agents) (are|is) (at|outside|here|in) (my|the|our)|warrant (right now|at my door)|search warrant|court (hearing |date |appearance )?(is )?(today|this morning|this afternoon|in (an|one|two|\d+) hours?)|(hearing|trial|arraignment) (is )?(today|this morning|this afternoon|in (an|one|two|\d+) hours?)|bail hearing|being deported|deportation (today|tonight|tomorrow))\b/;

const RULES: Array<{ id: string; reason: string; test: (t: string) => boolean }> = [
  {
    id: 'gas_smell',
    reason: 'mentions a gas smell or gas leak',
    test: (t) => firstUnnegated(t, /\b(smell\w* (of |like )?(natural )?gas|gas (smell|leak|odou?r)|(odou?r|stench|whiff) of (natural )?gas|smells? gassy|rotten eggs?|sulfur smell|hiss\w* (from|at|near) (the )?(gas|meter|stove|line)|huele a gas|olor a gas|fuga de gas)\b/),
  },
  {
    id: 'carbon_monoxide',
    reason: 'mentions a carbon-monoxide alarm or CO symptoms',
    test: (t) => firstUnnegated(t, /\b(carbon monoxide|monoxide|co (alarm|detector|monitor|sensor)s?|co2? detector|(detector|alarm) (is )?(going off|beeping|screaming) .{0,20}(co|carbon)|(dizzy|headaches?|nausea\w*) .{0,40}(furnace|heater|boiler))\b/),
  },
  {
    id: 'flooding',
    reason: 'mentions flooding, a burst pipe or sewage backing up',
    test: (t) => firstUnnegated(t, /\b(flood\w*|burst (water )?pipes?|(pipe|supply line|water line)s? (\w+ ){0,4}(burst|broke|busted|exploded|split|popped off|blew)|busted pipe|water (is )?(pouring|gushing|spraying|shooting|spurting|everywhere|coming (through|thru|out of) the (ceiling|wall|floor))|standing water|inches of water|ankle deep|sewage (is )?(backing|coming|everywhere)|raw sewage|can'?t (shut|turn) off the water|se inundo|inundacion)\b/),
  },
  {
    id: 'electrical_hazard',
    reason: 'mentions sparks, smoke, burning or a shock hazard',
    test: (t) => firstUnnegated(t, /\b(spark\w*|arcing|smok(e|ing)|burning smell|smells? (like )?(something )?burn\w*|melt(ed|ing)|scorch\w*|on fire|electrical fire|caught fire|fire in|live wires?|exposed wires?|got shocked|shocking (me|us)|zapped|electrocut\w*|got a (bad )?shock|downed (power )?lines?|(power )?lines? (is |are )?down|(took|knocked|brought) down the (power )?lines?|wires? (is |are )?(down|laying|lying|hanging) (in|on|across)|hot to the touch|buzzing (loudly )?from the (panel|breaker)|chispas|humo)\b/),
  },
  {
    id: 'medical',
    reason: 'mentions trouble breathing, a severe allergic reaction, heavy bleeding or loss of consciousness',
    test: (t) => firstUnnegated(t, MEDICAL),
  },
  {
    id: 'dental_trauma',
    reason: 'mentions a knocked-out or displaced tooth, a jaw injury, bleeding that will not stop after dental work, or facial swelling that spreads',
    test: (t) => firstUnnegated(t, DENTAL_EMERGENCY),
  },
  {
    id: 'cosmetic_complication',
    reason: 'mentions signs of a vascular complication after filler (skin turning white, grey or blue, worsening pain, vision changes)',
    test: (t) => COSMETIC_TREATMENT.test(t) && firstUnnegated(t, VASCULAR_SIGNS),
  },
  {
    id: 'legal_custody',
    reason: 'mentions an arrest, someone in custody, police at the door or a court hearing today',
    test: (t) => firstUnnegated(t, LEGAL_EMERGENCY),
  },
  {
    id: 'no_heat_vulnerable',
    reason: 'no heat with an infant, elderly or medically vulnerable person in the home',
    test: (t) => NO_HEAT.test(t) && VULNERABLE.test(t),
  },
  {
    id: 'no_cooling_vulnerable',
    reason: 'no cooling with an elderly or medically vulnerable person in the home',
    test: (t) => NO_COOL.test(t) && VULNERABLE.test(t),
  },
];

const URGENT_FLOOR = /\b(toothache|tooth ?ache|tooth (is )?(killing|throbbing|hurting|broke|cracked|chipped)|(broke|broken|cracked|chipped) (a |my |his |her )?(tooth|molar|crown|filling)|(tooth|teeth|molar|crown|filling|veneer|bridge|implant)s? (\w+ ){0,2}(broke|broken|cracked|chipped|split|snapped|crumbled)|(piece|part|chunk|corner|bit) of (a |my |his |her |the |an old )?(tooth|molar|filling|crown|veneer)|(crown|filling|temporary) (fell|came|popped) (out|off)|(lost|lose) (a |my )?(filling|crown)|dental pain|blisters?|blistering|oozing|drooping|droopy|served (with )?(divorce |eviction |court )?(papers|summons|a lawsuit)|notice to (vacate|quit)|eviction notice|deadline (to|is)|due in court|restraining order|protective order|no heat|no (ac|air|a\/c|cooling)|not (cooling|heating)|no hot water|(ac|furnace|heater|heat) (is )?(out|dead|died|quit|not working|isn'?t working|stopped)|leak\w*|overflow\w*|clogged toilet|toilet (is )?(clogged|overflowing)|no power|power (is )?out|breaker keeps)\b/;
/**
 * A new reaction after a cosmetic treatment (a lump, blisters, swelling, a droop): a nurse or injector should
 * see it soon, so it is at least urgent. Vascular signs, anaphylaxis and vision changes are emergency rules above.
 * The treatment must be one they had ("after my filler", "laser yesterday"), not one they ask about.
 */
const REACTION = /\b(bumps?|bumpy|lumps?|lumpy|nodules?|knots?|blisters?|blistered|blistering|welts?|swelling|swollen|rash|pus|infected|infection|oozing|weeping|crust\w*|burns?|burned|burnt|burning|droop\w*|eyelid (is )?(heavy|dropped|drooping))\b/;
const HAD_TREATMENT = new RegExp(
  `\\b((after|from|since|following|where) (my |the |her |his |a |an |last |this |yesterday'?s |today'?s |that )*(\\w+ ){0,2}(${TREATMENTS})\\b` +
    `|(${TREATMENTS}) (\\w+ ){0,3}(yesterday|today|this (morning|afternoon|week)|last (night|week)|\\w+ (days?|hours?|weeks?) ago|on (mon|tues|wednes|thurs|fri|satur|sun)day)` +
    `|(had|got|did) (my |a |an |the |some )?(\\w+ ){0,2}(${TREATMENTS}))`,
);
/** A reaction after a cosmetic treatment they had (negation-aware: "no swelling" does not count). */
export function treatmentReaction(text: string): boolean {
  const t = normalizeText(text);
  return HAD_TREATMENT.test(t) && firstUnnegated(t, REACTION);
}

/** "not an emergency", "urgent but not dangerous": the writer says it is not an emergency (emergency rules still win). */
export const NOT_EMERGENCY = /\b(not an emergency|not emergency|no emergency|isn'?t an emergency|not a emergency|non[- ]emergency|not (an )?urgent|not dangerous|not life threatening|nothing dangerous|no danger|not a big deal|nothing serious|no rush|no hurry|whenever)\b/;

/** "leaking a little", "a small puddle", "drooping slightly": the writer plays the problem down. */
const HEDGE = /\b(a (little|bit|tad)|little bit|slightly|a small (puddle|leak|drip|bump|spot|amount)|tiny|slow(ly)? (leak|drip)\w*|leaking slowly|minor|mild(ly)?|doesn'?t hurt( much)?|no pain)\b/;

/** Someone running late for an appointment: a reschedule, however it is phrased. */
const LATE = /\b((running|run|be|being|am|i'?m|we'?re|gonna be|going to be|will be|'ll be|might be|bit|little|minutes?|mins?|min) (a )?(bit |little |few |couple )?(minutes? |mins? )?(late|behind)|stuck in traffic|late (for|to) (my|our|the|his|her|today'?s) |on (my|our) way but|be there (in|by) \d+)/;
/** Instructions addressed to the system rather than to the business: spam, never an action. */
const INJECTION = /\b(ignore (all |any |your |the )?(previous |prior |above |earlier )?(rules|instructions|prompts?|guidelines)|disregard (your |all |the |any )?(previous |prior |above )?(rules|instructions|prompts?)|forget (your|all|the) (previous )?(rules|instructions)|system prompt|^\s*system:|admin mode|developer mode|new instructions|you are now|jailbreak|as an ai|classify (all|this|every)|mark (this|it) as|text (every|all) (contact|customer)|(every|all) (contact|customer)s? in (the|your) (database|crm|list)|reveal (your|the) (prompt|instructions))/;

// "Not an emergency" alone is no reason to wait: "not an emergency but the furnace won't start" is still urgent.
const NOT_URGENT = /\b(no rush|not urgent|whenever|no hurry|nothing urgent|next (month|season|spring|fall|year))\b/;

/** Emergency rules that fire for this text (empty when none). */
export function emergencyRules(text: string): RuleHit[] {
  const t = normalizeText(text);
  return RULES.filter((r) => r.test(t)).map(({ id, reason }) => ({ id, reason }));
}

/** The writer says it is not an emergency ("urgent but not an emergency", "nothing dangerous"). */
export function saysNotEmergency(text: string): boolean {
  const t = normalizeText(text);
  return NOT_EMERGENCY.test(t) || HEDGE.test(t);
}

/** Running late for an appointment ("running 10 min behind for my 2pm"). */
export function runningLate(text: string): boolean {
  return LATE.test(normalizeText(text));
}

/** Reads as instructions to the system (prompt injection) rather than a customer's message. */
export function looksLikeInjection(text: string): boolean {
  return INJECTION.test(normalizeText(text));
}

/** True when the text describes a broken essential (no heat, leak…) without saying it can wait. */
export function urgentFloor(text: string): boolean {
  const t = normalizeText(text);
  return (firstUnnegated(t, URGENT_FLOOR) || treatmentReaction(t)) && !NOT_URGENT.test(t);
}
