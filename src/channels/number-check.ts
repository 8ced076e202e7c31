import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import type { Executor } from '../db/database.ts';
import { twilioAccountFor } from '../crm/businesses/channels.ts';
import { verifyPendingNumbers, type NumberCheck } from '../crm/businesses/numbers.ts';
import { twilioApiBase } from './registry.ts';
import { createTwilioDirectory, type TwilioDirectory } from './twilio-numbers.ts';

/**
 * How a business's numbers are checked: against its Twilio account (its own,
 * else the install's) when there is one, else not at all (dev outbox: any
 * number is accepted, unverified). One directory client per process.
 */
let shared: { base: string | null; directory: TwilioDirectory } | null = null;

export function twilioDirectory(config: Pick<Config, 'twilio' | 'twilioApiBaseUrl'>): TwilioDirectory {
  const base = twilioApiBase(config);
  if (!shared || shared.base !== base) {
    shared?.directory.close();
    shared = { base, directory: createTwilioDirectory({ apiBaseUrl: base, timeoutMs: 10_000 }) };
  }
  return shared.directory;
}

export async function numberCheckFor(trx: Executor, config: Pick<Config, 'twilio' | 'twilioApiBaseUrl' | 'secret'>, businessId: string): Promise<NumberCheck | null> {
  const account = await twilioAccountFor(trx, config, businessId);
  return account ? { account, directory: twilioDirectory(config) } : null;
}

/**
 * The worker's pass: every business's unverified numbers not checked in the
 * last hour are looked up on its Twilio account (numbers added through the
 * business's profile, and installs upgraded from before verification).
 */
export async function verifyAllPendingNumbers(ctx: AppContext): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - 3_600_000).toISOString();
  const due = await ctx.db.kysely
    .selectFrom('business_numbers')
    .select('business_id')
    .distinct()
    .where('verified', '=', 0)
    .where((eb) => eb.or([eb('checked_at', 'is', null), eb('checked_at', '<', cutoff)]))
    .execute();
  let verified = 0;
  for (const { business_id } of due) {
    let check: NumberCheck | null;
    try {
      check = await numberCheckFor(ctx.db.kysely, ctx.config, business_id);
    } catch (err) {
      // One business's unusable account (an unreadable token) must not stop the others' checks.
      ctx.log.warn({ businessId: business_id, err: err instanceof Error ? err.message : String(err) }, 'numbers not checked');
      continue;
    }
    if (check) verified += await verifyPendingNumbers(ctx, business_id, check);
  }
  return verified;
}
