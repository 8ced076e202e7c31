import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { TwilioAccount, TwilioDirectory } from '../../channels/twilio-numbers.ts';
import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { recordChange } from '../shared/audit.ts';
import { parseJson } from '../shared/fields.ts';
import { parseInput } from '../shared/validate.ts';
import type { Business } from './schema.ts';

/**
 * The phone numbers a business receives texts and calls on and sends from.
 * A number belongs to at most one business (the primary key of
 * business_numbers): a second claim is a 409 that does not say who has it.
 * With Twilio, a number is *verified* once found on the business's Twilio
 * account; only verified numbers send. In the dev outbox any number is
 * accepted, unverified.
 */
export type NumberSource = 'profile' | 'api' | 'install_default' | 'messaging_service';

export interface BusinessNumber {
  number: string;
  source: NumberSource;
  verified: boolean;
  verifiedAt: string | null;
  providerSid: string | null;
  checkedAt: string | null;
  checkError: string | null;
  createdAt: string;
  lastInboundAt: string | null;
  lastOutbound: { at: string; state: string } | null;
}

const claimedElsewhere = (number: string) =>
  new AppError('CONFLICT', `the number ${number} is already registered to another business on this install`, { field: 'number', number });

/**
 * The numbers a business lists on its profile: its phone and any in
 * settings.phoneNumbers, in E.164 (a value that does not parse is kept as
 * written, so it still matches exactly as before).
 */
export function receivingNumbers(b: Pick<Business, 'phone' | 'settings'>): string[] {
  const extra = Array.isArray(b.settings.phoneNumbers) ? b.settings.phoneNumbers.filter((n): n is string => typeof n === 'string') : [];
  const numbers = new Set<string>();
  for (const raw of [b.phone, ...extra]) {
    const trimmed = raw?.trim();
    if (!trimmed) continue;
    const parsed = parsePhoneNumberFromString(trimmed, b.settings.defaultCountry as CountryCode);
    numbers.add(parsed?.isValid() ? parsed.number : trimmed);
  }
  return [...numbers];
}

/** A text or call arrived on one of the business's numbers (Settings → Channels shows when). */
export async function noteInbound(trx: Executor, businessId: string, number: string, at: string): Promise<void> {
  await trx.updateTable('business_numbers').set({ last_inbound_at: at }).where('number', '=', number).where('business_id', '=', businessId).execute();
}

/** The business that owns a number, if any. */
export async function ownerOfNumber(trx: Executor, number: string): Promise<{ businessId: string; verified: boolean } | null> {
  const r = await trx.selectFrom('business_numbers').select(['business_id', 'verified']).where('number', '=', number.trim()).executeTakeFirst();
  return r ? { businessId: r.business_id, verified: r.verified === 1 } : null;
}

/**
 * Registers numbers to a business. A number another business holds is a 409,
 * except that a *verified* claim (the number was found on this business's
 * Twilio account) takes a number another business only listed, unverified,
 * on its profile: typing a number nobody has proven is not ownership, so a
 * tenant cannot squat a number before its real owner registers it. One this
 * business already holds keeps its row (and becomes verified when this claim
 * is). Concurrent claims of one number: the primary key lets one win.
 * Returns the numbers taken from unverified claims.
 */
export async function registerNumbers(
  trx: Executor,
  businessId: string,
  entries: Array<{ number: string; source: NumberSource; verified: boolean; providerSid: string | null }>,
  now: string,
): Promise<string[]> {
  const taken: string[] = [];
  for (const e of entries) {
    const owner = await ownerOfNumber(trx, e.number);
    if (owner && owner.businessId !== businessId) {
      if (!e.verified || owner.verified) throw claimedElsewhere(e.number);
      await releaseNumber(trx, owner.businessId, e.number);
      taken.push(e.number);
    } else if (owner) {
      if (e.verified && !owner.verified) {
        await trx.updateTable('business_numbers').set({ verified: 1, verified_at: now, provider_sid: e.providerSid, checked_at: now, check_error: null }).where('number', '=', e.number).execute();
      }
      continue;
    }
    const inserted = await trx
      .insertInto('business_numbers')
      .values({ number: e.number, business_id: businessId, source: e.source, verified: e.verified ? 1 : 0, verified_at: e.verified ? now : null, provider_sid: e.providerSid, checked_at: e.verified ? now : null, check_error: null, last_inbound_at: null, created_at: now })
      .onConflict((oc) => oc.column('number').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0 && (await ownerOfNumber(trx, e.number))?.businessId !== businessId) throw claimedElsewhere(e.number);
  }
  return taken;
}

/** Drops a business's hold on a number (and the customers it kept on it), so another may register it. */
async function releaseNumber(trx: Executor, businessId: string, number: string): Promise<void> {
  await trx.deleteFrom('business_numbers').where('business_id', '=', businessId).where('number', '=', number).execute();
  await trx.deleteFrom('sms_senders').where('business_id', '=', businessId).where('number', '=', number).execute();
}

/**
 * Keeps the profile's numbers (phone, settings.phoneNumbers) registered. A
 * number this change adds that another business holds is a 409; one that was
 * already on the profile and has since been registered by its verified owner
 * stays on the profile as text only, so the business's other edits still save.
 */
export async function syncProfileNumbers(trx: Executor, business: Business, now: string, previous: string[] = []): Promise<void> {
  const wanted = receivingNumbers(business);
  const have = (await trx.selectFrom('business_numbers').select('number').where('business_id', '=', business.id).where('source', '=', 'profile').execute()).map((r) => r.number);
  const gone = have.filter((n) => !wanted.includes(n));
  if (gone.length) await trx.deleteFrom('business_numbers').where('business_id', '=', business.id).where('source', '=', 'profile').where('number', 'in', gone).execute();
  const entries: Array<{ number: string; source: NumberSource; verified: boolean; providerSid: string | null }> = [];
  for (const number of wanted.filter((n) => !have.includes(n))) {
    const owner = await ownerOfNumber(trx, number);
    if (owner && owner.businessId !== business.id && previous.includes(number)) continue;
    entries.push({ number, source: 'profile', verified: false, providerSid: null });
  }
  await registerNumbers(trx, business.id, entries, now);
}

const toNumber = (r: { number: string; source: string; verified: number; verified_at: string | null; provider_sid: string | null; checked_at: string | null; check_error: string | null; created_at: string; last_inbound_at: string | null }, lastOutbound: BusinessNumber['lastOutbound']): BusinessNumber => ({
  number: r.number,
  source: r.source as NumberSource,
  verified: r.verified === 1,
  verifiedAt: r.verified_at,
  providerSid: r.provider_sid,
  checkedAt: r.checked_at,
  checkError: r.check_error,
  createdAt: r.created_at,
  lastInboundAt: r.last_inbound_at,
  lastOutbound,
});

/** A business's numbers, oldest first, each with the last message received on it and the last one sent from it. */
export async function listNumbers(ctx: AppContext, scope: Scope): Promise<BusinessNumber[]> {
  const rows = await ctx.db.kysely.selectFrom('business_numbers').selectAll().where('business_id', '=', scope.businessId).orderBy('created_at').orderBy('number').execute();
  const out: BusinessNumber[] = [];
  for (const r of rows) {
    const last = await ctx.db.kysely
      .selectFrom('outbox')
      .select(['created_at', 'state'])
      .where('business_id', '=', scope.businessId)
      .where('from_address', '=', r.number)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    out.push(toNumber(r, last ? { at: last.created_at, state: last.state } : null));
  }
  return out;
}

async function defaultCountryOf(trx: Executor, businessId: string): Promise<string> {
  const r = await trx.selectFrom('businesses').select('settings').where('id', '=', businessId).executeTakeFirst();
  if (!r) throw notFound('business', businessId);
  const c = parseJson<{ defaultCountry?: unknown }>(r.settings, {}).defaultCountry;
  return typeof c === 'string' && c.length === 2 ? c.toUpperCase() : 'US';
}

/** A number as E.164, read in the business's country. */
export async function parseBusinessNumber(trx: Executor, businessId: string, raw: string, field = 'number'): Promise<string> {
  const country = await defaultCountryOf(trx, businessId);
  const parsed = parsePhoneNumberFromString(raw.trim(), country as CountryCode);
  if (!parsed?.isValid()) throw validationError([{ field, message: `"${raw.trim().slice(0, 40)}" is not a valid phone number` }]);
  return parsed.number;
}

/** How a claim is checked: the business's Twilio account and a directory to ask. Null: dev outbox, accepted unverified. */
export interface NumberCheck {
  account: TwilioAccount;
  directory: TwilioDirectory;
}

const addInput = z.object({ number: z.string().trim().min(1, 'is required').max(40) }).strict();

/** Adds a sender number. With Twilio it must be on the business's account (else 400); held by another business: 409. */
export async function addNumber(ctx: AppContext, scope: Scope, input: unknown, check: NumberCheck | null): Promise<BusinessNumber> {
  const { number: raw } = parseInput(addInput, input);
  const number = await parseBusinessNumber(ctx.db.kysely, scope.businessId, raw);
  const owner = await ownerOfNumber(ctx.db.kysely, number);
  // Held by another business: a 409 unless that hold is unverified and Twilio is about to prove this claim.
  if (owner && owner.businessId !== scope.businessId && (owner.verified || !check)) throw claimedElsewhere(number);
  let found: { sid: string } | null = null;
  if (check) {
    found = await check.directory.findNumber(check.account, number);
    if (!found) throw validationError([{ field: 'number', message: `${number} is not a phone number on Twilio account ${check.account.accountSid}` }]);
  }
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    const taken = await registerNumbers(trx, scope.businessId, [{ number, source: 'api', verified: Boolean(found), providerSid: found?.sid ?? null }], now);
    if (owner && found) await trx.updateTable('business_numbers').set({ provider_sid: found.sid }).where('number', '=', number).execute();
    await recordChange(trx, scope, now, { entityType: 'business', entityId: scope.businessId, action: 'update', before: {}, after: { numberAdded: number, verified: Boolean(found), ...(taken.length ? { takenFromUnverifiedClaim: true } : {}) } });
    const row = await trx.selectFrom('business_numbers').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
    return toNumber(row, null);
  });
}

/**
 * Removes a number from the business. The business's main phone is part of
 * its profile: change the phone first. A number from settings.phoneNumbers is
 * taken out of that list too, so it does not come back.
 */
export async function removeNumber(ctx: AppContext, scope: Scope, raw: string): Promise<{ removed: string }> {
  return ctx.db.transaction(async (trx) => {
    const number = await parseBusinessNumber(trx, scope.businessId, raw);
    const row = await trx.selectFrom('business_numbers').selectAll().where('business_id', '=', scope.businessId).where('number', '=', number).executeTakeFirst();
    if (!row) throw notFound('number', number);
    const biz = await trx.selectFrom('businesses').select(['phone', 'settings']).where('id', '=', scope.businessId).executeTakeFirstOrThrow();
    const settings = parseJson<Record<string, unknown>>(biz.settings, {});
    const asProfile = (phone: string | null, extra: unknown) => receivingNumbers({ phone, settings: { defaultCountry: 'US', currency: 'USD', ...settings, phoneNumbers: extra } as Business['settings'] });
    const profile = asProfile(biz.phone, settings.phoneNumbers);
    const mainPhone = biz.phone ? asProfile(biz.phone, [])[0] : null;
    if (mainPhone === number) throw new AppError('CONFLICT', `${number} is the business's main phone: change the business's phone first`);
    const now = isoNow(ctx.clock);
    if (profile.includes(number) && Array.isArray(settings.phoneNumbers)) {
      const country = await defaultCountryOf(trx, scope.businessId);
      const kept = (settings.phoneNumbers as unknown[]).filter((n) => typeof n !== 'string' || (parsePhoneNumberFromString(n.trim(), country as CountryCode)?.number ?? n.trim()) !== number);
      await trx.updateTable('businesses').set({ settings: JSON.stringify({ ...settings, phoneNumbers: kept }), updated_at: now }).where('id', '=', scope.businessId).execute();
    }
    await trx.deleteFrom('business_numbers').where('business_id', '=', scope.businessId).where('number', '=', number).execute();
    await trx.deleteFrom('sms_senders').where('business_id', '=', scope.businessId).where('number', '=', number).execute();
    await recordChange(trx, scope, now, { entityType: 'business', entityId: scope.businessId, action: 'update', before: { number }, after: { numberRemoved: number } });
    return { removed: number };
  });
}

/**
 * Asks Twilio about the business's unverified numbers (not asked within the
 * last `recheckMs`): found on its account → verified; not found → the reason
 * is kept for Settings. Returns how many became verified.
 */
export async function verifyPendingNumbers(ctx: AppContext, businessId: string, check: NumberCheck, opts: { recheckMs?: number } = {}): Promise<number> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - (opts.recheckMs ?? 3_600_000)).toISOString();
  const pending = await ctx.db.kysely
    .selectFrom('business_numbers')
    .select('number')
    .where('business_id', '=', businessId)
    .where('verified', '=', 0)
    .where((eb) => eb.or([eb('checked_at', 'is', null), eb('checked_at', '<', cutoff)]))
    .execute();
  let verified = 0;
  for (const { number } of pending) {
    const at = now.toISOString();
    let found: { sid: string } | null;
    try {
      found = await check.directory.findNumber(check.account, number);
    } catch (err) {
      await ctx.db.kysely.updateTable('business_numbers').set({ checked_at: at, check_error: (err instanceof Error ? err.message : String(err)).slice(0, 300) }).where('number', '=', number).where('business_id', '=', businessId).execute();
      continue;
    }
    await ctx.db.kysely
      .updateTable('business_numbers')
      .set(found ? { verified: 1, verified_at: at, provider_sid: found.sid, checked_at: at, check_error: null } : { checked_at: at, check_error: `not a number on Twilio account ${check.account.accountSid}` })
      .where('number', '=', number)
      .where('business_id', '=', businessId)
      .execute();
    if (found) verified++;
  }
  return verified;
}
