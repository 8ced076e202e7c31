/** The label sets of the intake classifier's three heads. */
export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const INTENTS = ['new_service', 'quote', 'reschedule', 'cancel', 'complaint', 'billing', 'question', 'spam'] as const;
export type Intent = (typeof INTENTS)[number];

/** The verticals the product serves; labelled messages can be tagged with one (`general`: spam, injection, anything trade-neutral). */
export const VERTICALS = ['hvac', 'plumbing', 'electrical', 'dental', 'med_spa', 'law', 'general'] as const;
export type Vertical = (typeof VERTICALS)[number];

/**
 * Built-in service vocabulary for HVAC, plumbing and electrical work. A
 * business's own services (business settings) are matched on top of these.
 * Keys line up with the demo HVAC business's service keys where they overlap.
 */
export const SERVICE_VOCABULARY: ReadonlyArray<{ key: string; trade: 'hvac' | 'plumbing' | 'electrical'; patterns: RegExp[] }> = [
  { key: 'ac_repair', trade: 'hvac', patterns: [/\b(a\/?c|ac|air ?con\w*|aire acondicionado|aire|cooling|condenser|compressor|refrigerant|freon|mini ?split|heat pump|blowing (warm|hot) air|not cool\w*|no cool\w*|evaporator coil|frozen coil|frozen line)\b/] },
  { key: 'furnace_repair', trade: 'hvac', patterns: [/\b(furnace|heater (is|isn|won|not|quit)|no heat|heat (is )?(out|not|isn|won)|heating|calefacci[oó]n|pilot light|boiler|igniter|ignitor|radiators?|cold air from (the )?vents)\b/] },
  { key: 'tune_up', trade: 'hvac', patterns: [/\b(tune[- ]?ups?|maintenance (visit|plan|check)|annual (check|service|maintenance)|seasonal (check|service)|filter change|check[- ]?up|inspection of (the|my) (ac|furnace|system|hvac))\b/] },
  { key: 'installation', trade: 'hvac', patterns: [/\b(new (ac|a\/c|system|unit|furnace|hvac|heat pump)|replace (the |my |our )?(ac|unit|system|furnace|hvac)|replacement (unit|system)|system replacement|install(ing|ation)? (a |an )?(new )?(ac|unit|system|furnace|heat pump|hvac|mini ?split))\b/] },
  { key: 'duct_cleaning', trade: 'hvac', patterns: [/\b(ducts?|ductwork|duct cleaning|vents? (are )?(dusty|dirty)|air quality)\b/] },
  { key: 'thermostat_install', trade: 'hvac', patterns: [/\b(thermostat|nest|ecobee|smart stat)\b/] },
  { key: 'water_heater', trade: 'plumbing', patterns: [/\b(water heater|hot water heater|tankless|no hot water|boiler tank|calentador|agua caliente|hot water (is )?(out|gone))\b/] },
  { key: 'drain_cleaning', trade: 'plumbing', patterns: [/\b(drains?|clog\w*|backed up sink|slow drain|snake|hydro ?jet\w*|garbage disposal|disposal)\b/] },
  { key: 'leak_repair', trade: 'plumbing', patterns: [/\b(leak\w*|drip\w*|burst pipe|pipe burst|busted pipe|broken pipe|water (is )?(everywhere|pouring|spraying|coming through)|flood\w*|faucet|water line|pipes?|shut ?off valve|slab leak)\b/] },
  { key: 'sewer_line', trade: 'plumbing', patterns: [/\b(sewer|sewage|septic|main line|cleanout|raw sewage)\b/] },
  { key: 'toilet_repair', trade: 'plumbing', patterns: [/\b(toilet|commode|running toilet|wax ring|inodoro)\b/] },
  { key: 'gas_line', trade: 'plumbing', patterns: [/\b(gas line|gas leak|smell (of )?gas|smells? like gas|gas smell|natural gas|propane|gas meter|rotten eggs?|olor a gas|huele a gas)\b/] },
  { key: 'panel_upgrade', trade: 'electrical', patterns: [/\b(panel|breaker box|fuse box|service upgrade|200 ?amp|100 ?amp|main breaker|subpanel|electrical panel)\b/] },
  { key: 'ev_charger', trade: 'electrical', patterns: [/\b(ev charger|car charger|tesla|level 2 charger|wall connector|charger for (my|our) (car|ev)|electric (car|vehicle))\b/] },
  { key: 'lighting', trade: 'electrical', patterns: [/\b(light fixtures?|recessed lights?|can lights?|lighting|ceiling fan|chandelier|landscape lights?|lights (flicker\w*|keep)|flickering lights?|dimmer)\b/] },
  { key: 'generator', trade: 'electrical', patterns: [/\b(generator|generac|standby power|transfer switch)\b/] },
  { key: 'electrical_repair', trade: 'electrical', patterns: [/\b(outlets?|plugs?|gfci|wiring|wires?|sparks?|sparking|breakers? (keeps? )?(trip\w*|pop\w*)|tripp\w* breaker|power (is )?out in|half (the|my) house (has )?no power|electric\w*|switch(es)? (is|are|not|don)|burning smell from (the )?(outlet|wall|switch)|shock\w*|enchufe|electricista)\b/] },
];
export const SERVICE_KEYS: readonly string[] = SERVICE_VOCABULARY.map((s) => s.key);

export interface IntakeLabel {
  text: string;
  urgency: Urgency;
  intent: Intent;
  serviceType: string | null;
  channel?: 'sms' | 'email' | 'voicemail' | 'call' | 'web';
  vertical?: Vertical;
}
