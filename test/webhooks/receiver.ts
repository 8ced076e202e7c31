import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  /** A URL on this receiver. The first path segment picks its behaviour (see startReceiver). */
  url(path: string): string;
  readonly port: number;
  readonly hits: Received[];
  hitsTo(path: string): Received[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a customer's webhook
 * endpoint. Behaviour by the first path segment:
 *   /ok/…        200
 *   /flaky/…     500 on the first request to that exact path, 200 after
 *   /fail/…      500 always
 *   /redirect/…  302 to /ok/redirected
 *   /hang/…      never answers
 */
export async function startReceiver(): Promise<Receiver> {
  const hits: Received[] = [];
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const n = (seen.get(path) ?? 0) + 1;
      seen.set(path, n);
      const kind = path.split('/')[1];
      if (kind === 'hang') return;
      if (kind === 'redirect') {
        res.writeHead(302, { Location: `http://127.0.0.1:${port}/ok/redirected` }).end();
      } else if (kind === 'fail' || (kind === 'flaky' && n === 1)) {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom');
      } else if (kind === 'ok' || kind === 'flaky') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    hits,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hitsTo: (path) => hits.filter((h) => h.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
