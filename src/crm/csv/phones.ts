import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import { normalizePhone } from '../contacts/normalize.ts';

/**
 * normalizePhone for bulk imports. A full libphonenumber parse costs ~20 µs,
 * which alone would cap an import near 50k rows/s; most numbers in a local
 * business's file share a few hundred area-code+exchange prefixes.
 *
 * For plainly written North American numbers ("(310) 555-0142",
 * "+1 310.555.0142") libphonenumber's validity depends only on the first six
 * national digits (NPA-NXX): every pattern in the metadata ends in a free
 * `\d{4}` (checked exhaustively over all 800k prefixes, and re-checked by
 * test/csv/phones.test.ts against normalizePhone). So once one number with a
 * prefix has been accepted by normalizePhone, later numbers with the same
 * prefix are accepted without re-parsing. Anything else — other countries,
 * extensions, letters, invalid prefixes — always goes through normalizePhone,
 * so errors are exactly the same.
 */
const maxPrefixes = 100_000;

export class PhoneNormaliser {
  private readonly validPrefixes = new Set<string>();
  private readonly nanpDefault: boolean;

  constructor(private readonly defaultCountry: string) {
    let code = '';
    try {
      code = getCountryCallingCode(defaultCountry as CountryCode);
    } catch {
      code = '';
    }
    this.nanpDefault = code === '1';
  }

  /** The ten national digits of a plainly written NANP number, or null when the full parser must decide. */
  private plainNanp(raw: string): string | null {
    let plus = false;
    let digits = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c >= 48 && c <= 57) digits += raw[i];
      else if (c === 43 && digits === '' && !plus) plus = true; // leading +
      else if (c !== 32 && c !== 40 && c !== 41 && c !== 45 && c !== 46) return null; // space ( ) - .
    }
    if (digits.length === 11 && digits[0] === '1' && (plus || this.nanpDefault)) digits = digits.slice(1);
    else if (plus || digits.length !== 10 || !this.nanpDefault) return null;
    return digits.charCodeAt(0) >= 50 ? digits : null; // area codes start 2-9
  }

  normalise(raw: string, field: string): string {
    const trimmed = raw.trim();
    const national = trimmed.length <= 40 ? this.plainNanp(trimmed) : null;
    if (national !== null && this.validPrefixes.has(national.slice(0, 6))) return `+1${national}`;
    const e164 = normalizePhone(trimmed, this.defaultCountry, field);
    if (national !== null && e164 === `+1${national}`) {
      if (this.validPrefixes.size >= maxPrefixes) this.validPrefixes.clear(); // bounded memory, whatever the file
      this.validPrefixes.add(national.slice(0, 6));
    }
    return e164;
  }
}
