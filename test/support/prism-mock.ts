import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PRISM_BIN = path.join(REPO_ROOT, 'node_modules/.bin/prism');
const STARTUP_TIMEOUT_MS = 30_000;

/** A provider's own OpenAPI file, kept in test/specs so any clone has it. */
export function contractSpecPath(fileName: string): string {
  return path.resolve(REPO_ROOT, 'test/specs', fileName);
}

/** One request/response pair as it crossed the recording proxy. */
export interface PrismExchange {
  method: string;
  /** Path and query as sent. */
  path: string;
  requestHeaders: http.IncomingHttpHeaders;
  requestBody: string;
  status: number;
  /** Parsed `sl-violations` header: Prism's list of contract violations, absent when none. */
  violations?: unknown[];
}

/** Changes to the next request on its way to Prism, for the cases a valid client never causes. */
export interface NextRequestOverride {
  /** Sent as `Prefer` (e.g. `code=429`) so Prism answers with that response of the spec. */
  prefer?: string;
  /** Strips Authorization, as if the credential had not been accepted. */
  dropAuthorization?: boolean;
  /**
   * Applies to the next request this matches instead of simply the next one: with requests in
   * flight side by side, arrival order is not the order they were sent in.
   */
  when?: (request: { method: string; path: string; body: string }) => boolean;
}

/**
 * A provider's limits, emulated by the proxy in front of Prism (Prism itself answers at once and
 * without limit, which would hide how a client behaves against the real service).
 */
export interface ProviderLimits {
  /** Most requests served at once; one more is refused with `refusal` and never reaches Prism. */
  maxConcurrent?: number;
  /** The provider's answer to a request over `maxConcurrent`. */
  refusal?: () => { status: number; headers: http.OutgoingHttpHeaders; body: string };
  /**
   * Least time (ms) from a request's arrival to its answer: the provider's round trip for that
   * request. The proxy holds Prism's answer until then; the request holds its slot meanwhile.
   */
  roundTripMs?: (method: string, path: string) => number;
}

/** What the proxy saw of the limits. */
export interface ProviderLimitCounts {
  /** Requests being served right now. */
  inFlight: number;
  /** Most requests served at once so far (refused ones not included). */
  peakInFlight: number;
  /** Requests refused for going over `maxConcurrent`. */
  refused: number;
}

export interface PrismMock {
  /** http://127.0.0.1:<proxy port>: clients talk to the recording proxy in front of Prism. */
  url: string;
  /** Every recorded exchange, a request refused by the provider limits included (status 429). */
  exchanges: PrismExchange[];
  limits: ProviderLimitCounts;
  /** Queues an override; each request takes the next one. */
  overrideNext(override: NextRequestOverride): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function waitForListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Prism did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes('Prism is listening')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`Prism exited (${code}) before listening:\n${output}`));
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    }
    function done() {
      cleanup();
      resolve();
    }
    function fail(error: Error) {
      cleanup();
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

function parseViolations(header: string | string[] | undefined): unknown[] | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [text];
  }
}

/** Where the recording proxy sends one request: Prism's port, or straight to an upstream for paths the spec lacks. */
interface ProxyTarget {
  port: number;
  /** Recorded in `exchanges` (a request to a path outside the spec bypasses Prism and is not). */
  record: boolean;
}

async function startRecordingProxy(
  targetFor: (path: string) => ProxyTarget,
  mock: PrismMock,
  overrides: NextRequestOverride[],
  limits: ProviderLimits,
): Promise<http.Server> {
  const counts = mock.limits;
  const proxy = http.createServer((req, res) => {
    const arrived = performance.now();
    const chunks: Buffer[] = [];
    // Over the limit: refused at once, as the provider does, without reaching Prism.
    const refused = limits.maxConcurrent !== undefined && counts.inFlight >= limits.maxConcurrent;
    if (!refused) counts.peakInFlight = Math.max(counts.peakInFlight, ++counts.inFlight);
    let released = refused;
    // The slot is freed before the answer's first byte leaves, so a client that starts its next
    // request on seeing an answer never finds its own finished request still counted.
    const release = () => {
      if (!released) counts.inFlight--;
      released = true;
    };
    res.on('close', release);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (refused) {
        counts.refused++;
        const answer = limits.refusal?.() ?? { status: 429, headers: {}, body: '' };
        mock.exchanges.push({
          method: req.method ?? '',
          path: req.url ?? '',
          requestHeaders: req.headers,
          requestBody: body.toString('utf8'),
          status: answer.status,
        });
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      const target = targetFor(req.url ?? '/');
      const matching = target.record
        ? overrides.findIndex((o) => !o.when || o.when({ method: req.method ?? '', path: req.url ?? '', body: body.toString('utf8') }))
        : -1;
      const override = (matching >= 0 ? overrides.splice(matching, 1)[0] : undefined) ?? {};
      const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${target.port}` };
      if (override.prefer) headers.prefer = override.prefer;
      if (override.dropAuthorization) delete headers.authorization;

      const roundTrip = limits.roundTripMs?.(req.method ?? '', req.url ?? '') ?? 0;
      const upstream = http.request({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        // The whole answer is read before the round trip is up, so the held time is not spent streaming.
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const send = () => {
            release();
            if (target.record)
              mock.exchanges.push({
                method: req.method ?? '',
                path: req.url ?? '',
                requestHeaders: req.headers,
                requestBody: body.toString('utf8'),
                status: answer.statusCode ?? 0,
                violations: parseViolations(answer.headers['sl-violations']),
              });
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          };
          const wait = roundTrip - (performance.now() - arrived);
          if (wait > 0) setTimeout(send, wait);
          else send();
        });
      });
      upstream.on('error', (error) => {
        release();
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`recording proxy could not reach its target: ${error.message}`);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return proxy;
}

/**
 * Starts `prism mock` on a free port. The port is free when chosen but Prism binds it a second
 * later, and another test process may take it meanwhile: on EADDRINUSE it tries another port.
 */
async function startPrism(command: readonly string[]) {
  for (let attempt = 1; ; attempt++) {
    const prismPort = await freePort();
    const child = spawn(PRISM_BIN, [...command, '-p', String(prismPort), '-h', '127.0.0.1'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      await exited;
    };
    try {
      await waitForListening(child);
      return { child, prismPort, stop };
    } catch (error) {
      await stop();
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes('EADDRINUSE')) throw error;
    }
  }
}

/**
 * Runs `prism mock` on a provider's OpenAPI spec with a recording proxy in front, so tests can
 * assert that every request the real client made passed the contract (2xx, no `sl-violations`)
 * even when the client library hides response headers. Start once per test file.
 */
export async function startPrismMock(specPath: string, limits: ProviderLimits = {}): Promise<PrismMock> {
  return startRecordedPrism(['mock', specPath], (prismPort) => () => ({ port: prismPort, record: true }), limits);
}

export interface PrismProxyOptions {
  /**
   * Paths the spec does not describe (an OAuth token endpoint): sent straight to the upstream,
   * since Prism would flag any request it cannot route, and left out of `exchanges`.
   */
  bypass?: (path: string) => boolean;
}

/**
 * Runs `prism proxy` on a provider's OpenAPI spec in front of a stateful stand-in at
 * `upstreamUrl`: every request and the stand-in's answer are checked against the spec (the
 * violations come back in `sl-violations`, recorded per exchange), while the answers themselves
 * come from the stand-in, so state changes and duplicate answers stay realistic. Without
 * `--errors` Prism forwards even a violating request, so a test sees the violation rather than a
 * substituted error. Start once per test file.
 */
export async function startPrismProxy(specPath: string, upstreamUrl: string, options: PrismProxyOptions = {}): Promise<PrismMock> {
  const upstreamPort = Number(new URL(upstreamUrl).port);
  return startRecordedPrism(
    ['proxy', specPath, upstreamUrl],
    (prismPort) => (path) => (options.bypass?.(path) ? { port: upstreamPort, record: false } : { port: prismPort, record: true }),
  );
}

async function startRecordedPrism(
  command: readonly string[],
  routing: (prismPort: number) => (path: string) => ProxyTarget,
  limits: ProviderLimits = {},
): Promise<PrismMock> {
  const { child, prismPort, stop } = await startPrism(command);
  // Keep draining Prism's log so a full pipe never stalls it.
  child.stdout.resume();
  child.stderr.resume();

  const overrides: NextRequestOverride[] = [];
  const mock: PrismMock = {
    url: '',
    exchanges: [],
    limits: { inFlight: 0, peakInFlight: 0, refused: 0 },
    overrideNext: (override) => overrides.push(override),
    close: async () => undefined,
  };
  const proxy = await startRecordingProxy(routing(prismPort), mock, overrides, limits);
  mock.url = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  mock.close = async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await stop();
  };
  return mock;
}
