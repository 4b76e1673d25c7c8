/** The page a browser request came from: its origin (for CORS) and lower-case hostname (for the allow-list). */
export interface PageOrigin {
  origin: string;
  hostname: string;
}

function parse(value: string): PageOrigin | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    return { origin: url.origin, hostname: url.hostname.toLowerCase() };
  } catch {
    return undefined;
  }
}

/**
 * The calling page, from `Origin`, else from `Referer` (a beacon or an old browser may send only
 * that). An `Origin` that is present but not a web origin (`null` from a sandboxed frame or a
 * file) names no page, and the Referer is not consulted: the browser chose to hide the caller.
 */
export function pageOrigin(origin: string | undefined, referer: string | undefined): PageOrigin | undefined {
  if (origin !== undefined) return parse(origin);
  return referer === undefined ? undefined : parse(referer);
}
