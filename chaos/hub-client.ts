/** The parts of a hub answer the soak reads (anything else passes through untyped). */
export interface HubBody extends Record<string, unknown> {
  id?: string;
  email?: string;
  referralCode?: string;
  error?: { code?: string; message?: string };
}

export interface HubAnswer {
  status: number;
  body: HubBody;
}

/** What became of a request sent until it was answered for good (or the soak gave up on it). */
export type Outcome =
  { kind: 'accepted'; answer: HubAnswer } | { kind: 'rejected'; answer: HubAnswer } | { kind: 'unknown'; lastError: string };

/** Answers that mean "not done, try again": the hub, its database or Temporal is down, or busy. */
const RETRYABLE = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Calls the hubs round-robin, the way a client behind a load balancer does. */
export function createHubClient(hubUrls: string[], adminKey: string) {
  let turn = 0;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HubAnswer> => {
    const base = hubUrls[turn++ % hubUrls.length]!;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: HubBody;
    try {
      parsed = JSON.parse(text) as HubBody;
    } catch {
      // Not JSON (a proxy's error page): keep the text.
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  };

  /**
   * Sends until the hub gives a final answer: a network error, 5xx, 429 or an idempotency key
   * still in progress means "try again", with the same request (and so the same key) every time.
   */
  const untilAnswered = async (
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    until: () => boolean,
  ): Promise<Outcome & { attempts: number }> => {
    for (let attempt = 1; ; attempt++) {
      let lastError: string;
      try {
        const answer = await call(method, path, body, headers);
        const inProgress =
          answer.status === 409 &&
          answer.body?.error?.code === 'idempotency_conflict' &&
          /in progress/.test(answer.body.error.message ?? '');
        if (answer.status < 300) return { kind: 'accepted', answer, attempts: attempt };
        if (!RETRYABLE.has(answer.status) && !inProgress) return { kind: 'rejected', answer, attempts: attempt };
        lastError = `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
      } catch (err) {
        lastError = String(err);
      }
      if (until()) return { kind: 'unknown', lastError, attempts: attempt };
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2)));
    }
  };

  return { call, untilAnswered };
}

export type HubClient = ReturnType<typeof createHubClient>;
