import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { HubEnv } from './hub-env.js';

/** The socket peer's address; undefined under app.request(), which has no socket. */
export function peerAddress(c: Context<HubEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
