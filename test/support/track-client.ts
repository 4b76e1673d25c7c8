import { programWithMember } from './fixtures.js';
import type { Harness } from './hub-harness.js';

export const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

export interface TrackRequest {
  /** Default https://shop.example; null sends none. */
  origin?: string | null;
  referer?: string;
  /** Default application/json; null sends none. */
  contentType?: string | null;
  userAgent?: string;
  cookie?: string;
  headers?: Record<string, string>;
  method?: string;
}

export interface TrackAnswer {
  status: number;
  body: any;
  headers: Headers;
}

/** A call to a public tracking endpoint as a browser on a merchant's page would make it (no API key). */
export async function track(
  h: Harness,
  path: 'click' | 'conversion' | 'join',
  body: unknown,
  req: TrackRequest = {},
): Promise<TrackAnswer> {
  const headers: Record<string, string> = { 'user-agent': req.userAgent ?? CHROME, ...req.headers };
  const origin = req.origin === undefined ? 'https://shop.example' : req.origin;
  if (origin !== null) headers.origin = origin;
  if (req.referer) headers.referer = req.referer;
  const contentType = req.contentType === undefined ? 'application/json' : req.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  if (req.cookie) headers.cookie = req.cookie;
  const res = await h.app.request(`/api/v1/track/${path}`, {
    method: req.method ?? 'POST',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** A program whose pages on shop.example and its subdomains may track, with web conversions on unless told. */
export async function trackingProgram(h: Harness, share: Record<string, unknown> = {}) {
  const { program, member } = await programWithMember(h, [], {
    share: { allowedHostnames: ['shop.example', '*.shop.example'], webConversions: true, ...share },
  });
  return { program, member, key: program.publishableKey as string, code: member.referralCode as string };
}

export const countOf = async (h: Harness, table: 'clicks' | 'referrals', memberId: string) =>
  (await h.db.sql`select count(*)::int as n from ${h.db.sql(table)} where member_id = ${memberId}`)[0]!.n as number;
