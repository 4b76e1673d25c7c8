import { createHash } from 'node:crypto';

/**
 * The hosted pages' only stylesheet and script, inline so a page is one request, and allowed by
 * their SHA-256 in the Content-Security-Policy instead of 'unsafe-inline': nothing injected into
 * a page could run or restyle it.
 */
export const PAGE_CSS = [
  '*{box-sizing:border-box}',
  '[hidden]{display:none!important}',
  'html{-webkit-text-size-adjust:100%}',
  'body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;background:#f4f4f1}',
  'main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem 3rem}',
  'h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 1rem}',
  'h2{font-size:1.15rem;margin:1.75rem 0 .5rem}',
  '.card{background:#fff;border:1px solid #c9c9c2;border-radius:.75rem;padding:1.25rem;margin-top:1rem}',
  '.eyebrow{color:#4a4a44;font-weight:600;margin:0}',
  '.offer{font-size:1.1rem}',
  '.muted{color:#4a4a44}',
  'label{display:block;font-weight:600;margin:1rem 0 .25rem}',
  'input{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid #65655e;border-radius:.5rem;background:#fff;color:#1a1a1a}',
  'input[readonly]{background:#f4f4f1}',
  'input[aria-invalid=true]{border:2px solid #a3001b}',
  '.error{color:#a3001b;font-weight:600;margin:.3rem 0 0}',
  '.alert{border-left:4px solid #a3001b;padding:.5rem .75rem;background:#fff4f5}',
  'button,.button{display:inline-block;font:inherit;font-weight:600;padding:.65rem 1.1rem;margin:1rem .5rem 0 0;border:2px solid #1d47b8;' +
    'border-radius:.5rem;background:#1d47b8;color:#fff;text-decoration:none;cursor:pointer}',
  '.secondary{background:#fff;color:#1d47b8}',
  'a{color:#1d47b8}',
  ':focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}',
  '.share{display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:.5rem 0 0;list-style:none}',
  '.share .button{margin:0}',
  // Out of sight and out of the accessibility tree, but still in the form for robots that fill every field.
  '.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}',
  '.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);border:0}',
  'table{width:100%;border-collapse:collapse;font-size:.95rem}',
  'th,td{text-align:left;padding:.45rem .3rem;border-bottom:1px solid #dcdcd5;vertical-align:top}',
  '.stat{font-size:2rem;font-weight:700;margin:0}',
].join('\n');

/**
 * The copy button: shown only when scripts run (the link sits in a read-only field people can
 * select by hand otherwise); the async clipboard where the page is a secure context, else
 * selecting the field and the older copy command.
 */
export const COPY_SCRIPT = `(function () {
  var buttons = document.querySelectorAll('[data-copy]');
  for (var i = 0; i < buttons.length; i++) (function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    var status = document.getElementById(button.getAttribute('data-status'));
    if (!field || !status) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      function done(ok) { status.textContent = ok ? 'Link copied.' : 'Select the link and copy it (Ctrl+C or \\u2318C).'; }
      function fallback() {
        field.focus();
        field.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        done(ok);
      }
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(function () { done(true); }, fallback);
      else fallback();
    });
  })(buttons[i]);
})();`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const PAGE_CSS_HASH = sha256(PAGE_CSS);
export const COPY_SCRIPT_HASH = sha256(COPY_SCRIPT);
