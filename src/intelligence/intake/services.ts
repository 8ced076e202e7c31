/**
 * Service type from keywords: the built-in HVAC/plumbing/electrical
 * vocabulary plus the business's own services (matched by the words of their
 * names), most specific first.
 */
import { normalizeText } from './features.ts';
import { SERVICE_VOCABULARY } from './labels.ts';

/** More specific services win when several match ("water heater leaking" is a water heater job). */
const PRIORITY = [
  'gas_line', 'water_heater', 'sewer_line', 'toilet_repair', 'ev_charger', 'generator', 'panel_upgrade', 'thermostat_install',
  'duct_cleaning', 'tune_up', 'installation', 'furnace_repair', 'ac_repair', 'drain_cleaning', 'leak_repair', 'lighting', 'electrical_repair',
];
const ORDERED = [...SERVICE_VOCABULARY].sort((a, b) => PRIORITY.indexOf(a.key) - PRIORITY.indexOf(b.key));

export interface BusinessService {
  key: string;
  name: string;
}

const STOP = new Set(['and', 'the', 'for', 'with', 'service', 'services', 'repair', 'of', 'a', 'an', 'or', 'new', 'install', 'installation']);

function nameWords(name: string): string[] {
  return normalizeText(name.replace(/\([^)]*\)/g, ' '))
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 2 && !STOP.has(w));
}

export interface ServiceMatch {
  key: string;
  matches: string[];
}

/** Every service whose keywords appear, best first. */
export function matchServices(text: string, businessServices: readonly BusinessService[] = []): ServiceMatch[] {
  const t = normalizeText(text);
  const out: ServiceMatch[] = [];
  const tokens = new Set(t.split(/[^a-z0-9]+/));
  for (const s of businessServices) {
    const ws = nameWords(s.name);
    if (ws.length && ws.every((w) => tokens.has(w))) out.push({ key: s.key, matches: ws });
  }
  for (const v of ORDERED) {
    const hits = v.patterns.flatMap((p) => t.match(new RegExp(p.source, 'g')) ?? []);
    if (hits.length && !out.some((o) => o.key === v.key)) out.push({ key: v.key, matches: hits });
  }
  return out;
}
