import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import { z } from 'zod';
import { ConnectorError, type ConnectorRuntime } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';
import { sendBearerJson } from '../http/send-bearer-json.js';

export interface PayPalSessionOptions {
  client: AxiosInstance;
  runtime: ConnectorRuntime;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Clock in ms, so tests can move past a token's lifetime. */
  now?: () => number;
}

export interface PayPalSession {
  /** Sends a REST call with a cached token; on 401 fetches a new token and sends once more. Never throws on a status. */
  send(method: Method, path: string, data?: unknown): Promise<AxiosResponse>;
  /** Fetches a new token, proving the credentials. */
  probe(): Promise<void>;
  /** Secret values to blank out of error messages, including the current access token. */
  redact(): string[];
}

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });
// A token is dropped this long before PayPal says it expires, so no call carries a dying one.
const EXPIRY_MARGIN_MS = 60_000;

interface Token {
  accessToken: string;
  expiresAt: number;
}

/**
 * OAuth 2.0 client credentials against PayPal. PayPal asks integrations to reuse a token for its
 * lifetime (`expires_in`, hours) instead of asking for one per call, so the token is cached and
 * shared by concurrent calls; a 401 on an API call (revoked or expired early) drops it once.
 */
export function createPayPalSession(options: PayPalSessionOptions): PayPalSession {
  const { client, runtime } = options;
  const now = options.now ?? Date.now;
  const tokenUrl = `${options.baseUrl}/v1/oauth2/token`;
  let current: Promise<Token> | undefined;
  let accessToken: string | undefined;

  const redact = () => [options.clientSecret, options.clientId, ...(accessToken ? [accessToken] : [])];

  async function fetchToken(): Promise<Token> {
    await runtime.assertTargetAllowed(tokenUrl);
    let response: AxiosResponse;
    try {
      response = await client.post(tokenUrl, 'grant_type=client_credentials', {
        auth: { username: options.clientId, password: options.clientSecret },
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      });
    } catch (error) {
      throw classifyHttpError(error, { redact: redact() });
    }
    // A wrong client id or secret is answered 401 invalid_client.
    if (response.status !== 200) throw classifyHttpError(response, { redact: redact() });
    const token = tokenSchema.safeParse(response.data);
    if (!token.success) throw new ConnectorError('permanent', 'PayPal token response lacks access_token or expires_in', { status: 200 });
    accessToken = token.data.access_token;
    return { accessToken: token.data.access_token, expiresAt: now() + token.data.expires_in * 1000 - EXPIRY_MARGIN_MS };
  }

  function dropIf(stale: Promise<Token>) {
    if (current === stale) current = undefined;
  }

  /** The cached token (or a new one once it is near expiry), with the promise it came from. */
  async function getToken(): Promise<{ held: Promise<Token>; token: Token }> {
    if (current) {
      const held = current;
      const token = await held.catch(() => undefined);
      if (token && token.expiresAt > now()) return { held, token };
      dropIf(held);
    }
    let held = current;
    if (!held) {
      const pending = fetchToken();
      held = current = pending;
      // A failed fetch is not cached: the next call asks again.
      pending.catch(() => dropIf(pending));
    }
    return { held, token: await held };
  }

  async function sendWith(token: Token, method: Method, path: string, data: unknown): Promise<AxiosResponse> {
    return sendBearerJson(client, runtime, {
      method,
      url: `${options.baseUrl}${path}`,
      accessToken: token.accessToken,
      data,
      redact: redact(),
    });
  }

  return {
    redact,
    async probe() {
      current = undefined;
      await getToken();
    },
    async send(method, path, data) {
      const first = await getToken();
      const response = await sendWith(first.token, method, path, data);
      if (response.status !== 401) return response;
      // Drop the refused token unless a concurrent call already replaced it, then try once more.
      dropIf(first.held);
      return sendWith((await getToken()).token, method, path, data);
    },
  };
}
