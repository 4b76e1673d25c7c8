/**
 * referral.js: the browser side of a referral program. No dependencies, a few kB, loaded async:
 *
 *   <script>!function(w,n){w[n]=w[n]||function(){(w[n].q=w[n].q||[]).push(arguments)}}(window,'rh')</script>
 *   <script async src="https://hub.example/referral.js" data-key="rh_pk_…"></script>
 *
 * It keeps the referral code from the landing URL in a first-party cookie and records clicks and
 * conversions through the hub's public tracking endpoints with the program's publishable key.
 * With `data-api="/_rh"` it calls the merchant's own origin (proxied to the hub) instead, so the
 * hub's Set-Cookie is first-party and outlives browsers' caps on cookies written by scripts.
 */

type Callback = (value: unknown) => void;
type Command = [string, ...unknown[]];
interface Queue {
  (...args: unknown[]): void;
  q?: IArguments[] | unknown[][];
  loaded?: boolean;
}
interface ConversionInput {
  email: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  orderId?: string;
  amount?: number;
  currency?: string;
}

((w: Window & { rh?: Queue }, d: Document) => {
  if (w.rh?.loaded) return;
  const script = (d.currentScript ?? d.querySelector('script[data-key]')) as HTMLScriptElement | null;
  if (!script) return;
  const key = script.getAttribute('data-key') ?? '';
  const apiBase = (script.getAttribute('data-api') ?? new URL(script.src).origin).replace(/\/+$/, '');
  const refParam = script.getAttribute('data-ref-param') ?? 'ref';
  const firstClick = script.getAttribute('data-attribution') === 'first_click';
  const cookieDays = Number(script.getAttribute('data-cookie-days') ?? '30') || 30;
  const COOKIE = 'rh_ref';

  const readCookie = (): string | null => {
    const match = d.cookie.match(/(?:^|;\s*)rh_ref=([^;]*)/);
    return match ? decodeURIComponent(match[1]!) : null;
  };
  const writeCookie = (code: string, days: number) => {
    const secure = location.protocol === 'https:' ? '; Secure' : '';
    d.cookie = `${COOKIE}=${encodeURIComponent(code)}; Max-Age=${Math.round(days * 86400)}; Path=/; SameSite=Lax${secure}`;
  };

  const post = (path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> =>
    fetch(apiBase + path, {
      method: 'POST',
      // text/plain keeps it a "simple" request: no preflight, and the same shape sendBeacon sends.
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ key, ...body }),
      // Cookies only travel to the page's own origin (proxy mode); the hub's own are not needed.
      credentials: 'same-origin',
      keepalive: true,
    }).then(async (res) => {
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok) throw Object.assign(new Error(`referral hub answered ${res.status}`), { status: res.status, body: json });
      return json;
    });

  /** The landing URL's code: kept (last click wins unless the site asked for first click) and recorded as a click. */
  const captureRef = () => {
    const code = new URL(location.href).searchParams.get(refParam);
    if (!code || !/^[A-Za-z0-9_-]{1,64}$/.test(code)) return;
    if (firstClick && readCookie()) return;
    writeCookie(code, cookieDays);
    post('/api/v1/track/click', { code, url: location.href, referrer: d.referrer || undefined })
      .then((res) => {
        if (typeof res.cookieDays === 'number') writeCookie(code, res.cookieDays);
      })
      .catch(() => {});
  };

  const convert = (input: ConversionInput, cb?: Callback): Promise<unknown> => {
    const code = readCookie();
    const result = code
      ? post('/api/v1/track/conversion', { code, ...input })
      : Promise.resolve({ referralId: null, reason: 'no_referral' });
    return result.then(
      (value) => (cb?.(value), value),
      (err: unknown) => {
        cb?.({ error: err instanceof Error ? err.message : String(err) });
        throw err;
      },
    );
  };

  /** Form submissions must not wait for us: a beacon survives the page unloading. */
  const beaconConversion = (input: ConversionInput) => {
    const code = readCookie();
    if (!code || !input.email) return;
    const body = JSON.stringify({ key, code, ...input });
    const sent =
      typeof navigator.sendBeacon === 'function' &&
      navigator.sendBeacon(apiBase + '/api/v1/track/conversion', new Blob([body], { type: 'text/plain;charset=UTF-8' }));
    if (!sent) void post('/api/v1/track/conversion', { code, ...input }).catch(() => {});
  };

  const attachForms = () => {
    d.addEventListener(
      'submit',
      (event) => {
        const form = event.target as HTMLFormElement | null;
        if (!form || !form.matches('form[data-rh-form]')) return;
        const field = (name: string) => {
          const el = form.elements.namedItem(name) as HTMLInputElement | null;
          return el && typeof el.value === 'string' && el.value.trim() ? el.value.trim() : undefined;
        };
        const email = field('email');
        if (email)
          beaconConversion({
            email,
            firstName: field('first_name'),
            lastName: field('last_name'),
            phone: field('phone'),
            orderId: field('order_id'),
          });
      },
      true,
    );
  };

  /** Join by email, then the member's own link with copy and share buttons. */
  const widget = (options: { target: string | Element }) => {
    const host = typeof options.target === 'string' ? d.querySelector(options.target) : options.target;
    if (!host) return;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, text?: string) => {
      const node = d.createElement(tag);
      for (const [k, v] of Object.entries(props)) node.setAttribute(k, v);
      if (text) node.textContent = text;
      return node;
    };
    const form = el('form', { class: 'rh-widget' });
    const label = el('label', {}, 'Your email');
    const input = el('input', { type: 'email', name: 'email', required: '', autocomplete: 'email' });
    label.append(input);
    const button = el('button', { type: 'submit' }, 'Get my referral link');
    const status = el('p', { role: 'status', 'aria-live': 'polite' });
    form.append(label, button, status);
    host.replaceChildren(form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      button.disabled = true;
      status.textContent = '…';
      post('/api/v1/track/join', { email: input.value })
        .then((res) => {
          const link = String(res.referralUrl ?? '');
          const box = el('div', { class: 'rh-widget' });
          const linkInput = el('input', { type: 'text', readonly: '', value: link, 'aria-label': 'Your referral link' });
          const copy = el('button', { type: 'button' }, 'Copy link');
          copy.addEventListener('click', () => {
            void navigator.clipboard?.writeText(link).catch(() => {});
            linkInput.select();
            copy.textContent = 'Copied';
          });
          const share = el('p');
          const text = encodeURIComponent(link);
          for (const [name, href] of [
            ['Email', `mailto:?body=${text}`],
            ['X', `https://x.com/intent/post?url=${text}`],
            ['WhatsApp', `https://wa.me/?text=${text}`],
            ['LinkedIn', `https://www.linkedin.com/sharing/share-offsite/?url=${text}`],
          ] as const) {
            share.append(el('a', { href, target: '_blank', rel: 'noopener' }, name), ' ');
          }
          box.append(linkInput, copy, share);
          host.replaceChildren(box);
        })
        .catch(() => {
          button.disabled = false;
          status.textContent = 'Sorry, that did not work. Please try again.';
        });
    });
  };

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    convert: (input, cb) => convert(input as ConversionInput, cb as Callback | undefined).catch(() => {}),
    getReferral: (cb) => {
      const code = readCookie();
      (cb as Callback)(code ? { code } : null);
    },
    attachForms: () => attachForms(),
    widget: (options) => widget(options as { target: string | Element }),
  };
  const run = (args: ArrayLike<unknown>) => {
    const [name, ...rest] = Array.from(args) as Command;
    commands[name]?.(...rest);
  };

  const pending = w.rh?.q ?? [];
  const rh: Queue = (...args: unknown[]) => run(args);
  rh.loaded = true;
  w.rh = rh;
  captureRef();
  for (const args of pending) run(args as ArrayLike<unknown>);
})(window, document);
