import { DateTime } from 'luxon';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import { notFound } from '../../lib/errors.ts';

/**
 * Best hour and day to reach a contact, from when they reply or reach out
 * (their local time). A contact with few replies is shrunk toward their
 * segment's pattern (lifecycle stage), and the segment toward the business's;
 * with nothing at all, business hours. Pure core, small loader.
 */
export const SEND_HOURS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19] as const;
/** Pseudo-counts: how many replies the wider pattern is worth against the contact's own. */
export const CONTACT_PRIOR_WEIGHT = 6;
export const SEGMENT_PRIOR_WEIGHT = 20;

export interface ReplyPattern {
  hours: number[]; // 24 counts
  weekdays: number[]; // 7 counts, Monday first
}

export interface BestTime {
  hour: number;
  weekday: number; // 1 = Monday
  weekdayName: string;
  replies: number;
  /** How much of the answer is the contact's own history (0–1); the rest is segment and business pattern. */
  ownWeight: number;
  basis: 'contact' | 'segment' | 'business' | 'default';
}

export const emptyPattern = (): ReplyPattern => ({ hours: new Array(24).fill(0), weekdays: new Array(7).fill(0) });

export function addReply(p: ReplyPattern, at: number, zone: string): void {
  const t = DateTime.fromMillis(at, { zone });
  p.hours[t.hour]++;
  p.weekdays[t.weekday - 1]++;
}

const total = (v: number[]) => v.reduce((a, b) => a + b, 0);
/** Shrinks counts toward a prior distribution: (counts + weight × prior share). */
function shrink(counts: number[], prior: number[], weight: number): number[] {
  const pt = total(prior) || 1;
  return counts.map((c, i) => c + (weight * prior[i]) / pt);
}

const officeHours = (): ReplyPattern => ({ hours: Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 17 ? 1 : 0.2)), weekdays: [1, 1, 1, 1, 1, 0.4, 0.2] });
const weekdayNames = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export function bestSendTime(contact: ReplyPattern, segment: ReplyPattern, business: ReplyPattern): BestTime {
  const base = officeHours();
  const biz = { hours: shrink(business.hours, base.hours, 10), weekdays: shrink(business.weekdays, base.weekdays, 10) };
  const seg = { hours: shrink(segment.hours, biz.hours, SEGMENT_PRIOR_WEIGHT), weekdays: shrink(segment.weekdays, biz.weekdays, SEGMENT_PRIOR_WEIGHT) };
  const mine = { hours: shrink(contact.hours, seg.hours, CONTACT_PRIOR_WEIGHT), weekdays: shrink(contact.weekdays, seg.weekdays, CONTACT_PRIOR_WEIGHT) };
  // Hours outside the sending window are never proposed (quiet hours still apply at send time).
  const hour = SEND_HOURS.reduce((best, h) => (mine.hours[h] > mine.hours[best] ? h : best), SEND_HOURS[0] as number);
  const weekday = mine.weekdays.reduce((best, v, i) => (v > mine.weekdays[best] ? i : best), 0) + 1;
  const replies = total(contact.hours);
  const ownWeight = replies / (replies + CONTACT_PRIOR_WEIGHT);
  const basis = replies >= CONTACT_PRIOR_WEIGHT ? 'contact' : total(segment.hours) >= 5 ? 'segment' : total(business.hours) >= 5 ? 'business' : replies > 0 ? 'contact' : 'default';
  return { hour, weekday, weekdayName: weekdayNames[weekday - 1], replies, ownWeight: Math.round(ownWeight * 100) / 100, basis };
}

/** The next moment at the best hour in the contact's zone (within the next 24 hours). */
export function nextBestMoment(now: Date, zone: string, best: BestTime): Date {
  let t = DateTime.fromJSDate(now, { zone }).set({ hour: best.hour, minute: 0, second: 0, millisecond: 0 });
  if (t.toMillis() <= now.getTime()) t = t.plus({ days: 1 });
  return t.toJSDate();
}

const REPLY_LOOKBACK_DAYS = 730;

/** Loads the reply patterns for one contact, its segment and the business, and picks the best time. */
export async function sendTimeFor(db: Executor, now: Date, scope: Scope, contactId: string): Promise<BestTime & { timeZone: string }> {
  const contact = await db
    .selectFrom('contacts')
    .innerJoin('businesses', 'businesses.id', 'contacts.business_id')
    .select(['contacts.id', 'contacts.lifecycle_stage', 'contacts.time_zone', 'businesses.time_zone as business_zone'])
    .where('contacts.business_id', '=', scope.businessId)
    .where('contacts.id', '=', contactId)
    .executeTakeFirst();
  if (!contact) throw notFound('contact', contactId);
  const since = new Date(now.getTime() - REPLY_LOOKBACK_DAYS * 86_400_000).toISOString();
  const replies = await db
    .selectFrom('interactions')
    .innerJoin('contacts', (j) => j.onRef('contacts.id', '=', 'interactions.contact_id').onRef('contacts.business_id', '=', 'interactions.business_id'))
    .select(['interactions.contact_id', 'interactions.occurred_at', 'contacts.lifecycle_stage', 'contacts.time_zone'])
    .where('interactions.business_id', '=', scope.businessId)
    .where('interactions.direction', '=', 'inbound')
    .where('interactions.channel', 'in', ['sms', 'email', 'phone'])
    .where('interactions.occurred_at', '>=', since)
    .execute();
  const own = emptyPattern();
  const segment = emptyPattern();
  const business = emptyPattern();
  for (const r of replies) {
    const at = Date.parse(r.occurred_at);
    const zone = r.time_zone ?? contact.business_zone;
    addReply(business, at, zone);
    if (r.lifecycle_stage === contact.lifecycle_stage) addReply(segment, at, zone);
    if (r.contact_id === contactId) addReply(own, at, zone);
  }
  return { ...bestSendTime(own, segment, business), timeZone: contact.time_zone ?? contact.business_zone };
}

/** GET /contacts/:id/send-time. */
export async function contactSendTime(ctx: AppContext, scope: Scope, contactId: string): Promise<{ data: BestTime & { timeZone: string; next: string } }> {
  const now = ctx.clock.now();
  const best = await sendTimeFor(ctx.db.kysely, now, scope, contactId);
  return { data: { ...best, next: nextBestMoment(now, best.timeZone, best).toISOString() } };
}
