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

const NEGATION = /\b(no|not|don'?t|doesn'?t|never|without|isn'?t|wasn'?t|nothing like|no sign of)\b[^.!?]{0,18}$/;

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
    test: (t) => firstUnnegated(t, /\b(flood\w*|burst (water )?pipes?|pipes? (burst|broke|busted|exploded|split)|busted pipe|water (is )?(pouring|gushing|spraying|everywhere|coming (through|thru|out of) the (ceiling|wall|floor))|standing water|inches of water|ankle deep|sewage (is )?(backing|coming|everywhere)|raw sewage|can'?t (shut|turn) off the water|se inundo|inundacion)\b/),
  },
  {
    id: 'electrical_hazard',
    reason: 'mentions sparks, smoke, burning or a shock hazard',
    test: (t) => firstUnnegated(t, /\b(spark\w*|arcing|smok(e|ing)|burning smell|smells? (like )?(something )?burn\w*|melt(ed|ing)|scorch\w*|on fire|electrical fire|caught fire|fire in|live wires?|exposed wires?|got shocked|shocking (me|us)|hot to the touch|buzzing (loudly )?from the (panel|breaker)|chispas|humo)\b/),
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

const URGENT_FLOOR = /\b(no heat|no (ac|air|a\/c|cooling)|not (cooling|heating)|no hot water|(ac|furnace|heater|heat) (is )?(out|dead|died|quit|not working|isn'?t working|stopped)|leak\w*|overflow\w*|clogged toilet|toilet (is )?(clogged|overflowing)|no power|power (is )?out|breaker keeps)\b/;
const NOT_URGENT = /\b(no rush|not urgent|whenever|no hurry|not an emergency|nothing urgent|next (month|season|spring|fall|year))\b/;

/** Emergency rules that fire for this text (empty when none). */
export function emergencyRules(text: string): RuleHit[] {
  const t = normalizeText(text);
  return RULES.filter((r) => r.test(t)).map(({ id, reason }) => ({ id, reason }));
}

/** True when the text describes a broken essential (no heat, leak…) without saying it can wait. */
export function urgentFloor(text: string): boolean {
  const t = normalizeText(text);
  return firstUnnegated(t, URGENT_FLOOR) && !NOT_URGENT.test(t);
}
