import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface WebhookSink {
  url: string;
  /** Deliveries per webhook-id (the event id): a count above 1 is a repeat the receiver deduplicated. */
  received: Map<string, number>;
  /** Requests whose signature did not verify (a correct hub never sends one). */
  badSignatures: number;
  close(): Promise<void>;
}

/** A webhook consumer as its documentation tells one to write it: verify the signature, deduplicate by webhook-id. */
export async function startWebhookSink(secret: string): Promise<WebhookSink> {
  const verifier = new Webhook(secret);
  const sink: WebhookSink = { url: '', received: new Map(), badSignatures: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[name] = value;
      try {
        verifier.verify(Buffer.concat(chunks).toString('utf8'), headers);
      } catch {
        sink.badSignatures++;
        res.writeHead(401).end();
        return;
      }
      const id = headers['webhook-id']!;
      sink.received.set(id, (sink.received.get(id) ?? 0) + 1);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  sink.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return sink;
}
