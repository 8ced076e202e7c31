/**
 * The commercial accounts of the demo business: property managers,
 * restaurants, a school district, small offices, a church. Fixed facts; which
 * contacts work where is drawn in companies.ts.
 */
export interface AccountTemplate {
  name: string;
  industry: string;
  /** Domain label before ".example" (a reserved TLD: no demo email can reach a real company). */
  domain: string;
  city: string;
  /** Street names of commercial strips in that city (house numbers are drawn). */
  streets: readonly string[];
  /** The ZIP codes those streets run through; default: any of the city's. */
  zips?: readonly string[];
  /** Titles of the people who call for it, most senior first (at least as many as `contacts` allows). */
  titles: readonly string[];
  contacts: readonly [min: number, max: number];
  /** Rooftop units, split systems, walk-in coolers: how much equipment there is to look after. */
  hvacUnits: readonly [min: number, max: number];
  /** A prospect: only leads so far (quotes asked for, nothing booked yet). */
  prospect?: boolean;
}

// Austin's commercial corridors and the ZIP codes along them, so a street and its postal code agree.
const AUSTIN_NORTH = { streets: ['Burnet Rd', 'N Lamar Blvd', 'Research Blvd', 'Anderson Mill Rd', 'W Parmer Ln'], zips: ['78727', '78729', '78750', '78757', '78759'] } as const;
const AUSTIN_SOUTH = { streets: ['S Lamar Blvd', 'W William Cannon Dr', 'W Slaughter Ln', 'Brodie Ln', 'Manchaca Rd'], zips: ['78704', '78745', '78748', '78749'] } as const;
const AUSTIN_EAST = { streets: ['E 7th St', 'E Cesar Chavez St', 'Airport Blvd', 'Manor Rd'], zips: ['78702', '78721', '78723'] } as const;

export const ACCOUNTS: readonly AccountTemplate[] = [
  { name: 'Live Oak Property Management', industry: 'property_management', domain: 'liveoakpm', city: 'Austin', ...AUSTIN_NORTH, titles: ['Property Manager', 'Maintenance Supervisor', 'Leasing Office Manager', 'Assistant Property Manager', 'Regional Manager'], contacts: [4, 5], hvacUnits: [120, 260] },
  { name: 'Balcones Residential Partners', industry: 'property_management', domain: 'balconesresidential', city: 'Austin', ...AUSTIN_SOUTH, titles: ['Portfolio Manager', 'Maintenance Coordinator', 'Office Manager', 'Owner', 'Leasing Manager'], contacts: [3, 5], hvacUnits: [60, 140] },
  { name: 'Cedar Ridge Apartments', industry: 'property_management', domain: 'cedarridgeapts', city: 'Cedar Park', streets: ['E Whitestone Blvd', 'Cypress Creek Rd', 'Bell Blvd'], titles: ['Community Manager', 'Maintenance Supervisor', 'Leasing Consultant', 'Assistant Community Manager'], contacts: [3, 4], hvacUnits: [180, 240] },
  { name: 'Pecan Street Smokehouse', industry: 'restaurant', domain: 'pecanstreetsmokehouse', city: 'Pflugerville', streets: ['W Pecan St', 'FM 685', 'E Pflugerville Pkwy'], titles: ['Owner', 'General Manager', 'Kitchen Manager'], contacts: [2, 3], hvacUnits: [3, 5] },
  { name: 'Casa Azul Taqueria', industry: 'restaurant', domain: 'casaazultaqueria', city: 'Austin', ...AUSTIN_EAST, titles: ['Owner', 'General Manager'], contacts: [2, 2], hvacUnits: [2, 4] },
  { name: 'Bluebonnet Diner', industry: 'restaurant', domain: 'bluebonnetdiner', city: 'Round Rock', streets: ['Palm Valley Blvd', 'Sam Bass Rd', 'N Mays St'], titles: ['Owner', 'Kitchen Manager', 'Front of House Manager'], contacts: [2, 3], hvacUnits: [2, 4] },
  { name: 'Lakeway Brewing Co.', industry: 'restaurant', domain: 'lakewaybrewing', city: 'Lakeway', streets: ['Lohmans Crossing', 'RR 620 S', 'Lakeway Dr'], titles: ['Co-owner', 'Taproom Manager', 'Head Brewer'], contacts: [2, 3], hvacUnits: [4, 7] },
  { name: 'Brushy Creek Independent School District', industry: 'education', domain: 'brushycreekisd', city: 'Round Rock', streets: ['University Blvd', 'Red Bud Ln', 'Gattis School Rd'], titles: ['Director of Facilities', 'Maintenance Coordinator', 'Campus Operations Manager', 'Energy Manager', 'Purchasing Agent'], contacts: [4, 5], hvacUnits: [300, 420] },
  { name: 'Riverside Family Dental', industry: 'dental_office', domain: 'riversidefamilydental', city: 'Austin', ...AUSTIN_SOUTH, titles: ['Practice Administrator', 'Owner, DDS', 'Office Manager'], contacts: [2, 3], hvacUnits: [2, 3] },
  { name: 'Hartley & Greene Law Office', industry: 'law_office', domain: 'hartleygreene', city: 'Austin', ...AUSTIN_NORTH, titles: ['Office Manager', 'Managing Partner'], contacts: [2, 2], hvacUnits: [2, 3] },
  { name: 'Mueller Pediatrics', industry: 'medical_clinic', domain: 'muellerpediatrics', city: 'Austin', ...AUSTIN_EAST, titles: ['Practice Manager', 'Medical Director', 'Office Manager'], contacts: [2, 3], hvacUnits: [3, 5] },
  { name: 'Capital City Insurance Agency', industry: 'insurance_office', domain: 'capitalcityinsurance', city: 'Austin', ...AUSTIN_NORTH, titles: ['Agency Owner', 'Office Manager'], contacts: [2, 2], hvacUnits: [1, 2] },
  { name: 'Hill Country Veterinary Clinic', industry: 'veterinary_clinic', domain: 'hillcountryvet', city: 'Leander', streets: ['Crystal Falls Pkwy', 'Hero Way', 'S Bagdad Rd'], titles: ['Hospital Administrator', 'Owner, DVM', 'Office Manager'], contacts: [2, 3], hvacUnits: [3, 4] },
  { name: 'Summit CPA Group', industry: 'accounting_office', domain: 'summitcpagroup', city: 'Georgetown', streets: ['Williams Dr', 'S Austin Ave', 'Leander Rd'], titles: ['Office Manager', 'Partner'], contacts: [2, 2], hvacUnits: [1, 2] },
  { name: 'Grace Fellowship Church', industry: 'church', domain: 'gracefellowshipgtx', city: 'Georgetown', streets: ['Williams Dr', 'Shell Rd', 'D B Wood Rd'], titles: ['Facilities Manager', 'Business Administrator', 'Senior Pastor', 'Building Committee Chair'], contacts: [3, 4], hvacUnits: [6, 10] },
  { name: 'Little Sprouts Early Learning Center', industry: 'childcare', domain: 'littlesproutskyle', city: 'Kyle', streets: ['Kyle Pkwy', 'Center St', 'Marketplace Ave'], titles: ['Center Director', 'Owner', 'Assistant Director'], contacts: [2, 3], hvacUnits: [3, 5] },
  { name: 'IronWorks Fitness', industry: 'fitness_center', domain: 'ironworksfitness', city: 'Leander', streets: ['Crystal Falls Pkwy', 'US 183', 'Hero Way'], titles: ['Owner', 'General Manager', 'Operations Manager'], contacts: [2, 3], hvacUnits: [4, 6], prospect: true },
  { name: 'Lone Star Self Storage', industry: 'self_storage', domain: 'lonestarstorage', city: 'Buda', streets: ['Main St', 'FM 967', 'Old Black Colony Rd'], titles: ['Facility Manager', 'Owner'], contacts: [2, 2], hvacUnits: [4, 8] },
  { name: 'Bluebonnet Senior Living', industry: 'senior_living', domain: 'bluebonnetseniorliving', city: 'Pflugerville', streets: ['W Pecan St', 'Kelly Ln', 'Heatherwilde Blvd'], titles: ['Executive Director', 'Maintenance Director', 'Business Office Manager'], contacts: [2, 3], hvacUnits: [40, 70], prospect: true },
  { name: 'Brodie Lane Auto Care', industry: 'auto_repair', domain: 'brodielaneauto', city: 'Austin', streets: ['Brodie Ln', 'W Slaughter Ln', 'Manchaca Rd'], zips: AUSTIN_SOUTH.zips, titles: ['Owner', 'Service Manager'], contacts: [2, 2], hvacUnits: [2, 3] },
];
