import type { PostalAddress, Service, WeeklyHours } from '../crm/businesses/schema.ts';

/**
 * The fixed facts of the demo business "Comfort Pro HVAC" (Austin, TX) and the
 * shapes its history is drawn from. Seed 000's scenario: ~600 contacts, ~100
 * inbound inquiries a month, 71% of calls answered, 35% of answered not
 * booked, 40% of those followed up, ~$600 average ticket.
 */

export const DEMO_TIME_ZONE = 'America/Chicago';
export const DEMO_SLUG = 'comfort-pro-hvac';
export const DEMO_DOMAIN = 'comfortpro.example';

export const DEMO_LOGIN: { email: string; password: string } = { email: `owner@${DEMO_DOMAIN}`, password: 'comfortpro-demo-2024' };

/** The scenario's targets; the generator draws around them. */
export const TARGETS = {
  months: 36,
  inquiriesPerMonth: 100,
  /** Per-inquiry: share arriving as a phone call (the rest: web form or text). */
  callShare: 0.85,
  answerInHours: 0.785,
  answerAfterHours: 0.44,
  afterHoursShare: 0.22,
  bookWhenAnswered: 0.65,
  followUpWhenNotBooked: 0.4,
  followUpConverts: 0.3,
  callbackWhenMissed: 0.5,
  callbackReached: 0.6,
  callbackConverts: 0.55,
  /** Contacts by what they are today. */
  activeCustomers: 180,
  dormantCustomers: 230,
  recentLeads: 80,
  oldLeads: 110,
  /** A customer is active with a completed job in this many months. */
  dormantAfterMonths: 18,
  recentLeadMonths: 6,
} as const;

export type ServiceKey = 'ac_repair' | 'furnace_repair' | 'tune_up' | 'installation' | 'duct_cleaning' | 'emergency_service' | 'thermostat_install';

export const SERVICES: Array<Service & { key: ServiceKey }> = [
  { key: 'ac_repair', name: 'AC repair', durationMinutes: 90, avgTicketCents: 52_500 },
  { key: 'furnace_repair', name: 'Furnace repair', durationMinutes: 90, avgTicketCents: 45_000 },
  { key: 'tune_up', name: 'Maintenance tune-up', durationMinutes: 60, avgTicketCents: 14_900 },
  { key: 'installation', name: 'System installation / replacement', durationMinutes: 480, avgTicketCents: 980_000 },
  { key: 'duct_cleaning', name: 'Duct cleaning', durationMinutes: 180, avgTicketCents: 60_000 },
  // Emergencies are a phone call (the receptionist pages on-call), never an online booking.
  { key: 'emergency_service', name: 'Emergency service (no heat / no cooling)', durationMinutes: 120, avgTicketCents: 85_000, bookableOnline: false },
  { key: 'thermostat_install', name: 'Smart thermostat install', durationMinutes: 60, avgTicketCents: 39_500 },
];
export const serviceByKey = new Map(SERVICES.map((s) => [s.key, s]));

/** Tune-ups for maintenance-plan members are billed at the member price. */
export const PLAN_TUNE_UP_CENTS = 9_900;

export const BUSINESS_HOURS: WeeklyHours = {
  mon: [{ open: '08:00', close: '18:00' }],
  tue: [{ open: '08:00', close: '18:00' }],
  wed: [{ open: '08:00', close: '18:00' }],
  thu: [{ open: '08:00', close: '18:00' }],
  fri: [{ open: '08:00', close: '18:00' }],
  sat: [{ open: '09:00', close: '13:00' }],
  sun: [],
};

export const BUSINESS_ADDRESS: PostalAddress = { line1: '8120 Research Blvd, Suite 140', city: 'Austin', region: 'TX', postalCode: '78758', country: 'US' };

/**
 * Phone numbers: only NANPA's fictional 555-0100..0199 block, which
 * libphonenumber accepts as valid, so no demo text can reach a real person.
 * Austin's own area codes first; other Texas codes for people who kept
 * their old mobile number (all Central time).
 */
export const AUSTIN_AREA_CODES = ['512', '737'] as const;
export const OTHER_TEXAS_AREA_CODES = ['210', '214', '254', '281', '325', '346', '361', '409', '430', '469', '682', '713', '726', '817', '830', '832', '903', '936', '940', '956', '972', '979'] as const;
export const BUSINESS_PHONE = '+15125550100';

/** Austin-area ZIP codes and their city, with how often customers live there. */
export const ZIP_CODES: ReadonlyArray<readonly [zip: string, city: string, weight: number]> = [
  ['78704', 'Austin', 6], ['78745', 'Austin', 6], ['78748', 'Austin', 5], ['78749', 'Austin', 5], ['78759', 'Austin', 5],
  ['78750', 'Austin', 4], ['78757', 'Austin', 4], ['78731', 'Austin', 3], ['78727', 'Austin', 4], ['78729', 'Austin', 4],
  ['78723', 'Austin', 3], ['78721', 'Austin', 2], ['78702', 'Austin', 3], ['78703', 'Austin', 2], ['78705', 'Austin', 1],
  ['78664', 'Round Rock', 5], ['78681', 'Round Rock', 4], ['78613', 'Cedar Park', 5], ['78660', 'Pflugerville', 5],
  ['78626', 'Georgetown', 3], ['78641', 'Leander', 4], ['78640', 'Kyle', 3], ['78610', 'Buda', 3], ['78738', 'Lakeway', 2], ['78734', 'Lakeway', 1],
];

/** Where new contacts come from. */
export const SOURCES: ReadonlyArray<readonly [string, number]> = [
  ['google_ads', 20], ['google_lsa', 18], ['referral', 17], ['website', 14], ['facebook', 8], ['yard_sign', 5], ['nextdoor', 5], ['repeat', 5], ['direct_mail', 3],
];
export const WEB_SOURCES: ReadonlyArray<readonly [string, number]> = [['website', 6], ['google_ads', 3], ['facebook', 1]];

/** Relative inquiry volume by month (Jan..Dec): Austin summers and cold snaps drive calls. */
export const MONTHLY_VOLUME = [1.0, 0.95, 0.85, 0.9, 1.05, 1.2, 1.3, 1.3, 1.1, 0.85, 0.8, 0.95] as const;

/** What people call about, by month (Jan..Dec). Installations come from quotes, not from inquiries. */
export const SERVICE_SEASONALITY: Record<Exclude<ServiceKey, 'installation'>, readonly number[]> = {
  ac_repair: [3, 3, 8, 14, 28, 42, 48, 48, 38, 18, 6, 3],
  furnace_repair: [38, 32, 14, 4, 1, 1, 1, 1, 1, 6, 20, 34],
  tune_up: [4, 6, 20, 24, 14, 5, 4, 4, 16, 22, 12, 5],
  emergency_service: [12, 10, 4, 3, 5, 11, 13, 13, 8, 3, 5, 10],
  duct_cleaning: [6, 6, 8, 8, 7, 6, 6, 6, 6, 7, 7, 6],
  thermostat_install: [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5],
};

export const SYSTEM_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['central_ac_gas_furnace', 55], ['heat_pump', 30], ['mini_split', 8], ['package_unit', 7],
];

/** What the caller said, per service: the CSR's one-line summary. */
export const INQUIRY_SUMMARIES: Record<ServiceKey, readonly string[]> = {
  ac_repair: ['AC blowing warm air upstairs', 'Outdoor unit humming but fan not spinning', 'Water leaking from the air handler in the attic', 'AC runs constantly, house stuck at 80°', 'Ice on the refrigerant line', 'Breaker trips when the AC kicks on'],
  furnace_repair: ['Furnace clicks but will not light', 'Heat pump blowing cold air', 'Burning smell when the heat comes on', 'Furnace short-cycling every few minutes', 'Pilot light keeps going out'],
  tune_up: ['Wants a spring AC tune-up before summer', 'Asking about the fall furnace check', 'Annual maintenance visit for two systems', 'New homeowner wants the system inspected'],
  installation: ['Asking for a replacement quote on a 15-year-old system'],
  duct_cleaning: ['Dusty vents after a remodel', 'Musty smell from the vents', 'Asking for duct cleaning and a sealing quote'],
  emergency_service: ['No cooling at all, elderly parent in the house', 'No heat overnight, pipes at risk', 'System dead after a storm, house heating up fast', 'Gas smell near the furnace, shut it off'],
  thermostat_install: ['Wants a smart thermostat installed', 'Thermostat screen blank, wants an upgrade', 'Ecobee install and wiring check'],
};

export const NOT_BOOKED_REASONS = ['wants to check with spouse', 'comparing quotes', 'price shopping', 'will call back after payday', 'asked for a callback next week', 'landlord has to approve'] as const;

export const FOLLOW_UP_TEXTS = [
  'Hi {first}, this is {agent} at Comfort Pro HVAC following up on your {service} call. Want us to get you on the schedule this week?',
  'Hi {first}! Still having trouble with the {service}? We have openings tomorrow morning. Reply YES and we will book it.',
] as const;

export const NOTE_TEMPLATES = [
  'Gate code {code}#', 'Two large dogs in the back yard, call before arriving', 'Attic unit: bring the extension ladder', 'Prefers texts over calls',
  'System is {age} years old on R-22, good replacement candidate', 'Asked about financing options', 'Rental property: tenant must be present', 'Warranty registered with the manufacturer',
  'Filter size 20x25x1, keep two in the truck', 'Customer works nights, no appointments before 11am',
] as const;

export const REVIEW_BODIES: Record<number, readonly string[]> = {
  5: ['{tech} was on time, explained everything and had us cooling again in an hour.', 'Great service from {tech}. Fair price and no upsell.', 'Called in the morning, fixed by lunch. Highly recommend Comfort Pro.', '{tech} was polite, fast and left the attic cleaner than they found it.'],
  4: ['Good work by {tech}, a bit pricier than I expected.', 'Fixed the issue, arrival window was a little long.', 'Solid service, would use again.'],
  3: ['The fix worked but scheduling took two days.', 'OK experience, had to call twice to get an update.'],
  2: ['Technician was nice but the problem came back a week later.'],
  1: ['Missed the appointment window and nobody called.', 'Charged for a diagnostic and still not fixed.'],
};

export const DEAL_WON_REASONS = ['Signed: 16 SEER2 heat pump, financing approved', 'Signed: 3-ton AC and 80% furnace replacement', 'Accepted quote after a second opinion', 'Signed with the 10-year labor warranty', 'Chose the mid-tier system'] as const;
export const DEAL_LOST_REASONS = ['Went with a lower bid', 'Decided to repair instead of replace', 'Price too high', 'No response after quote', 'Financing not approved', 'Selling the house'] as const;

export const TASK_TEMPLATES = {
  callbackLead: 'Call back {name} about {service}',
  quoteFollowUp: 'Follow up on the replacement quote for {name}',
  sendQuote: 'Send the written replacement quote to {name}',
  partsOrder: 'Order parts for {name}: {service}',
  warrantyCheck: 'Register the equipment warranty for {name}',
} as const;
