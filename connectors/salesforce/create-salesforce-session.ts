import type { AxiosInstance, AxiosResponse, Method } from 'axios';
import { z } from 'zod';
import { ConnectorError, type ConnectorRuntime } from '../connector.js';
import { classifyHttpError } from '../http/classify-http-error.js';
import { salesforceErrorCodes } from './classify-salesforce-response.js';
import { sendBearerJson } from '../http/send-bearer-json.js';

export interface SalesforceSessionOptions {
  client: AxiosInstance;
  runtime: ConnectorRuntime;
  /** My Domain URL the token is requested from. */
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** REST base used instead of the token's instance_url (a proxy, or a test server). */
  baseUrl?: string;
}

export interface SalesforceSession {
  /** Sends a REST call with a (cached) token; refreshes once on INVALID_SESSION_ID. Never throws on a status. */
  send(method: Method, path: string, data?: unknown): Promise<AxiosResponse>;
  /** Secret values to blank out of error messages, including the current access token. */
  redact(): string[];
}

// Token answer: { access_token, instance_url, id, token_type, issued_at, signature, scope }, no refresh token.
const tokenSchema = z.object({ access_token: z.string().min(1), instance_url: z.url({ protocol: /^https?$/ }) });
const tokenErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });
// What a wrong key/secret, a flow not enabled or a missing run-as user look like: no retry helps.
const AUTH_TOKEN_ERRORS = new Set([
  'invalid_client',
  'invalid_client_id',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_request',
]);

interface Token {
  accessToken: string;
  apiBase: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * One OAuth 2.0 client-credentials session per connector instance. Salesforce issues no refresh
 * token and no expiry time for this flow, so the token is kept until an API call answers
 * 401 INVALID_SESSION_ID; then one new token is fetched and the call is sent once more.
 */
export function createSalesforceSession(options: SalesforceSessionOptions): SalesforceSession {
  const { client, runtime } = options;
  const tokenUrl = `${trimSlash(options.loginUrl)}/services/oauth2/token`;
  let current: Promise<Token> | undefined;
  let accessToken: string | undefined;

  const redact = () => [options.clientSecret, options.clientId, ...(accessToken ? [accessToken] : [])];

  async function fetchToken(): Promise<Token> {
    await runtime.assertTargetAllowed(tokenUrl);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: options.clientId,
      client_secret: options.clientSecret,
    });
    let response: AxiosResponse;
    try {
      // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm
      response = await client.post(tokenUrl, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      });
    } catch (error) {
      throw classifyHttpError(error, { redact: redact() });
    }
    if (response.status !== 200) {
      const refusal = tokenErrorSchema.safeParse(response.data);
      if (refusal.success && AUTH_TOKEN_ERRORS.has(refusal.data.error)) {
        const detail = refusal.data.error_description ? ` (${refusal.data.error_description})` : '';
        throw new ConnectorError('auth', `Salesforce refused the client credentials: ${refusal.data.error}${detail}`, {
          status: response.status,
        });
      }
      throw classifyHttpError(response, { redact: redact() });
    }
    const token = tokenSchema.safeParse(response.data);
    if (!token.success)
      throw new ConnectorError('permanent', 'Salesforce token response lacks access_token or instance_url', { status: response.status });
    accessToken = token.data.access_token;
    return { accessToken: token.data.access_token, apiBase: trimSlash(options.baseUrl ?? token.data.instance_url) };
  }

  function getToken(): Promise<Token> {
    if (!current) {
      const pending = fetchToken();
      current = pending;
      // A failed fetch is not cached: the next call asks again.
      pending.catch(() => {
        if (current === pending) current = undefined;
      });
    }
    return current;
  }

  async function sendWith(token: Token, method: Method, path: string, data: unknown): Promise<AxiosResponse> {
    // instance_url comes from the provider: it is checked like any configured target.
    return sendBearerJson(client, runtime, {
      method,
      url: `${token.apiBase}${path}`,
      accessToken: token.accessToken,
      data,
      redact: redact(),
    });
  }

  return {
    redact,
    async send(method, path, data) {
      const first = await getToken();
      const response = await sendWith(first, method, path, data);
      if (response.status !== 401 || !salesforceErrorCodes(response.data).includes('INVALID_SESSION_ID')) return response;
      // Drop the stale token unless a concurrent call already replaced it.
      if (current && (await current.catch(() => undefined)) === first) current = undefined;
      return sendWith(await getToken(), method, path, data);
    },
  };
}
