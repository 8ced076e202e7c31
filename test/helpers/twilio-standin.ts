import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

/**
 * A local stand-in for the part of Twilio's REST API Kinetic uses (Messages:
 * create, list with filters and paging, fetch), over real HTTP, answering in
 * Twilio's JSON shapes and error format. Optionally posts status callbacks
 * signed with X-Twilio-Signature exactly as Twilio does.
 */
export interface StoredMessage {
  sid: string;
  account_sid: string;
  api_version: '2010-04-01';
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: 'outbound-api';
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  status: string;
  subresource_uris: { media: string; feedback: string };
  to: string;
  uri: string;
  /** Not part of Twilio's JSON: the StatusCallback the message was created with. */
  statusCallback?: string | null;
}

export interface StandinCallback {
  url: string;
  params: Record<string, string>;
  signature: string;
  responseStatus: number | null;
}

export interface TwilioStandinOptions {
  accountSid: string;
  authToken: string;
  /** Post signed status callbacks (sent, then delivered) to each message's StatusCallback. */
  deliverCallbacks?: boolean;
  /** Keep new messages `queued` with no date_sent (as when a messaging service queue is backed up). */
  holdQueued?: boolean;
  /** Delay before answering every create (ms), after the message is stored: widens the window in which a client can die mid-send. */
  responseDelay?: () => number;
  /** Number a messaging service picks when a message names only MessagingServiceSid. */
  serviceNumber?: string;
  /** More accounts (subaccounts) the stand-in answers for, sid → auth token. */
  subaccounts?: Record<string, string>;
}

/** A phone number an account holds (IncomingPhoneNumbers). */
export interface StandinNumber {
  accountSid: string;
  phoneNumber: string;
  sid: string;
}

/** A Messaging Service with its sender pool. */
export interface StandinService {
  accountSid: string;
  sid: string;
  friendlyName: string;
  numbers: string[];
}

export interface TwilioStandin {
  baseUrl: string;
  messages: StoredMessage[];
  /** performance.now() when the first message to each number arrived (for latency benchmarks). */
  arrivals: Map<string, number>;
  callbacks: StandinCallback[];
  /** Every request received, in order ("POST /2010-04-01/…"). */
  requests: string[];
  /** Recipients that replied STOP: creates to them fail with 21610, as on Twilio. */
  optedOut: Set<string>;
  /** The next create fails with this Twilio error code and HTTP status (nothing is stored). */
  failNext(code: number | null, status: number): void;
  /** The next create is stored, then answered only after `ms` (to provoke client timeouts). */
  delayNext(ms: number): void;
  /** Numbers the accounts hold; addNumber puts one on an account (default: the main account). */
  numbers: StandinNumber[];
  addNumber(phoneNumber: string, accountSid?: string): StandinNumber;
  services: StandinService[];
  addService(numbers: string[], accountSid?: string): StandinService;
  /** Turns a stored message's status (and date_sent when it is first sent). */
  setStatus(sid: string, status: string): void;
  /** Resolves when every status callback started so far has been answered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const API = '/2010-04-01';

const rfc2822 = (d: Date): string => d.toUTCString().replace('GMT', '+0000');
const newSid = (prefix: string): string => prefix + randomBytes(16).toString('hex');

function segments(body: string): number {
  // GSM-7 fits 160 (153 per part), anything else is UCS-2: 70 (67 per part).
  const gsm = /^[\x20-\x7E\n\r£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/.test(body);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / part);
}

function twilioError(res: http.ServerResponse, status: number, code: number | null, message: string): void {
  const payload = { code, message, more_info: code ? `https://www.twilio.com/docs/errors/${code}` : null, status };
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

function json(res: http.ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Twilio's `DateSent>` / `DateSent<` / `DateSent` accept YYYY-MM-DD or a full timestamp; a bare date means the whole UTC day. */
function dateFilter(q: URLSearchParams): (m: StoredMessage) => boolean {
  const parse = (v: string | null) => (v ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v).getTime() : null);
  const after = parse(q.get('DateSent>'));
  const before = q.get('DateSent<');
  const beforeMs = before ? parse(before)! + (/^\d{4}-\d{2}-\d{2}$/.test(before) ? 86_400_000 - 1 : 0) : null;
  const on = q.get('DateSent');
  return (m) => {
    if (after === null && beforeMs === null && !on) return true;
    if (!m.date_sent) return false; // like Twilio: an unsent message has no date to match
    const t = new Date(m.date_sent).getTime();
    if (after !== null && t < after) return false;
    if (beforeMs !== null && t > beforeMs) return false;
    if (on && new Date(m.date_sent).toISOString().slice(0, 10) !== on.slice(0, 10)) return false;
    return true;
  };
}

export async function startTwilioStandin(opts: TwilioStandinOptions): Promise<TwilioStandin> {
  const messages: StoredMessage[] = [];
  const arrivals = new Map<string, number>();
  const callbacks: StandinCallback[] = [];
  const requests: string[] = [];
  const optedOut = new Set<string>();
  const pendingCallbacks = new Set<Promise<void>>();
  let nextFailure: { code: number | null; status: number } | null = null;
  let nextDelay = 0;

  const tokens = new Map<string, string>([[opts.accountSid, opts.authToken], ...Object.entries(opts.subaccounts ?? {})]);
  const numbers: StandinNumber[] = [];
  const services: StandinService[] = [];
  /** The account the Basic credentials open, or null. `pathSid`: the account the URL names (must be the same). */
  const authenticated = (req: http.IncomingMessage): string | null => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return null;
    const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return tokens.get(user) === rest.join(':') ? user : null;
  };
  const authorized = (req: http.IncomingMessage, pathSid: string): boolean => authenticated(req) === pathSid;
  const tokenOf = (accountSid: string) => tokens.get(accountSid) ?? opts.authToken;

  function postCallback(m: StoredMessage): void {
    if (!opts.deliverCallbacks || !m.statusCallback) return;
    const url = m.statusCallback;
    const params: Record<string, string> = {
      AccountSid: m.account_sid, ApiVersion: m.api_version, From: m.from ?? '', MessageSid: m.sid, MessageStatus: m.status,
      SmsSid: m.sid, SmsStatus: m.status, To: m.to,
      ...(m.messaging_service_sid ? { MessagingServiceSid: m.messaging_service_sid } : {}),
      ...(m.error_code ? { ErrorCode: String(m.error_code) } : {}),
    };
    const signature = twilio.getExpectedTwilioSignature(tokenOf(m.account_sid), url, params);
    const record: StandinCallback = { url, params, signature, responseStatus: null };
    callbacks.push(record);
    const p = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
      body: new URLSearchParams(params).toString(),
    })
      .then(async (r) => { record.responseStatus = r.status; await r.arrayBuffer(); })
      .catch(() => { record.responseStatus = 0; })
      .finally(() => pendingCallbacks.delete(p));
    pendingCallbacks.add(p);
  }

  function setStatus(sid: string, status: string): void {
    const m = messages.find((x) => x.sid === sid);
    if (!m) throw new Error(`no message ${sid}`);
    const now = rfc2822(new Date());
    m.status = status;
    m.date_updated = now;
    if (['sent', 'delivered', 'undelivered', 'failed'].includes(status) && !m.date_sent) m.date_sent = now;
    if (status === 'undelivered' || status === 'failed') m.error_code = m.error_code ?? 30003;
    postCallback(m);
  }

  async function create(req: http.IncomingMessage, res: http.ServerResponse, accountSid: string): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const to = form.get('To');
    const from = form.get('From');
    const service = form.get('MessagingServiceSid');
    const body = form.get('Body');
    if (nextFailure) {
      const f = nextFailure;
      nextFailure = null;
      return twilioError(res, f.status, f.code, f.code ? `Injected Twilio error ${f.code}` : 'Internal Server Error');
    }
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!from && !service) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
    if (!E164.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (from && !E164.test(from)) return twilioError(res, 400, 21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
    if (body.length > 1600) return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (optedOut.has(to)) return twilioError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
    // Like Twilio: a From must be a number on this account, once the test has said which numbers the account holds.
    if (from && numbers.length && !numbers.some((n) => n.accountSid === accountSid && n.phoneNumber === from)) {
      return twilioError(res, 400, 21659, `${from} is not a Twilio phone number or Short Code country mismatch`);
    }
    if (service && services.length && !services.some((x) => x.accountSid === accountSid && x.sid === service)) return twilioError(res, 404, 20404, `The requested resource /Services/${service} was not found`);
    const sid = newSid('SM');
    const now = rfc2822(new Date());
    const uri = `${API}/Accounts/${accountSid}/Messages/${sid}.json`;
    const message: StoredMessage = {
      sid, account_sid: accountSid, api_version: '2010-04-01', body, date_created: now, date_sent: null, date_updated: now,
      direction: 'outbound-api', error_code: null, error_message: null,
      from: from ?? null, // with only a messaging service, Twilio picks the sender later
      messaging_service_sid: service, num_media: '0', num_segments: String(segments(body)), price: null, price_unit: 'USD',
      status: service ? 'accepted' : 'queued',
      subresource_uris: { media: `${API}/Accounts/${accountSid}/Messages/${sid}/Media.json`, feedback: `${API}/Accounts/${accountSid}/Messages/${sid}/Feedback.json` },
      to, uri, statusCallback: form.get('StatusCallback'),
    };
    messages.push(message);
    if (!arrivals.has(to)) arrivals.set(to, performance.now());
    const { statusCallback: _omit, ...publicShape } = message;
    const answer = () => json(res, 201, publicShape);
    const delay = nextDelay || (opts.responseDelay?.() ?? 0);
    nextDelay = 0;
    if (delay) setTimeout(answer, delay);
    else answer();
    if (!opts.holdQueued) {
      // Twilio answers first, then hands the message to the carrier.
      setImmediate(() => {
        if (!message.from) message.from = services.find((x) => x.sid === service)?.numbers[0] ?? opts.serviceNumber ?? '+15005550006';
        setStatus(sid, 'sent');
        setImmediate(() => setStatus(sid, 'delivered'));
      });
    }
  }

  function list(res: http.ServerResponse, accountSid: string, url: URL): void {
    const q = url.searchParams;
    const pageSize = Math.min(Math.max(Number(q.get('PageSize') ?? 50) || 50, 1), 1000);
    const page = Math.max(Number(q.get('Page') ?? 0) || 0, 0);
    const byDate = dateFilter(q);
    const matching = messages
      .filter((m) => (!q.get('To') || m.to === q.get('To')) && (!q.get('From') || m.from === q.get('From')) && byDate(m))
      .reverse(); // newest first, as Twilio lists them
    const slice = matching.slice(page * pageSize, (page + 1) * pageSize);
    const pageUri = (p: number) => {
      const params = new URLSearchParams(q);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(p));
      if (p > 0) params.set('PageToken', `PA${matching[p * pageSize - 1]?.sid ?? ''}`);
      else params.delete('PageToken');
      return `${API}/Accounts/${accountSid}/Messages.json?${params.toString()}`;
    };
    json(res, 200, {
      end: page * pageSize + Math.max(slice.length - 1, 0),
      first_page_uri: pageUri(0),
      messages: slice.map(({ statusCallback: _omit, ...m }) => m),
      next_page_uri: (page + 1) * pageSize < matching.length ? pageUri(page + 1) : null,
      page,
      page_size: pageSize,
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      start: page * pageSize,
      uri: pageUri(page),
    });
  }

  const page = (key: string, items: unknown[], url: URL) => ({
    [key]: items, end: Math.max(items.length - 1, 0), first_page_uri: `${url.pathname}?${url.searchParams}`, next_page_uri: null, page: 0, page_size: items.length || 50, previous_page_uri: null, start: 0, uri: `${url.pathname}?${url.searchParams}`,
  });
  /** IncomingPhoneNumbers, the Account resource and Messaging Services (messaging.twilio.com/v1), as far as Kinetic reads them. */
  function directory(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const acct = /^\/2010-04-01\/Accounts\/([^/]+?)(?:\/IncomingPhoneNumbers)?\.json$/.exec(url.pathname);
    if (acct && req.method === 'GET') {
      const [, accountSid] = acct;
      if (!authorized(req, accountSid)) return twilioError(res, 401, 20003, 'Authenticate'), true;
      if (!url.pathname.includes('IncomingPhoneNumbers')) {
        json(res, 200, { sid: accountSid, friendly_name: `Account ${accountSid.slice(-4)}`, status: 'active', type: 'Full', owner_account_sid: opts.accountSid, auth_token: '[redacted]', date_created: rfc2822(new Date()), date_updated: rfc2822(new Date()), subresource_uris: {}, uri: `${API}/Accounts/${accountSid}.json` });
        return true;
      }
      const want = url.searchParams.get('PhoneNumber');
      const held = numbers.filter((n) => n.accountSid === accountSid && (!want || n.phoneNumber === want));
      json(res, 200, page('incoming_phone_numbers', held.map((n) => ({ sid: n.sid, account_sid: n.accountSid, phone_number: n.phoneNumber, friendly_name: n.phoneNumber, capabilities: { voice: true, sms: true, mms: true, fax: false }, status: 'in-use', uri: `${API}/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json` })), url));
      return true;
    }
    const svc = /^\/v1\/Services\/([^/]+)(\/PhoneNumbers)?$/.exec(url.pathname);
    if (svc && req.method === 'GET') {
      const caller = authenticated(req);
      if (!caller) return twilioError(res, 401, 20003, 'Authenticate'), true;
      const found = services.find((x) => x.sid === svc[1] && x.accountSid === caller);
      if (!found) return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`), true;
      if (!svc[2]) {
        json(res, 200, { sid: found.sid, account_sid: found.accountSid, friendly_name: found.friendlyName, sticky_sender: true, date_created: new Date().toISOString(), date_updated: new Date().toISOString(), url: `https://messaging.twilio.com/v1/Services/${found.sid}`, links: {} });
        return true;
      }
      const items = found.numbers.map((n) => ({ sid: newSid('PN'), account_sid: found.accountSid, service_sid: found.sid, phone_number: n, country_code: 'US', capabilities: ['SMS', 'MMS', 'Voice'], date_created: new Date().toISOString(), date_updated: new Date().toISOString(), url: `https://messaging.twilio.com/v1/Services/${found.sid}/PhoneNumbers` }));
      json(res, 200, { phone_numbers: items, meta: { page: 0, page_size: 50, first_page_url: `https://messaging.twilio.com${url.pathname}?PageSize=50&Page=0`, previous_page_url: null, url: `https://messaging.twilio.com${url.pathname}?PageSize=50&Page=0`, next_page_url: null, key: 'phone_numbers' } });
      return true;
    }
    return false;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (directory(req, res, url)) return;
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/.exec(url.pathname);
    if (!m) return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
    const [, accountSid, sid] = m;
    if (!authorized(req, accountSid)) return twilioError(res, 401, 20003, 'Authenticate');
    const route = `${req.method} ${sid ? 'one' : 'all'}`;
    if (route === 'POST all') return void create(req, res, accountSid).catch(() => twilioError(res, 500, null, 'stand-in failure'));
    if (route === 'GET all') return list(res, accountSid, url);
    if (route === 'GET one') {
      const found = messages.find((x) => x.sid === sid);
      if (!found) return twilioError(res, 404, 20404, `The requested resource ${url.pathname} was not found`);
      const { statusCallback: _omit, ...shape } = found;
      return json(res, 200, shape);
    }
    twilioError(res, 405, 20004, 'Method not allowed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    messages,
    arrivals,
    callbacks,
    requests,
    optedOut,
    numbers,
    addNumber: (phoneNumber, accountSid = opts.accountSid) => {
      const n = { accountSid, phoneNumber, sid: newSid('PN') };
      numbers.push(n);
      return n;
    },
    services,
    addService: (pool, accountSid = opts.accountSid) => {
      const x = { accountSid, sid: newSid('MG'), friendlyName: `Service ${services.length + 1}`, numbers: pool };
      services.push(x);
      return x;
    },
    failNext: (code, status) => { nextFailure = { code, status }; },
    delayNext: (ms) => { nextDelay = ms; },
    setStatus,
    settled: async () => { while (pendingCallbacks.size) await Promise.all([...pendingCallbacks]); },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
