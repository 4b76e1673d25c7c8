import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a receiver does for a while: answer normally, fail, throttle, or not answer at all. */
export type FaultMode = 'ok' | 'error500' | 'rate429' | 'hang';

export interface FaultProxy {
  /** http://127.0.0.1:<port>: the address connectors are given instead of the receiver's own. */
  url: string;
  setMode(mode: FaultMode): void;
  /** Requests answered per mode (a hung request counts once it is finally forwarded or dropped). */
  answered: Record<FaultMode, number>;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of a receiver that the soak can turn bad: 500s, 429s with Retry-After,
 * or requests held without an answer (the client times out; the request still reaches the
 * receiver once the hang ends, as a slow provider would process it after its client gave up).
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let mode: FaultMode = 'ok';
  const held: Array<() => void> = [];
  const answered: Record<FaultMode, number> = { ok: 0, error500: 0, rate429: 0, hang: 0 };
  const targetUrl = new URL(target);

  const forward = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const upstream = http.request(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: targetUrl.host },
      },
      (answer) => {
        if (res.destroyed) {
          answer.resume();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent && !res.destroyed) res.writeHead(502).end();
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const now = mode;
      if (now === 'error500') {
        answered.error500++;
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"status":"error","message":"internal error (chaos)"}');
      } else if (now === 'rate429') {
        answered.rate429++;
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' })
          .end('{"status":"error","message":"rate limited (chaos)"}');
      } else if (now === 'hang') {
        held.push(() => {
          answered.hang++;
          forward(req, body, res);
        });
      } else {
        answered.ok++;
        forward(req, body, res);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    setMode(next) {
      mode = next;
      if (next !== 'hang') for (const release of held.splice(0)) release();
    },
    async close() {
      for (const release of held.splice(0)) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
