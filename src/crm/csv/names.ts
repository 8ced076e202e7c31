/**
 * Whether two rows name clearly different people. Used when a row matches a
 * stored contact on a phone number alone: households, offices and front desks
 * share lines, so "Jose Lopez" on Maria Lopez's landline is a second person,
 * while "M. Lopez", "maria lopez" or a row with no name is the same one.
 */
export interface PersonName {
  firstName?: string | null;
  lastName?: string | null;
  /** A full name ("Maria Lopez"), used when first/last are not given. */
  name?: string | null;
}

const fold = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function parts(n: PersonName): { first: string; last: string } {
  let first = fold(n.firstName ?? '');
  let last = fold(n.lastName ?? '');
  if (!first && !last && n.name) {
    const words = fold(n.name).split(' ').filter(Boolean);
    first = words[0] ?? '';
    last = words.slice(1).join(' ');
  }
  return { first, last };
}

/** "j" and "john", "chris" and "christopher": one may be an initial or a short form of the other. */
function compatibleFirst(a: string, b: string): boolean {
  if (!a || !b || a === b) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length === 1 ? long.startsWith(short) : short.length >= 3 && long.startsWith(short);
}

/** "lopez" and "lopez garcia", "reyes-smith" and "reyes": one surname inside the other. */
function compatibleLast(a: string, b: string): boolean {
  if (!a || !b || a === b) return true;
  const wa = a.split(/[\s-]+/);
  const wb = b.split(/[\s-]+/);
  return wa.some((w) => wb.includes(w)) || (a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b));
}

/**
 * True when the two names cannot be the same person's: the first names are
 * both given and incompatible, or the surnames are. A part only one side
 * gives proves nothing ("Maria" and "Garcia" may be Maria Garcia).
 */
export function namesClearlyDiffer(a: PersonName, b: PersonName): boolean {
  const x = parts(a);
  const y = parts(b);
  return (x.first !== '' && y.first !== '' && !compatibleFirst(x.first, y.first)) || (x.last !== '' && y.last !== '' && !compatibleLast(x.last, y.last));
}
