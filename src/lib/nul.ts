/** PostgreSQL cannot store NUL in text columns: input holding one is refused early, on every path (API, CSV, CLI). */
// Deep enough for any body the domain accepts; deeper values are left to the domain's schemas.
const MAX_DEPTH = 32;

/** Dotted path of the first string (or key) holding a NUL character, or null when there is none. */
export function findNulCharacter(value: unknown, path: string[] = [], depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return [...path, key.replace(/\u0000/g, '\\u0000')].join('.');
    const hit = findNulCharacter(inner, [...path, key], depth + 1);
    if (hit !== null) return hit;
  }
  return null;
}

