import twilio from 'twilio';
import { RedirectingRequestClient } from './twilio-sms.ts';
import { toProviderError } from './twilio-status.ts';

/**
 * What a Twilio account owns, read through the official client: the phone
 * numbers (IncomingPhoneNumbers) and Messaging Services with their sender
 * pools. Kinetic accepts a business's number or Messaging Service only when
 * its Twilio account holds it, so no tenant can register another's.
 */
export interface TwilioAccount {
  accountSid: string;
  authToken: string;
}

export interface OwnedNumber {
  sid: string;
  phoneNumber: string;
  sms: boolean;
  voice: boolean;
}

export interface OwnedService {
  sid: string;
  friendlyName: string;
  /** The sender pool's phone numbers, E.164. */
  numbers: string[];
}

export interface TwilioDirectory {
  /** The number on this account, or null when the account does not hold it. Throws ProviderError when Twilio cannot be asked. */
  findNumber(account: TwilioAccount, phoneNumber: string): Promise<OwnedNumber | null>;
  /** The Messaging Service on this account with its pool, or null when the account has no such service. */
  findService(account: TwilioAccount, serviceSid: string): Promise<OwnedService | null>;
  /** True when the credentials open the account (a wrong token is false). */
  checkAccount(account: TwilioAccount): Promise<boolean>;
  close(): void;
}

const notFound = (err: unknown): boolean => typeof err === 'object' && err !== null && (err as { status?: number }).status === 404;

export function createTwilioDirectory(opts: { apiBaseUrl: string | null; timeoutMs?: number }): TwilioDirectory {
  const httpClient = new RedirectingRequestClient(opts.apiBaseUrl, { timeout: opts.timeoutMs ?? 15_000 });
  const clientFor = (a: TwilioAccount) => twilio(a.accountSid, a.authToken, { httpClient, accountSid: a.accountSid });
  return {
    async findNumber(account, phoneNumber) {
      try {
        const found = await clientFor(account).incomingPhoneNumbers.list({ phoneNumber, limit: 20 });
        const hit = found.find((n) => n.phoneNumber === phoneNumber);
        return hit ? { sid: hit.sid, phoneNumber: hit.phoneNumber, sms: Boolean(hit.capabilities?.sms), voice: Boolean(hit.capabilities?.voice) } : null;
      } catch (err) {
        throw toProviderError(err, 'Twilio number lookup');
      }
    },
    async findService(account, serviceSid) {
      const client = clientFor(account);
      try {
        const service = await client.messaging.v1.services(serviceSid).fetch();
        if (service.accountSid !== account.accountSid) return null;
        const pool = await client.messaging.v1.services(serviceSid).phoneNumbers.list({ limit: 400 });
        return { sid: service.sid, friendlyName: service.friendlyName, numbers: pool.map((p) => p.phoneNumber) };
      } catch (err) {
        if (notFound(err)) return null;
        throw toProviderError(err, 'Twilio Messaging Service lookup');
      }
    },
    async checkAccount(account) {
      try {
        const found = await clientFor(account).api.v2010.accounts(account.accountSid).fetch();
        return found.sid === account.accountSid && found.status !== 'closed';
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 401 || status === 403 || status === 404) return false;
        throw toProviderError(err, 'Twilio account check');
      }
    },
    close() {
      httpClient.close();
    },
  };
}
