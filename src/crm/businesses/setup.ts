import { sql } from 'kysely';
import type { AppContext, Scope } from '../../context.ts';
import { loadBusiness } from './businesses.ts';

/**
 * The first-run checklist Today shows a new business until it is done: what
 * Kinetic needs before it can answer, route and book by itself. Each step is
 * read from the record (never ticked by hand), so it is done when the thing is.
 */
export interface SetupStep {
  key: 'hours' | 'services' | 'team' | 'on_call' | 'number' | 'test_send' | 'booking' | 'playbooks';
  title: string;
  done: boolean;
  /** Where in the dashboard to do it. */
  where: string;
  detail: string;
}

export async function setupChecklist(ctx: AppContext, scope: Scope): Promise<{ done: number; total: number; steps: SetupStep[] }> {
  const db = ctx.db.kysely;
  const biz = scope.businessId;
  const business = await loadBusiness(db, biz);
  const count = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
  const [people, reachable, numbers, tests, enabled] = await Promise.all([
    count(db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('business_id', '=', biz).where('disabled_at', 'is', null).executeTakeFirst()),
    count(db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('business_id', '=', biz).where('disabled_at', 'is', null).where('phone', 'is not', null).executeTakeFirst()),
    count(db.selectFrom('business_numbers').select(sql<number>`count(*)`.as('n')).where('business_id', '=', biz).executeTakeFirst()),
    count(db.selectFrom('outbox').select(sql<number>`count(*)`.as('n')).where('business_id', '=', biz).where('is_test', '=', 1).executeTakeFirst()),
    count(db.selectFrom('automations').select(sql<number>`count(*)`.as('n')).where('business_id', '=', biz).where('status', '=', 'enabled').executeTakeFirst()),
  ]);
  const openDays = Object.values(business.businessHours).filter((d) => d.length > 0).length;
  const bookable = business.services.filter((s) => s.bookableOnline !== false).length;
  const steps: SetupStep[] = [
    { key: 'hours', title: 'Business hours', done: openDays > 0, where: '/settings', detail: openDays ? `open ${openDays} day${openDays === 1 ? '' : 's'} a week` : 'no open hours: every call is after hours' },
    { key: 'services', title: 'Services with durations and prices', done: business.services.length > 0, where: '/settings', detail: business.services.length ? `${business.services.length} service${business.services.length === 1 ? '' : 's'}` : 'add what you sell, so leads can book it and the leak calculator has a ticket' },
    { key: 'team', title: 'Your team, with mobile numbers', done: people > 1 && reachable > 0, where: '/settings', detail: `${people} user${people === 1 ? '' : 's'}, ${reachable} with a mobile number` },
    { key: 'on_call', title: 'Who is on call', done: business.onCall.rotation.length > 0, where: '/settings', detail: business.onCall.rotation.length ? `${business.onCall.rotation.length} in the rotation` : 'emergencies page nobody until someone is on call' },
    { key: 'number', title: 'A texting number', done: numbers > 0, where: '/settings', detail: numbers ? `${numbers} number${numbers === 1 ? '' : 's'}` : 'add the number customers text and call' },
    { key: 'test_send', title: 'A test message', done: tests > 0, where: '/settings', detail: tests ? 'sent' : 'send yourself a test text or email' },
    { key: 'booking', title: 'The booking page', done: bookable > 0, where: '/settings', detail: bookable ? `${bookable} service${bookable === 1 ? '' : 's'} bookable online` : 'no service can be booked online yet' },
    { key: 'playbooks', title: 'Playbooks turned on', done: enabled > 0, where: '/automations', detail: enabled ? `${enabled} automation${enabled === 1 ? '' : 's'} on` : 'turn on speed to lead and missed-call text-back to start' },
  ];
  return { done: steps.filter((s) => s.done).length, total: steps.length, steps };
}
