/** Where a member's link can be shared in one tap: prefilled messages on each service. */
export function shareLinks(url: string, message: string) {
  const u = encodeURIComponent(url);
  const text = encodeURIComponent(message);
  return [
    { label: 'Email', href: `mailto:?subject=${text}&body=${encodeURIComponent(`${message}\n\n${url}`)}` },
    { label: 'X', href: `https://x.com/intent/tweet?text=${text}&url=${u}` },
    { label: 'WhatsApp', href: `https://wa.me/?text=${encodeURIComponent(`${message} ${url}`)}` },
    { label: 'LinkedIn', href: `https://www.linkedin.com/sharing/share-offsite/?url=${u}` },
  ];
}

/**
 * The member's link in a read-only field (selectable by hand without scripts), a copy button the
 * page script reveals, and share links that open the service in a new tab.
 */
export function SharePanel(props: { url: string; message: string }) {
  return (
    <div>
      <label for="member-link">Your referral link</label>
      <input id="member-link" type="url" readonly value={props.url} />
      <button type="button" data-copy="member-link" data-status="copy-status" hidden>
        Copy link
      </button>
      <p id="copy-status" class="muted" role="status" aria-live="polite"></p>
      <h2 id="share-heading">Share it</h2>
      <ul class="share" aria-labelledby="share-heading">
        {shareLinks(props.url, props.message).map((s) =>
          // The mail app opens by itself; a new tab for it would stay behind empty.
          s.href.startsWith('mailto:') ? (
            <li>
              <a class="button secondary" href={s.href}>
                {s.label}
              </a>
            </li>
          ) : (
            <li>
              <a class="button secondary" href={s.href} target="_blank" rel="noopener noreferrer">
                {s.label}
                <span class="sr-only"> (opens in a new tab)</span>
              </a>
            </li>
          ),
        )}
      </ul>
    </div>
  );
}
