/** The demo business "Comfort Pro HVAC": deterministic generation (pure) and loading (one transaction). */
export { DEMO_LOGIN, DEMO_SLUG } from './catalog.ts';
export { DEFAULT_DEMO_SEED, generateDemo } from './generate.ts';
export { loadDemo, type DemoResult } from './load-demo.ts';
export type * from './types.ts';
export { demoDigest } from './digest.ts';
export { demoCalendar, LIVE_MONTHS } from './go-live.ts';
