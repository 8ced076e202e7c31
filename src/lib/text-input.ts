/**
 * Strings that cannot be stored or sent as text: a lone UTF-16 surrogate
 * (half of a character; JSON allows "\ud800" but it is not Unicode text, and
 * PostgreSQL, SMTP and Twilio refuse or mangle it). Refused at the edge, like NUL.
 */
const MAX_DEPTH = 32;

// A high surrogate not followed by a low one, or a low one not preceded by a high one (String.prototype.isWellFormed, which the ES2022 lib types lack).
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const malformed = (s: string): boolean => loneSurrogate.test(s);

/** Dotted path of the first string (or key) that is not well-formed UTF-16, or null when there is none. */
export function findLoneSurrogate(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return malformed(value) ? path.join('.') : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (malformed(key)) return [...path, key.replace(new RegExp(loneSurrogate.source, 'g'), '\uFFFD')].join('.');
    const hit = findLoneSurrogate(inner, [...path, key], depth + 1);
    if (hit !== null) return hit;
  }
  return null;
}
