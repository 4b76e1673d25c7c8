import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MerchantSite {
  /** http://<hostname>:<port> */
  url(hostname: string): string;
  port: number;
  /** Requests the site proxied to the hub under /_rh (proxy mode). */
  proxied: string[];
  close(): Promise<void>;
}

/**
 * A merchant's site on loopback: serves the given pages and, in proxy mode, forwards `/_rh/*` to
 * the hub as a merchant's nginx would (so the hub's Set-Cookie lands on the merchant's origin).
 */
export async function startMerchantSite(pages: Record<string, string>, hubUrl: string): Promise<MerchantSite> {
  const proxied: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://merchant');
    if (url.pathname.startsWith('/_rh/')) {
      proxied.push(`${req.method} ${url.pathname}`);
      const target = new URL(url.pathname.slice('/_rh'.length) + url.search, hubUrl);
      const upstream = http.request(
        target,
        {
          method: req.method,
          headers: {
            ...req.headers,
            host: target.host,
            'x-forwarded-for': req.socket.remoteAddress ?? '',
            'x-forwarded-host': req.headers.host ?? '',
          },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502).end();
      });
      req.pipe(upstream);
      return;
    }
    const page = pages[url.pathname];
    if (page === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (hostname) => `http://${hostname}:${port}`,
    proxied,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
