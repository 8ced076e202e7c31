import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../../lib/errors.ts';

/**
 * The SSRF guard for outbound webhooks. A business types in a URL and our
 * server POSTs to it, so without a guard that URL could reach our own
 * loopback services, the private network, or the cloud metadata endpoint
 * (169.254.169.254). Every address the host resolves to is checked, and the
 * request then connects to the vetted address itself (see `pinnedLookup`),
 * so a DNS answer that changes between the check and the connect (DNS
 * rebinding) cannot slip through.
 */

type V4Range = [base: string, prefix: number, reason: string];

// Order matters only for the reason reported: the narrower range comes first.
const V4_RANGES: V4Range[] = [
  ['255.255.255.255', 32, 'broadcast'],
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT (shared)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'cloud metadata (link-local)'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'documentation (TEST-NET-1)'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation (TEST-NET-2)'],
  ['203.0.113.0', 24, 'documentation (TEST-NET-3)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

function parseV4(ip: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

const v4Ranges = V4_RANGES.map(([base, prefix, reason]) => {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: parseV4(base)!, mask, reason };
});

function v4Reason(n: number): string | null {
  for (const r of v4Ranges) if ((n & r.mask) >>> 0 === r.base) return r.reason;
  return null;
}

/** Eight 16-bit groups as one 128-bit number; null when not an IPv6 address. */
function parseV6(input: string): bigint | null {
  const ip = input.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets, zone id (fe80::1%eth0)
  if (isIP(ip) !== 6) return null;
  const toGroups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = parseV4(g);
        if (v4 === null) return [NaN];
        out.push(v4 >>> 16, v4 & 0xffff);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const halves = ip.split('::');
  const head = toGroups(halves[0]);
  const tail = halves.length > 1 ? toGroups(halves[1]) : [];
  const groups = halves.length > 1 ? [...head, ...Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

const v6 = (text: string): bigint => parseV6(text)!;
const inV6 = (n: bigint, base: string, prefix: number): boolean => n >> BigInt(128 - prefix) === v6(base) >> BigInt(128 - prefix);
const low32 = (n: bigint): number => Number(n & 0xffffffffn);

function v6Reason(n: bigint): string | null {
  if (n === 0n) return 'unspecified';
  if (n === 1n) return 'loopback';
  const embedded = (kind: string, v4: number): string | null => {
    const reason = v4Reason(v4);
    return reason ? `${kind} ${reason}` : null;
  };
  if (inV6(n, '::ffff:0:0', 96)) return embedded('IPv4-mapped', low32(n));
  if (inV6(n, '::', 96)) return 'IPv4-compatible (deprecated)';
  if (inV6(n, '64:ff9b::', 96)) return embedded('NAT64', low32(n));
  if (inV6(n, '64:ff9b:1::', 48)) return 'local-use NAT64';
  if (inV6(n, '100::', 64)) return 'discard-only';
  if (inV6(n, '2001:db8::', 32)) return 'documentation';
  if (inV6(n, '2001::', 32)) return 'Teredo tunnel';
  if (inV6(n, '2002::', 16)) return embedded('6to4', Number((n >> 80n) & 0xffffffffn));
  if (inV6(n, 'fc00::', 7)) return 'private (unique local)';
  if (inV6(n, 'fe80::', 10)) return 'link-local';
  if (inV6(n, 'fec0::', 10)) return 'site-local (deprecated)';
  if (inV6(n, 'ff00::', 8)) return 'multicast';
  return null;
}

/**
 * Why an IP address must not be a webhook target ("loopback", "private",
 * "IPv4-mapped link-local" …), or null when it is a public address. Anything
 * that is not a valid IP address is refused too.
 */
export function forbiddenAddressReason(ip: string): string | null {
  const n4 = parseV4(ip);
  if (n4 !== null) return v4Reason(n4);
  const n6 = parseV6(ip);
  if (n6 !== null) return v6Reason(n6);
  return 'not an IP address';
}

/** True when a webhook must not connect to this address (loopback, private, link-local, CGNAT, multicast …). */
export const isForbiddenAddress = (ip: string): boolean => forbiddenAddressReason(ip) !== null;

export interface VettedUrl {
  url: URL;
  /** The address to connect to: the request must use this one, not resolve again. */
  address: string;
  family: 4 | 6;
}

export type ResolveAll = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export interface AssertPublicUrlOptions {
  /** Skip the address-range check (local development and tests only). */
  allowPrivate?: boolean;
  /** Gives up on DNS when aborted (the delivery timeout). */
  signal?: AbortSignal;
  /** DNS resolution, for tests; defaults to dns.lookup(host, { all: true }). */
  resolve?: ResolveAll;
}

/** Why a URL was refused; `unresolvable` may be temporary, the rest are not. */
export type UrlRefusal = 'invalid_url' | 'scheme' | 'forbidden_address' | 'unresolvable';

const refuse = (reason: UrlRefusal, message: string, extra: Record<string, unknown> = {}): AppError =>
  new AppError('VALIDATION_FAILED', message, { field: 'url', reason, ...extra });

const defaultResolve: ResolveAll = (host) => dnsLookup(host, { all: true, verbatim: true });

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Vets a webhook URL: http or https only, and (unless allowPrivate) every
 * address the host resolves to must be public. Returns the address to
 * connect to. Throws AppError('VALIDATION_FAILED') saying why it was refused.
 */
export async function assertPublicUrl(raw: string, opts: AssertPublicUrlOptions = {}): Promise<VettedUrl> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('invalid_url', 'Webhook URL is not a valid absolute URL');
  }
  // Never echo credentials from the URL into errors or logs.
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refuse('scheme', `Webhook URL must use http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  // WHATWG URL parsing has already turned 0x7f000001, 2130706433, 0177.0.0.1 and 127.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw refuse('invalid_url', 'Webhook URL has no host');

  const check = (address: string): void => {
    if (opts.allowPrivate) return;
    const reason = forbiddenAddressReason(address);
    if (reason) {
      const via = address === host ? '' : ` (${host} resolves to ${address})`;
      throw refuse('forbidden_address', `Webhook URL ${shown} is refused: ${address} is a ${reason} address${via}; webhooks may only go to public internet addresses`, { address });
    }
  };

  const literal = isIP(host);
  if (literal) {
    check(host);
    return { url, address: host, family: literal as 4 | 6 };
  }
  if (!opts.allowPrivate && /(^|\.)localhost\.?$/i.test(host)) {
    throw refuse('forbidden_address', `Webhook URL ${shown} is refused: ${host} is a loopback name; webhooks may only go to public internet addresses`);
  }
  let answers: Array<{ address: string; family: number }>;
  try {
    answers = await abortable((opts.resolve ?? defaultResolve)(host), opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw refuse('unresolvable', `Webhook URL ${shown}: the host ${host} could not be resolved (${code})`);
  }
  if (answers.length === 0) throw refuse('unresolvable', `Webhook URL ${shown}: the host ${host} has no addresses`);
  // Refuse if ANY answer is forbidden: a name with one public and one private
  // address could otherwise be steered to the private one.
  for (const a of answers) check(a.address);
  const first = answers[0];
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * A `lookup` for http.request that answers with the vetted address instead
 * of asking DNS again. It handles both call shapes Node uses (single answer,
 * and `all: true` for happy-eyeballs connection attempts).
 */
export function pinnedLookup(vetted: { address: string; family: 4 | 6 }): LookupFunction {
  return (_hostname, options, callback) => {
    if (options?.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  };
}
