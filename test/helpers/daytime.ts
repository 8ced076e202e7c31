/**
 * Tests that run on the real clock and really send texts must not depend on
 * the hour CI happens to run at: quiet hours (8:00–21:00 in the recipient's
 * zone) hold every text outside them. This picks a fixed-offset zone where it
 * is about midday now, so the whole test runs inside the sending window.
 */
export function middayTimeZone(now: Date = new Date()): string {
  let offset = 12 - now.getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  // IANA's Etc/GMT zones are named with the sign inverted: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
