import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { AppContext, Scope } from '../../context.ts';
import type { Executor } from '../../db/database.ts';
import type { TwilioAccount, TwilioDirectory } from '../../channels/twilio-numbers.ts';
import { AppError, validationError } from '../../lib/errors.ts';
import { isoNow } from '../../lib/clock.ts';
import { open, seal } from '../../lib/secret-box.ts';
import { recordChange } from '../shared/audit.ts';
import { parseInput } from '../shared/validate.ts';
import { registerNumbers } from './numbers.ts';

/**
 * A business's own sender settings: its Twilio Messaging Service, optionally
 * its own Twilio (sub)account, and the From name/address and Reply-To of its
 * email. A Messaging Service or an account belongs to one business. The auth
 * token is sealed with KINETIC_SECRET and never leaves the server.
 */
const TOKEN_PURPOSE = 'twilio-auth-token';

export interface BusinessChannels {
  messagingServiceSid: string | null;
  /** The business's own Twilio account (a subaccount of an agency, or its own); null: the install's account. */
  twilioAccountSid: string | null;
  twilioAuthTokenSet: boolean;
  emailFromName: string | null;
  emailFromAddress: string | null;
  emailReplyTo: string | null;
}

const none: BusinessChannels = { messagingServiceSid: null, twilioAccountSid: null, twilioAuthTokenSet: false, emailFromName: null, emailFromAddress: null, emailReplyTo: null };

export async function getChannels(trx: Executor, businessId: string): Promise<BusinessChannels> {
  const r = await trx.selectFrom('business_channels').selectAll().where('business_id', '=', businessId).executeTakeFirst();
  if (!r) return { ...none };
  return {
    messagingServiceSid: r.messaging_service_sid,
    twilioAccountSid: r.twilio_account_sid,
    twilioAuthTokenSet: Boolean(r.twilio_auth_token),
    emailFromName: r.email_from_name,
    emailFromAddress: r.email_from_address,
    emailReplyTo: r.email_reply_to,
  };
}

/**
 * The Twilio account a business texts and is called through: its own when it
 * has one, else the install's (TWILIO_ACCOUNT_SID), else null (dev outbox).
 */
export async function twilioAccountFor(trx: Executor, config: Pick<Config, 'twilio' | 'secret'>, businessId: string): Promise<(TwilioAccount & { own: boolean }) | null> {
  const r = await trx.selectFrom('business_channels').select(['twilio_account_sid', 'twilio_auth_token']).where('business_id', '=', businessId).executeTakeFirst();
  if (r?.twilio_account_sid) {
    const token = r.twilio_auth_token ? open(config.secret ?? '', TOKEN_PURPOSE, r.twilio_auth_token) : null;
    if (token) return { accountSid: r.twilio_account_sid, authToken: token, own: true };
    // Never fall back to the install's account: that would send this business's texts (and accept webhooks) as another's.
    throw new AppError('CONFIG_INVALID', `the business's own Twilio account ${r.twilio_account_sid} has an auth token that cannot be read with this server's KINETIC_SECRET (was the secret changed?): enter the token again in Settings → Channels`, { field: 'twilioAuthToken' });
  }
  return config.twilio ? { accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, own: false } : null;
}

const sid = (prefix: string, what: string) => z.string().trim().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be a ${what} (${prefix} followed by 32 hex digits)`);
const displayName = z.string().trim().min(1).max(100).refine((s) => !/[\r\n<>"]/.test(s), 'must not contain line breaks, quotes or angle brackets');

const channelsInput = z
  .object({
    messagingServiceSid: sid('MG', 'Twilio Messaging Service sid').nullable().optional(),
    twilioAccountSid: sid('AC', 'Twilio account sid').nullable().optional(),
    twilioAuthToken: z.string().trim().min(16, 'must be the account\'s auth token').max(200).optional(),
    emailFromName: displayName.nullable().optional(),
    emailFromAddress: z.email().max(254).nullable().optional(),
    emailReplyTo: z.email().max(254).nullable().optional(),
  })
  .strict();

export interface ChannelVerifier {
  directory: TwilioDirectory;
}

/**
 * Changes a business's sender settings. With an account or a Messaging Service
 * given, Twilio is asked first: the credentials must open the account, and the
 * service must be on it (its sender pool's numbers are then registered to the
 * business). A service or account another business uses is a 409.
 */
export async function updateChannels(ctx: AppContext, scope: Scope, input: unknown, verifier: ChannelVerifier | null): Promise<BusinessChannels & { poolNumbers: string[] }> {
  const data = parseInput(channelsInput, input);
  if ((data.twilioAccountSid && !data.twilioAuthToken) || (data.twilioAuthToken && !data.twilioAccountSid)) {
    throw validationError([{ field: data.twilioAccountSid ? 'twilioAuthToken' : 'twilioAccountSid', message: 'give the account sid and its auth token together' }]);
  }
  const before = await getChannels(ctx.db.kysely, scope.businessId);
  // The account the rest of this change is checked against.
  let account: TwilioAccount | null = null;
  if (data.twilioAccountSid && data.twilioAuthToken) {
    account = { accountSid: data.twilioAccountSid, authToken: data.twilioAuthToken };
    if (verifier && !(await verifier.directory.checkAccount(account))) {
      throw validationError([{ field: 'twilioAuthToken', message: 'Twilio refused this account sid and auth token' }]);
    }
  } else if (data.twilioAccountSid === null) {
    account = ctx.config.twilio ? { accountSid: ctx.config.twilio.accountSid, authToken: ctx.config.twilio.authToken } : null;
  } else {
    account = await twilioAccountFor(ctx.db.kysely, ctx.config, scope.businessId);
  }
  let poolNumbers: string[] = [];
  const service = data.messagingServiceSid;
  if (service) {
    if (verifier && account) {
      const found = await verifier.directory.findService(account, service);
      if (!found) throw validationError([{ field: 'messagingServiceSid', message: `${service} is not a Messaging Service on Twilio account ${account.accountSid}` }]);
      poolNumbers = found.numbers;
    }
  }
  return ctx.db.transaction(async (trx) => {
    const now = isoNow(ctx.clock);
    if (service) {
      const other = await trx.selectFrom('business_channels').select('business_id').where('messaging_service_sid', '=', service).where('business_id', '!=', scope.businessId).executeTakeFirst();
      if (other) throw new AppError('CONFLICT', `the Messaging Service ${service} is already registered to another business on this install`);
    }
    if (data.twilioAccountSid) {
      const other = await trx.selectFrom('business_channels').select('business_id').where('twilio_account_sid', '=', data.twilioAccountSid).where('business_id', '!=', scope.businessId).executeTakeFirst();
      if (other) throw new AppError('CONFLICT', `the Twilio account ${data.twilioAccountSid} is already registered to another business on this install`);
    }
    const set = {
      ...(data.messagingServiceSid !== undefined && { messaging_service_sid: data.messagingServiceSid }),
      ...(data.twilioAccountSid !== undefined && {
        twilio_account_sid: data.twilioAccountSid,
        twilio_auth_token: data.twilioAccountSid && data.twilioAuthToken ? seal(ctx.config.secret ?? '', TOKEN_PURPOSE, data.twilioAuthToken) : null,
      }),
      ...(data.emailFromName !== undefined && { email_from_name: data.emailFromName }),
      ...(data.emailFromAddress !== undefined && { email_from_address: data.emailFromAddress?.toLowerCase() ?? null }),
      ...(data.emailReplyTo !== undefined && { email_reply_to: data.emailReplyTo?.toLowerCase() ?? null }),
      updated_at: now,
    };
    await trx
      .insertInto('business_channels')
      .values({ business_id: scope.businessId, messaging_service_sid: null, twilio_account_sid: null, twilio_auth_token: null, email_from_name: null, email_from_address: null, email_reply_to: null, ...set })
      .onConflict((oc) => oc.column('business_id').doUpdateSet(set))
      .execute();
    if (poolNumbers.length) {
      await registerNumbers(trx, scope.businessId, poolNumbers.map((n) => ({ number: n, source: 'messaging_service', verified: true, providerSid: null })), now);
    }
    const after = await getChannels(trx, scope.businessId);
    await recordChange(trx, scope, now, { entityType: 'business', entityId: scope.businessId, action: 'update', before: { channels: before }, after: { channels: after } });
    return { ...after, poolNumbers };
  });
}

/**
 * The install's own sender (TWILIO_FROM_NUMBER / TWILIO_MESSAGING_SERVICE_SID)
 * belongs to one business like any other: the first business that exists when
 * it is configured (so a single-business install works with no setup), never
 * a second one. A business with its own Twilio account is skipped: the
 * install's number is not on that account. Safe to run at every start.
 */
export async function claimInstallDefaults(trx: Executor, config: Pick<Config, 'twilio'>, businessId: string, now: string): Promise<void> {
  if (!config.twilio) return;
  const own = await trx.selectFrom('business_channels').select(['twilio_account_sid', 'messaging_service_sid']).where('business_id', '=', businessId).executeTakeFirst();
  if (own?.twilio_account_sid) return;
  const number = config.twilio.fromNumber;
  if (number) {
    const holder = await trx.selectFrom('business_numbers').select(['business_id', 'verified']).where('number', '=', number).executeTakeFirst();
    if (!holder) {
      await trx
        .insertInto('business_numbers')
        .values({ number, business_id: businessId, source: 'install_default', verified: 1, verified_at: now, provider_sid: null, checked_at: now, check_error: null, last_inbound_at: null, created_at: now })
        .onConflict((oc) => oc.column('number').doNothing())
        .execute();
    } else if (!holder.verified) {
      // The install's configured number is on the install's account by definition.
      const holderOwn = await trx.selectFrom('business_channels').select('twilio_account_sid').where('business_id', '=', holder.business_id).executeTakeFirst();
      if (!holderOwn?.twilio_account_sid) await trx.updateTable('business_numbers').set({ verified: 1, verified_at: now, checked_at: now, check_error: null }).where('number', '=', number).execute();
    }
  }
  const service = config.twilio.messagingServiceSid;
  if (service && !own?.messaging_service_sid) {
    const taken = await trx.selectFrom('business_channels').select('business_id').where('messaging_service_sid', '=', service).executeTakeFirst();
    if (taken) return;
    if (own) await trx.updateTable('business_channels').set({ messaging_service_sid: service, updated_at: now }).where('business_id', '=', businessId).where('messaging_service_sid', 'is', null).execute();
    else {
      await trx
        .insertInto('business_channels')
        .values({ business_id: businessId, messaging_service_sid: service, twilio_account_sid: null, twilio_auth_token: null, email_from_name: null, email_from_address: null, email_reply_to: null, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
}

/** At start-up: an install upgraded with TWILIO_FROM_NUMBER set gives it to its first business, verified. */
export async function claimInstallDefaultsForFirstBusiness(ctx: AppContext): Promise<void> {
  if (!ctx.config.twilio) return;
  const first = await ctx.db.kysely.selectFrom('businesses').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  if (!first) return;
  await ctx.db.transaction((trx) => claimInstallDefaults(trx, ctx.config, first.id, isoNow(ctx.clock)));
}
