import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HubEnv } from './hub-env.js';
import type { Logger } from '../../lib/logger.js';

// A client that stays connected but stops reading must not hold a database connection for
// ever: with nothing taken off the socket for this long, the response is dropped.
const DEFAULT_IDLE_MS = 30_000;

/** What a streamed download needs: the body, its headers, and how to free what feeds it. */
export interface OpenStream {
  body: Readable;
  headers: Record<string, string>;
  /** Called exactly once however the body ends (finished, client gone, error mid-stream). */
  release: () => void;
}

/**
 * Streams a file body with backpressure. Under the Node server it goes straight into the socket,
 * skipping the web-stream hop (Readable.toWeb, then node-server reading it back); errors after
 * the header went out can only end the stream, so they are logged. However the body ends,
 * `release` then ends its query, so the pooled connection comes back.
 */
export function sendStream(
  c: { env: HubEnv['Bindings'] | undefined },
  open: OpenStream,
  what: string,
  deps: { logger: Logger; exportIdleTimeoutMs?: number },
): Response {
  const { body, headers, release } = open;
  const { logger } = deps;
  const failed = (err: unknown) => {
    const gone = (err as { code?: string } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (gone) logger.info({ resource: what }, 'export client went away mid-stream');
    else logger.error({ err: String(err), resource: what }, 'export failed mid-stream');
  };
  const outgoing = c.env?.outgoing;
  if (outgoing) {
    outgoing.writeHead(200, headers);
    outgoing.setTimeout(deps.exportIdleTimeoutMs ?? DEFAULT_IDLE_MS, () => {
      logger.info({ resource: what }, 'export client stopped reading; dropping the response');
      outgoing.destroy();
    });
    pipeline(body, outgoing).catch(failed).finally(release);
    return RESPONSE_ALREADY_SENT as never;
  }
  body.on('error', failed);
  body.on('close', release);
  return new Response(Readable.toWeb(body) as ReadableStream, { status: 200, headers });
}
