import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../src/lib/errors.ts';
import { assertPublicUrl, forbiddenAddressReason, isForbiddenAddress, pinnedLookup, type ResolveAll } from '../../src/engine/webhooks/ssrf.ts';
import { startReceiver, type Receiver } from './receiver.ts';

describe('webhooks: isForbiddenAddress', () => {
  const forbidden: Array<[ip: string, reason: RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.255.254', /loopback/],
    ['10.0.0.5', /private/],
    ['10.255.255.255', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /metadata/],
    ['169.254.0.1', /link-local/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['240.0.0.1', /reserved/],
    ['192.0.2.10', /documentation/],
    ['198.18.0.1', /benchmarking/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['fc00::1', /unique local/],
    ['fd12:3456::1', /unique local/],
    ['fd00:ec2::254', /unique local/], // AWS IMDS over IPv6
    ['fe80::1', /link-local/],
    ['febf::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['fec0::1', /site-local/],
    ['ff02::1', /multicast/],
    ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
    ['::ffff:7f00:1', /IPv4-mapped loopback/],
    ['::ffff:10.0.0.1', /IPv4-mapped private/],
    ['::ffff:169.254.169.254', /IPv4-mapped cloud metadata/],
    ['::ffff:0.0.0.0', /IPv4-mapped unspecified/],
    ['::127.0.0.1', /IPv4-compatible/],
    ['64:ff9b::a9fe:a9fe', /NAT64 cloud metadata/],
    ['2002:7f00:1::1', /6to4 loopback/],
    ['2001:db8::1', /documentation/],
    ['2001:0:4136:e378::1', /Teredo/],
    ['not-an-ip', /not an IP/],
    ['', /not an IP/],
    ['1.2.3', /not an IP/],
    ['256.1.1.1', /not an IP/],
    ['127.0.0.1.', /not an IP/],
  ];
  for (const [ip, reason] of forbidden) {
    test(`refuses ${JSON.stringify(ip)}`, () => {
      assert.equal(isForbiddenAddress(ip), true);
      assert.match(forbiddenAddressReason(ip) ?? '', reason);
    });
  }

  const allowed = ['93.184.216.34', '8.8.8.8', '1.1.1.1', '11.0.0.1', '172.15.255.255', '172.32.0.1', '100.63.255.255', '100.128.0.1', '169.253.255.255', '169.255.0.1', '192.167.1.1', '192.169.0.1', '223.255.255.255', '2606:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];
  for (const ip of allowed) {
    test(`allows public ${ip}`, () => {
      assert.equal(isForbiddenAddress(ip), false);
      assert.equal(forbiddenAddressReason(ip), null);
    });
  }
});

describe('webhooks: assertPublicUrl', () => {
  const noDns: ResolveAll = async (host) => {
    throw new Error(`unexpected DNS lookup of ${host}`);
  };
  const refused = async (url: string, pattern: RegExp, reason = 'forbidden_address') => {
    await assert.rejects(assertPublicUrl(url, { resolve: noDns }), (err: unknown) => {
      assert.ok(err instanceof AppError, `${url}: ${String(err)}`);
      assert.equal(err.code, 'VALIDATION_FAILED');
      assert.match(err.message, pattern);
      assert.equal((err.details as { reason: string }).reason, reason);
      return true;
    });
  };

  const cases: Array<[url: string, pattern: RegExp, reason?: string]> = [
    ['http://127.0.0.1/hook', /127\.0\.0\.1 is a loopback address/],
    ['http://127.0.0.1:8080/hook', /loopback/],
    ['http://localhost/hook', /loopback name/],
    ['http://LOCALHOST./hook', /loopback name/],
    ['http://api.localhost/hook', /loopback name/],
    ['http://[::1]/hook', /::1 is a loopback address/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped loopback/],
    ['http://169.254.169.254/latest/meta-data', /cloud metadata/],
    ['http://10.0.0.5/', /private/],
    ['https://192.168.0.1/', /private/],
    ['http://100.64.1.1/', /carrier-grade NAT/],
    ['http://0x7f000001/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://0177.0.0.1/', /loopback/],
    ['http://127.1/', /loopback/],
    ['http://0/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['http://%31%32%37.0.0.1/', /loopback/],
    ['http://user:pw@10.0.0.1/', /^(?!.*pw).*private/],
    ['ftp://93.184.216.34/file', /must use http or https, not ftp/, 'scheme'],
    ['file:///etc/passwd', /must use http or https, not file/, 'scheme'],
    ['gopher://93.184.216.34/', /must use http or https/, 'scheme'],
    ['not a url', /not a valid absolute URL/, 'invalid_url'],
    ['/relative/path', /not a valid absolute URL/, 'invalid_url'],
  ];
  for (const [url, pattern, reason] of cases) {
    test(`refuses ${url}`, () => refused(url, pattern, reason));
  }

  test('accepts a public literal IPv4 or IPv6 URL without DNS', async () => {
    const v4 = await assertPublicUrl('https://93.184.216.34/hooks?x=1', { resolve: noDns });
    assert.deepEqual({ address: v4.address, family: v4.family, href: v4.url.href }, { address: '93.184.216.34', family: 4, href: 'https://93.184.216.34/hooks?x=1' });
    const v6 = await assertPublicUrl('https://[2606:4700::1111]:8443/h', { resolve: noDns });
    assert.deepEqual({ address: v6.address, family: v6.family }, { address: '2606:4700::1111', family: 6 });
  });

  test('a name is refused when ANY of its addresses is private, and accepted when all are public', async () => {
    const resolve: ResolveAll = async (host) =>
      host === 'mixed.example'
        ? [{ address: '93.184.216.34', family: 4 }, { address: '10.1.2.3', family: 4 }]
        : [{ address: '2606:4700::1111', family: 6 }, { address: '93.184.216.34', family: 4 }];
    await assert.rejects(assertPublicUrl('https://mixed.example/h', { resolve }), /10\.1\.2\.3 is a private address \(mixed\.example resolves to 10\.1\.2\.3\)/);
    const ok = await assertPublicUrl('https://public.example/h', { resolve });
    assert.deepEqual({ address: ok.address, family: ok.family }, { address: '2606:4700::1111', family: 6 });
  });

  test('a name that does not resolve is refused as unresolvable (may be temporary)', async () => {
    const resolve: ResolveAll = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await assert.rejects(assertPublicUrl('https://nowhere.invalid/', { resolve }), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal((err.details as { reason: string }).reason, 'unresolvable');
      assert.match(err.message, /could not be resolved \(ENOTFOUND\)/);
      return true;
    });
  });

  test('allowPrivate lets local targets through (development and tests only)', async () => {
    const v = await assertPublicUrl('http://127.0.0.1:9/hook', { allowPrivate: true, resolve: noDns });
    assert.equal(v.address, '127.0.0.1');
    await assert.rejects(assertPublicUrl('ftp://127.0.0.1/', { allowPrivate: true }), /http or https/);
  });
});

describe('webhooks: pinnedLookup connects to the vetted address, not a fresh DNS answer', () => {
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
  });
  after(() => rx.close());

  test('a request to an unresolvable name lands on the pinned address', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`http://rebind.invalid:${rx.port}/ok/pinned`, { method: 'POST', agent: false, lookup: pinnedLookup({ address: '127.0.0.1', family: 4 }) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    assert.equal(status, 200);
    assert.equal(rx.hitsTo('/ok/pinned')[0]?.headers.host, `rebind.invalid:${rx.port}`);
  });
});
