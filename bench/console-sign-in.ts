import { request, type Dispatcher } from 'undici';

/** Cookies a response sets, as one Cookie header value (name=value pairs only). */
function cookiesOf(headers: Record<string, string | string[] | undefined>, jar: Map<string, string>): void {
  const set = headers['set-cookie'];
  for (const line of Array.isArray(set) ? set : set ? [set] : []) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
}

/**
 * Signs in to the console as a browser would (GET /login for the form token, POST it) and
 * returns the Cookie header that carries the session, for benches of console-only downloads.
 */
export async function consoleSignIn(base: string, email: string, password: string, dispatcher: Dispatcher): Promise<string> {
  const jar = new Map<string, string>();
  const page = await request(`${base}/login`, { dispatcher });
  cookiesOf(page.headers, jar);
  const html = await page.body.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no sign-in form token');
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await request(`${base}/login`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie(), origin: base },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '' }).toString(),
  });
  cookiesOf(res.headers, jar);
  await res.body.dump();
  if (res.statusCode !== 303 && res.statusCode !== 302) throw new Error(`sign-in answered ${res.statusCode}`);
  return cookie();
}
