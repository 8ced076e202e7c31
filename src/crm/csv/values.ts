import { DateTime } from 'luxon';

/**
 * Parsers for the text of one CSV cell. Each returns the value or throws a
 * CellError whose message says what was wrong, in words a person can act on.
 */
export class CellError extends Error {
  override name = 'CellError';
}

const neutralisedPrefix = /^'+[=+\-@\t\r]/;

/** A cell as imported: the formula guard neutraliseCell adds (one leading ') is removed, then whitespace trimmed. */
export function cellText(raw: string | undefined): string {
  if (raw === undefined) return '';
  return (neutralisedPrefix.test(raw) ? raw.slice(1) : raw).trim();
}

/** A list cell ("vip; furnace | 2024"): split on , ; or |. */
export function splitList(text: string): string[] {
  return text
    .split(/[,;|]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Several phones or emails in one cell (neither contains , ; or |). */
export function splitValues(text: string): string[] {
  return text
    .split(/[,;|\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Lower-case, words joined by underscores: "No Show" → "no_show". */
export const enumKey = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[\s\-/]+/g, '_');

/** Maps a cell to one of the allowed values through a synonym table; unknown values are returned as written so validation names them. */
export function synonym(text: string, table: Record<string, string>): string {
  const key = enumKey(text);
  return table[key] ?? key;
}

export const lifecycleSynonyms: Record<string, string> = {
  lead: 'lead', prospect: 'lead', new: 'lead', new_lead: 'lead', opportunity: 'lead',
  // CRM funnel stages before a sale (HubSpot's and GoHighLevel's among them) are all a lead to a service business.
  subscriber: 'lead', marketingqualifiedlead: 'lead', marketing_qualified_lead: 'lead', mql: 'lead', salesqualifiedlead: 'lead', sales_qualified_lead: 'lead', sql: 'lead',
  open: 'lead', in_progress: 'lead', attempted_to_contact: 'lead', connected: 'lead', open_deal: 'lead', contacted: 'lead', qualified: 'lead', estimate: 'lead',
  customer: 'customer', client: 'customer', active: 'customer', active_customer: 'customer', evangelist: 'customer', won: 'customer', closed_won: 'customer', member: 'customer',
  dormant: 'dormant', inactive: 'dormant', former_customer: 'dormant', past_customer: 'dormant', archived: 'dormant',
  lost: 'lost', churned: 'lost', dead: 'lost', closed_lost: 'lost', unqualified: 'lost', bad_timing: 'lost', do_not_contact: 'lost', abandoned: 'lost',
};

export const jobStatusSynonyms: Record<string, string> = {
  scheduled: 'scheduled', booked: 'scheduled', open: 'scheduled', pending: 'scheduled', confirmed: 'scheduled', dispatched: 'scheduled',
  completed: 'completed', complete: 'completed', done: 'completed', finished: 'completed', closed: 'completed', paid: 'completed', invoiced: 'completed',
  cancelled: 'cancelled', canceled: 'cancelled', cancel: 'cancelled',
  no_show: 'no_show', noshow: 'no_show', missed: 'no_show', no_showed: 'no_show',
};

export const interactionKindSynonyms: Record<string, string> = {
  call: 'call', phone: 'call', phone_call: 'call', phonecall: 'call', voice: 'call', voicemail: 'call',
  sms: 'sms', text: 'sms', text_message: 'sms', texts: 'sms', mms: 'sms',
  email: 'email', e_mail: 'email', mail: 'email',
  note: 'note', notes: 'note', comment: 'note', internal_note: 'note',
  meeting: 'meeting', appointment: 'meeting', video_call: 'meeting',
  site_visit: 'site_visit', visit: 'site_visit', onsite: 'site_visit', on_site: 'site_visit', site: 'site_visit', in_person: 'site_visit',
};

export const directionSynonyms: Record<string, string> = {
  inbound: 'inbound', in: 'inbound', incoming: 'inbound', received: 'inbound',
  outbound: 'outbound', out: 'outbound', outgoing: 'outbound', sent: 'outbound',
};

export const channelSynonyms: Record<string, string> = {
  phone: 'phone', call: 'phone', voice: 'phone',
  sms: 'sms', text: 'sms', mms: 'sms',
  email: 'email', e_mail: 'email',
  in_person: 'in_person', inperson: 'in_person', onsite: 'in_person', on_site: 'in_person',
  video: 'video', zoom: 'video',
  internal: 'internal', web: 'web', website: 'web', form: 'web', web_form: 'web',
};

const consentValues: Record<string, 'granted' | 'revoked'> = {
  yes: 'granted', y: 'granted', true: 'granted', '1': 'granted', granted: 'granted', opted_in: 'granted', opt_in: 'granted', optin: 'granted', subscribed: 'granted', x: 'granted',
  no: 'revoked', n: 'revoked', false: 'revoked', '0': 'revoked', revoked: 'revoked', opted_out: 'revoked', opt_out: 'revoked', optout: 'revoked', unsubscribed: 'revoked', stop: 'revoked', denied: 'revoked',
};

/** A consent cell: yes/no, opted in/opted out, granted/revoked, 1/0. */
export function parseConsent(text: string): 'granted' | 'revoked' {
  const value = consentValues[enumKey(text)];
  if (!value) throw new CellError(`"${text.slice(0, 40)}" is not a consent answer (use yes/no, opted in/opted out)`);
  return value;
}

const moneyPattern = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d{1,2}))?$/;

/** Money as written by people and spreadsheets ("$1,234.50", "1234.5", "USD 80") → integer cents. */
export function parseMoneyCents(text: string): number {
  const cleaned = text.replace(/^(?:USD|US\$|\$)\s*|\s*(?:USD)$/i, '').replace(/\s+/g, '');
  if (/^\(.*\)$|^-/.test(cleaned)) throw new CellError(`"${text}" is negative; amounts must be zero or more`);
  const m = moneyPattern.exec(cleaned);
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new CellError(`"${text.slice(0, 40)}" is not an amount (e.g. 1234.50 or $1,234.50)`);
  const dollars = Number((m[1] ?? '0').replace(/,/g, ''));
  const cents = Number(((m[2] ?? '') + '00').slice(0, 2));
  const total = dollars * 100 + cents;
  if (!Number.isSafeInteger(total) || total > 1_000_000_000) throw new CellError(`"${text}" is too large an amount`);
  return total;
}

/** Whole cents ("123450"). */
export function parseCents(text: string): number {
  if (!/^\d+$/.test(text.replace(/,/g, ''))) throw new CellError(`"${text.slice(0, 40)}" is not a whole number of cents`);
  return Number(text.replace(/,/g, ''));
}

/** A duration: seconds ("95", "95.4"), mm:ss ("1:35") or h:mm:ss ("1:02:03"). */
export function parseDurationSeconds(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text));
  const m = /^(?:(\d+):)?(\d{1,3}):([0-5]\d)$/.exec(text);
  if (!m) throw new CellError(`"${text.slice(0, 40)}" is not a duration (seconds, mm:ss or h:mm:ss)`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

const usFormats = ['M/d/yyyy', 'M/d/yy', 'M-d-yyyy', 'M.d.yyyy'];
const dayFirstFormats = ['d/M/yyyy', 'd/M/yy', 'd-M-yyyy', 'd.M.yyyy'];
const timeSuffixes = ['', ' H:mm', ' H:mm:ss', ' h:mm a', ' h:mma', ' h:mm:ss a', ' h a', ' ha'];
const namedFormats = ['MMM d, yyyy', 'MMM d yyyy', 'MMMM d, yyyy', 'MMMM d yyyy', 'd MMM yyyy', 'd MMMM yyyy', 'yyyy/M/d'];

function formatsFor(monthFirst: boolean): string[] {
  const dates = [...(monthFirst ? usFormats : dayFirstFormats), ...namedFormats];
  return dates.flatMap((d) => timeSuffixes.map((t) => d + t));
}
const monthFirstFormats = formatsFor(true);
const dayFirstAll = formatsFor(false);

/**
 * A date-time cell → UTC ISO-8601. ISO and SQL forms are read first; then
 * spreadsheet forms (3/14/2026 2:30 PM; day-first outside North America).
 * A time without an offset is in the business's zone; a date alone is midnight there.
 */
export function parseInstant(text: string, zone: string, monthFirst = true): string {
  if (/^\d{10}$/.test(text)) return DateTime.fromSeconds(Number(text), { zone: 'utc' }).toISO() as string;
  if (/^\d{13}$/.test(text)) return DateTime.fromMillis(Number(text), { zone: 'utc' }).toISO() as string;
  const opts = { zone, setZone: false };
  let dt = DateTime.fromISO(text, opts);
  if (!dt.isValid) dt = DateTime.fromSQL(text, opts);
  if (!dt.isValid) dt = DateTime.fromRFC2822(text, opts);
  if (!dt.isValid) {
    for (const format of monthFirst ? monthFirstFormats : dayFirstAll) {
      dt = DateTime.fromFormat(text, format, { zone, locale: 'en-US' });
      if (dt.isValid) break;
    }
  }
  if (!dt.isValid || dt.year < 1900 || dt.year > 2200) {
    throw new CellError(`"${text.slice(0, 40)}" is not a date/time (e.g. 2026-03-14T14:30:00Z, 2026-03-14 14:30 or ${monthFirst ? '3/14/2026 2:30 PM' : '14/3/2026 14:30'})`);
  }
  return dt.toUTC().toISO() as string;
}
