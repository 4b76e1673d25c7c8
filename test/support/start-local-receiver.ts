import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it; the body is the exact text received (for signature checks). */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface ReceiverReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer late, to exercise client timeouts. */
  delayMs?: number;
}

export interface LocalReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: ReceivedRequest[];
  /** Decides each answer; replace it between calls to switch behaviour. */
  reply: (request: ReceivedRequest) => ReceiverReply;
  close(): Promise<void>;
}

/**
 * A real HTTP server on loopback (port 0) for connector tests: records every request and answers
 * with whatever `reply` returns. The one fake target the webhook, Zapier and other HTTP
 * connector tests share.
 */
export async function startLocalReceiver(reply: LocalReceiver['reply'] = () => ({ status: 204 })): Promise<LocalReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver: LocalReceiver = { url: '', requests, reply, close: async () => undefined };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const answer = receiver.reply(request);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.url = `http://127.0.0.1:${port}`;
  receiver.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return receiver;
}
