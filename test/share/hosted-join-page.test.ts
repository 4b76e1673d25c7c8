import { afterAll, beforeAll, expect, it } from 'vitest';
import { COPY_SCRIPT } from '../../hub/pages/page-assets.js';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { formsOf, servePages } from '../support/page-browser.js';

let h: Harness;
let pages: Awaited<ReturnType<typeof servePages>>;

beforeAll(async () => {
  h = await createHarness({ worker: false, trustedProxies: ['127.0.0.0/8'] });
  pages = await servePages(h);
});
afterAll(async () => {
  await pages?.close();
  await h?.close();
});

const membersOf = (programId: string) =>
  h.db.sql`select email, first_name, referral_code, visitor_id from members where program_id = ${programId} order by created_at`;
const linkOn = (html: string) => /<input id="member-link" type="url" readonly="" value="([^"]+)"\/>/.exec(html)?.[1];

it('signs up with email and first name and shows the link read-only, a copy button for scripts, and share links', async () => {
  const { program } = await programWithMember(h, [], { share: { offer: { headline: 'Give $10, get $20' } } });
  const browser = pages.browser();
  const page = await browser.get(`/p/${program.slug}/join`);
  expect(page.status).toBe(200);
  expect(formsOf(page.html)[0]!.action).toBe(`/p/${program.slug}/join`);
  expect(page.html).toContain('<label for="f-first_name">First name</label>');
  expect(page.html).toContain('aria-describedby="f-first_name-hint"');

  const done = await browser.submit(page, { email: 'Dana@Example.com', first_name: 'Dana' });
  expect(done.status).toBe(200);
  const [member] = await membersOf(program.id).then((rows) => rows.filter((m) => m.first_name === 'Dana'));
  expect(member).toMatchObject({ email: 'Dana@Example.com', visitor_id: browser.cookies.get('rh_vid') });
  const url = `http://hub.test/r/${member!.referral_code}`;
  expect(linkOn(done.html)).toBe(url);
  // Hidden until the script shows it: without scripts the field is there to select by hand.
  expect(done.html).toContain('<button type="button" data-copy="member-link" data-status="copy-status" hidden="">Copy link</button>');
  expect(done.html).toContain('<p id="copy-status" class="muted" role="status" aria-live="polite"></p>');
  expect(done.html).toContain(`<script>${COPY_SCRIPT}</script>`);
  const u = encodeURIComponent(url);
  const message = encodeURIComponent('Give $10, get $20');
  for (const href of [
    `mailto:?subject=${message}&amp;body=${encodeURIComponent(`Give $10, get $20\n\n${url}`)}`,
    `https://x.com/intent/tweet?text=${message}&amp;url=${u}`,
    `https://wa.me/?text=${encodeURIComponent(`Give $10, get $20 ${url}`)}`,
    `https://www.linkedin.com/sharing/share-offsite/?url=${u}`,
  ]) {
    expect(done.html).toContain(`href="${href}"`);
  }
  expect(done.html).toContain('rel="noopener noreferrer"');
});

it('is idempotent per email: the same address in any case gets the same member and link', async () => {
  const { program } = await programWithMember(h, []);
  const first = pages.browser();
  const one = await first.submit(await first.get(`/p/${program.slug}/join`), { email: 'eli@example.com', first_name: 'Eli' });
  const second = pages.browser();
  const two = await second.submit(await second.get(`/p/${program.slug}/join`), { email: 'ELI@example.com', first_name: 'Elias' });

  expect(two.status).toBe(200);
  expect(linkOn(two.html)).toBe(linkOn(one.html));
  const eli = (await membersOf(program.id)).filter((m) => m.email.toLowerCase() === 'eli@example.com');
  expect(eli).toHaveLength(1);
  // The first sign-up's name and browser stay.
  expect(eli[0]).toMatchObject({ first_name: 'Eli', visitor_id: first.cookies.get('rh_vid') });
});

it('asks for the first name and a valid email with messages next to the fields (422), creating nobody', async () => {
  const { program } = await programWithMember(h, []);
  const browser = pages.browser();
  const refused = await browser.submit(await browser.get(`/p/${program.slug}/join`), { email: 'fay@', first_name: '' });
  expect(refused.status).toBe(422);
  expect(refused.html).toContain('<p class="error" id="f-email-error">Enter an email address like name@example.com.</p>');
  expect(refused.html).toContain('<p class="error" id="f-first_name-error">Enter your first name.</p>');
  expect(refused.html).toContain('aria-describedby="f-first_name-hint f-first_name-error"');
  expect(linkOn(refused.html)).toBeUndefined();
  expect(await membersOf(program.id)).toHaveLength(1);
});

it('a filled honeypot is thanked and creates nobody; a paused program takes no sign-ups', async () => {
  const { program } = await programWithMember(h, []);
  const browser = pages.browser();
  const robot = await browser.submit(await browser.get(`/p/${program.slug}/join`), {
    email: 'bot@example.com',
    first_name: 'Bot',
    website: 'x',
  });
  expect(robot.status).toBe(200);
  expect(robot.html).toContain('Thank you!');
  expect(linkOn(robot.html)).toBeUndefined();

  const page = await browser.get(`/p/${program.slug}/join`);
  expect((await h.call('PATCH', `/api/v1/programs/${program.id}`, { status: 'paused' })).status).toBe(200);
  expect((await browser.get(`/p/${program.slug}/join`)).html).toContain('is paused for now');
  const late = await browser.submit(page, { email: 'gus@example.com', first_name: 'Gus' });
  expect(late.html).toContain('is paused for now');
  expect(await membersOf(program.id)).toHaveLength(1);
});
