import http from 'node:http';
import twilio from 'twilio';
import type { MessageInstance, MessageListInstancePageOptions } from 'twilio/lib/rest/api/v2010/account/message.js';
import type TwilioRequestClient from 'twilio/lib/base/RequestClient.js';
import type TwilioResponseModule from 'twilio/lib/http/response.js';
import type { Config } from '../config.ts';
import { mapTwilioStatus, toProviderError } from './twilio-status.ts';
import type { LookupResult, MessageProvider, OutboundMessage, SendResult } from './types.ts';

/**
 * SMS through Twilio's Messages API, with the official twilio-node client.
 *
 * `apiBaseUrl` (TWILIO_API_BASE_URL) points every API call somewhere else —
 * the test stand-in, or a proxy. twilio-node hard-codes https://*.twilio.com
 * origins (Domain.absoluteUrl, and next_page_uri for paging), so the rewrite
 * happens in the one place every request passes: RequestClient.request.
 */
export interface TwilioSmsOptions {
  /** Per-request timeout; a send that times out is reported with maybeSent. Default 15 s. */
  timeoutMs?: number;
  /** Pages of 100 a lookup may read per query before it answers 'unknown'. Default 10. */
  lookupMaxPages?: number;
}

type RequestOptions<T> = TwilioRequestClient.RequestOptions<T>;
// The module is CommonJS with `export default class Response`: seen from ESM, the class is `.default`.
type TwilioResponse<T> = TwilioResponseModule.default<T>;

const TWILIO_ORIGIN = /^https:\/\/[a-z0-9.-]+\.twilio\.com(?=\/|$)/i;

/** twilio-node's RequestClient with every *.twilio.com origin replaced by `baseUrl`. */
export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly baseUrl: string | null;
  private readonly httpAgent: http.Agent | null;

  constructor(baseUrl: string | null, opts: { timeout: number }) {
    super({ timeout: opts.timeout, keepAlive: true });
    this.baseUrl = baseUrl ? baseUrl.replace(/\/+$/, '') : null;
    // RequestClient only sets an https agent; a plain-http base (the stand-in) gets its own so close() can free its sockets.
    this.httpAgent = this.baseUrl?.startsWith('http:') ? new http.Agent({ keepAlive: true, timeout: opts.timeout }) : null;
    if (this.httpAgent) this.axios.defaults.httpAgent = this.httpAgent;
  }

  /** The URL a twilio-node request for `uri` really goes to. */
  rewrite(uri: string): string {
    return this.baseUrl ? uri.replace(TWILIO_ORIGIN, this.baseUrl) : uri;
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    return super.request<TData>({ ...opts, uri: this.rewrite(opts.uri) });
  }

  close(): void {
    this.httpAgent?.destroy();
    (this.axios.defaults.httpsAgent as http.Agent | undefined)?.destroy?.();
  }
}

/**
 * Twilio may rewrite a body it sends: trial accounts prefix it, and smart
 * encoding swaps curly quotes and dashes for GSM-7 ones. Compare what the
 * recipient would read, not the exact bytes.
 */
export function sameSmsBody(ours: string, theirs: string | null | undefined): boolean {
  if (theirs == null) return false;
  const norm = (s: string) =>
    s
      .replace(/^Sent from your Twilio trial account - /, '')
      .normalize('NFKC')
      .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
      .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
      .replace(/[\u2013\u2014\u2212]/g, '-')
      .replace(/\u2026/g, '...')
      .replace(/\s+/g, ' ')
      .trim();
  return norm(ours) === norm(theirs);
}

/** Clock skew between us and Twilio, and the time between marking `sending` and calling create. */
const LOOKUP_SLACK_MS = 60_000;

export function createTwilioSmsProvider(cfg: NonNullable<Config['twilio']>, opts: TwilioSmsOptions = {}): MessageProvider {
  const httpClient = new RedirectingRequestClient(cfg.apiBaseUrl, { timeout: opts.timeoutMs ?? 15_000 });
  const client = twilio(cfg.accountSid, cfg.authToken, { httpClient });
  const maxPages = opts.lookupMaxPages ?? 10;

  const senderOf = (msg: OutboundMessage): { from: string } | { messagingServiceSid: string } => {
    // A business's Messaging Service is written on the outbox row as its MG… sid.
    if (msg.from && /^MG[0-9a-fA-F]{32}$/.test(msg.from)) return { messagingServiceSid: msg.from };
    const from = msg.from ?? cfg.fromNumber;
    if (from) return { from };
    if (cfg.messagingServiceSid) return { messagingServiceSid: cfg.messagingServiceSid };
    throw toProviderError(new Error('no From number or messaging service configured'), 'Twilio send');
  };

  /**
   * Reads pages of the message list until `accept` matches one. null: the list
   * ended without a match; 'exhausted': there were more pages than we may read.
   */
  async function scan(params: MessageListInstancePageOptions, accept: (m: MessageInstance) => boolean): Promise<MessageInstance | null | 'exhausted'> {
    // Typed as the base Page: nextPage() returns one, and only instances/nextPageUrl are used.
    let page: { instances: MessageInstance[]; nextPageUrl?: string; nextPage(): Promise<typeof page> | undefined } =
      await client.messages.page({ ...params, pageSize: 100 });
    for (let read = 1; ; read++) {
      const hit = page.instances.find(accept);
      if (hit) return hit;
      if (!page.nextPageUrl) return null;
      if (read >= maxPages) return 'exhausted';
      const next = page.nextPage();
      if (!next) return null;
      page = await next;
    }
  }

  return {
    name: 'twilio',
    channel: 'sms',

    async send(msg: OutboundMessage): Promise<SendResult> {
      try {
        const created = await client.messages.create({
          to: msg.to,
          body: msg.body,
          ...senderOf(msg),
          ...(msg.statusCallbackUrl ? { statusCallback: msg.statusCallbackUrl } : {}),
        });
        return { providerMessageId: created.sid, status: mapTwilioStatus(created.status) };
      } catch (err) {
        throw toProviderError(err, 'Twilio send');
      }
    },

    /**
     * Did an interrupted send reach Twilio? Twilio has no idempotency key, so we
     * look for an outbound message to the same number, created since the attempt
     * began (less a minute of slack), with the same text, whose sid no other
     * outbox row has claimed (`knownProviderIds`).
     *
     * Two queries, because a message Twilio accepted but has not yet handed to
     * the carrier (queued, or held by a messaging service's throughput limit)
     * has no date_sent, and Twilio's DateSent filter cannot see it:
     *  1. To (+From) and DateSent >= window start — the usual case, one page;
     *  2. To (+From) without a date filter, considering only unsent messages.
     * If either would need more than `lookupMaxPages` pages, the answer is
     * 'unknown' rather than a guess: 'not found' leads to a second text.
     */
    async lookup(msg: OutboundMessage): Promise<LookupResult> {
      const windowStart = new Date(msg.attemptStartedAt.getTime() - LOOKUP_SLACK_MS);
      const excluded = new Set(msg.knownProviderIds ?? []);
      const sender = senderOf(msg);
      const base: MessageListInstancePageOptions = { to: msg.to, ...('from' in sender ? { from: sender.from } : {}) };
      const ours = (m: MessageInstance): boolean =>
        m.direction !== 'inbound' &&
        !excluded.has(m.sid) &&
        sameSmsBody(msg.body, m.body) &&
        !(m.dateCreated instanceof Date && m.dateCreated.getTime() < windowStart.getTime());
      const found = (m: MessageInstance): LookupResult => ({ found: true, providerMessageId: m.sid, status: mapTwilioStatus(m.status) });
      try {
        const sent = await scan({ ...base, dateSentAfter: windowStart }, ours);
        if (sent && sent !== 'exhausted') return found(sent);
        const pending = await scan(base, (m) => !(m.dateSent instanceof Date) && ours(m));
        if (pending && pending !== 'exhausted') return found(pending);
        return sent === 'exhausted' || pending === 'exhausted' ? { found: 'unknown' } : { found: false };
      } catch (err) {
        throw toProviderError(err, 'Twilio lookup');
      }
    },

    async close(): Promise<void> {
      httpClient.close();
    },
  };
}
