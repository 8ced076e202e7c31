import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';
import { timezones as phoneTimezones } from 'libphonenumber-geo-carrier';
import zipcodeToTimezone from 'zipcode-to-timezone';
import { domainToASCII, domainToUnicode } from 'node:url';
import { validationError } from '../../lib/errors.ts';

/** Parses any human-written phone number into E.164, or fails naming the field. */
export function normalizePhone(input: string, defaultCountry: string, field: string): string {
  const trimmed = input.trim();
  try {
    const parsed = parsePhoneNumberWithError(trimmed, { defaultCountry: defaultCountry as CountryCode, extract: false });
    if (parsed.isValid()) return parsed.number;
  } catch {
    // reported below
  }
  throw validationError([{ field, message: `"${trimmed.slice(0, 40)}" is not a valid phone number` }]);
}

/** Like normalizePhone but returns null instead of throwing (for lookups and search). */
export function tryNormalizePhone(input: string, defaultCountry: string): string | null {
  try {
    return normalizePhone(input, defaultCountry, 'phone');
  } catch {
    return null;
  }
}

// RFC 5322 atext, plus every non-ASCII character (RFC 6531 UTF8-non-ascii) that is not a space or control.
const localChar = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]$/;
const asciiLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function validLocalPart(local: string): boolean {
  if (local.length === 0 || Buffer.byteLength(local) > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  for (const ch of local) {
    if (ch === '.') continue;
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80 ? !localChar.test(ch) : /[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}]/u.test(ch)) return false;
  }
  return true;
}

/** The domain in ASCII (IDNA/punycode) when it is a valid host name with a dot, or null. */
function asciiDomain(domain: string): string | null {
  if (domain.length === 0 || domain.startsWith('.') || domain.endsWith('.')) return null;
  const ascii = domainToASCII(domain);
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => asciiLabel.test(l))) return null;
  const tld = labels[labels.length - 1];
  return /^[a-z]{2,63}$/.test(tld) || /^xn--[a-z0-9-]+$/.test(tld) ? ascii : null;
}

/**
 * An email address as people write it, normalised: trimmed, NFC, lower-case,
 * `mailto:` and "Name <…>" removed. Internationalised addresses (RFC 6531) are
 * accepted: Unicode in the local part (josé.martinez@example.com) and IDN
 * domains (info@bücher.de, kept in Unicode; checked through their punycode).
 */
export function normalizeEmail(input: string, field: string): string {
  let value = input.trim().normalize('NFC');
  const bracketed = /<([^<>]+)>\s*$/.exec(value);
  if (bracketed) value = bracketed[1].trim();
  value = value.replace(/^mailto:/i, '').toLowerCase();
  const at = value.lastIndexOf('@');
  const local = at > 0 ? value.slice(0, at) : '';
  const domain = at > 0 ? value.slice(at + 1) : '';
  const ascii = at > 0 ? asciiDomain(domain) : null;
  if (value.length > 254 || !validLocalPart(local) || ascii === null) {
    throw validationError([{ field, message: `"${input.trim().slice(0, 60)}" is not a valid email address` }]);
  }
  return `${local}@${domainToUnicode(ascii) || domain}`;
}

/** Primary IANA zone per US state / territory (DC, PR…); states split across zones use the zone most people live in. */
const usStateZones: Record<string, string> = {
  AL: 'America/Chicago', AK: 'America/Anchorage', AZ: 'America/Phoenix', AR: 'America/Chicago', CA: 'America/Los_Angeles',
  CO: 'America/Denver', CT: 'America/New_York', DE: 'America/New_York', DC: 'America/New_York', FL: 'America/New_York',
  GA: 'America/New_York', HI: 'Pacific/Honolulu', ID: 'America/Boise', IL: 'America/Chicago', IN: 'America/Indiana/Indianapolis',
  IA: 'America/Chicago', KS: 'America/Chicago', KY: 'America/New_York', LA: 'America/Chicago', ME: 'America/New_York',
  MD: 'America/New_York', MA: 'America/New_York', MI: 'America/Detroit', MN: 'America/Chicago', MS: 'America/Chicago',
  MO: 'America/Chicago', MT: 'America/Denver', NE: 'America/Chicago', NV: 'America/Los_Angeles', NH: 'America/New_York',
  NJ: 'America/New_York', NM: 'America/Denver', NY: 'America/New_York', NC: 'America/New_York', ND: 'America/Chicago',
  OH: 'America/New_York', OK: 'America/Chicago', OR: 'America/Los_Angeles', PA: 'America/New_York', RI: 'America/New_York',
  SC: 'America/New_York', SD: 'America/Chicago', TN: 'America/Chicago', TX: 'America/Chicago', UT: 'America/Denver',
  VT: 'America/New_York', VA: 'America/New_York', WA: 'America/Los_Angeles', WV: 'America/New_York', WI: 'America/Chicago',
  WY: 'America/Denver', PR: 'America/Puerto_Rico', GU: 'Pacific/Guam', VI: 'America/St_Thomas',
};

export type TimeZoneSource = 'explicit' | 'postal_code' | 'region' | 'phone' | 'business';

export interface TimeZoneHints {
  explicit?: string | null;
  postalCode?: string | null;
  region?: string | null;
  country?: string | null;
  phone?: string | null;
}

// Lookups by NANP area code (or whole number elsewhere) repeat constantly during imports.
const phoneZoneCache = new Map<string, string | null>();

async function zoneFromPhone(e164: string): Promise<string | null> {
  const key = e164.startsWith('+1') ? e164.slice(0, 5) : e164;
  if (phoneZoneCache.has(key)) return phoneZoneCache.get(key) ?? null;
  let zone: string | null = null;
  try {
    const zones = await phoneTimezones(parsePhoneNumberWithError(e164));
    // An area code spanning several zones is ambiguous: say nothing rather than guess.
    zone = zones && zones.length === 1 ? zones[0] : null;
  } catch {
    zone = null;
  }
  if (phoneZoneCache.size > 10_000) phoneZoneCache.clear();
  phoneZoneCache.set(key, zone);
  return zone;
}

/**
 * The contact's time zone, from the most specific evidence available:
 * explicit value → postal code → state → phone area code → the business's zone.
 */
export async function deriveTimeZone(hints: TimeZoneHints, businessZone: string): Promise<{ timeZone: string; source: TimeZoneSource }> {
  if (hints.explicit) return { timeZone: hints.explicit, source: 'explicit' };
  const us = !hints.country || hints.country.toUpperCase() === 'US';
  if (us && hints.postalCode) {
    const zip = hints.postalCode.trim().slice(0, 5);
    const zone = /^\d{5}$/.test(zip) ? zipcodeToTimezone.lookup(zip) : null;
    if (zone) return { timeZone: zone, source: 'postal_code' };
  }
  if (us && hints.region) {
    const zone = usStateZones[hints.region.trim().toUpperCase()];
    if (zone) return { timeZone: zone, source: 'region' };
  }
  if (hints.phone) {
    const zone = await zoneFromPhone(hints.phone);
    if (zone) return { timeZone: zone, source: 'phone' };
  }
  return { timeZone: businessZone, source: 'business' };
}
