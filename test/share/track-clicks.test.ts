import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { countOf, track, trackingProgram } from '../support/track-client.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const ROBOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
];

describe('POST /api/v1/track/click', () => {
  it('records a click for the code, with the page it landed on, and answers only its id', async () => {
    const p = await trackingProgram(h);
    const res = await track(h, 'click', {
      key: p.key,
      code: p.code.toLowerCase(),
      url: 'https://shop.example/welcome?ref=x',
      referrer: 'https://t.co/abc',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Object.keys(res.body)).toEqual(['clickId', 'cookieDays']);
    const [row] = await h.db.sql`select * from clicks where id = ${res.body.clickId}`;
    expect(row).toMatchObject({ program_id: p.program.id, member_id: p.member.id, landing_url: 'https://shop.example/welcome?ref=x' });
    expect(row!.ip_hash).toBeNull(); // app.request has no socket; over HTTP it is the salted hash
  });

  it('accepts a text/plain body (sendBeacon) and one with no content type', async () => {
    const p = await trackingProgram(h);
    const plain = await track(h, 'click', JSON.stringify({ key: p.key, code: p.code }), {
      contentType: 'text/plain;charset=UTF-8',
      cookie: 'rh_vid=visitor-plain-1',
    });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    const none = await track(h, 'click', JSON.stringify({ key: p.key, code: p.code }), {
      contentType: null,
      cookie: 'rh_vid=visitor-plain-2',
    });
    expect(none.status, JSON.stringify(none.body)).toBe(200);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(2);
  });

  it('robots and headless browsers are answered 204 and not counted; HEAD records nothing', async () => {
    const p = await trackingProgram(h);
    for (const ua of ROBOTS) {
      const res = await track(h, 'click', { key: p.key, code: p.code }, { userAgent: ua });
      expect(res.status, ua).toBe(204);
    }
    const head = await track(h, 'click', undefined, { method: 'HEAD' });
    expect(head.status).toBeGreaterThanOrEqual(400);
    expect(head.status).toBeLessThan(500);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(0);
    // A person with the same key and code is counted: the robots above were refused for what they are.
    expect((await track(h, 'click', { key: p.key, code: p.code })).status).toBe(200);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(1);
  });

  it('the same visitor (rh_vid) on the same code within 30 minutes is one click with one id', async () => {
    const p = await trackingProgram(h);
    const first = await track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=visitor-aaaa-1111' });
    const again = await track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=visitor-aaaa-1111', userAgent: FIREFOX });
    expect(again.body.clickId).toBe(first.body.clickId);
    const other = await track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=visitor-bbbb-2222' });
    expect(other.body.clickId).not.toBe(first.body.clickId);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(2);
    const [row] = await h.db.sql`select visitor_id from clicks where id = ${first.body.clickId}`;
    expect(row!.visitor_id).toBe('visitor-aaaa-1111');

    // Thirty minutes later the same visitor's click counts again.
    await h.db.sql`update clicks set created_at = now() - interval '31 minutes' where id = ${first.body.clickId}`;
    const later = await track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=visitor-aaaa-1111' });
    expect(later.body.clickId).not.toBe(first.body.clickId);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(3);
  });

  it('without the cookie, the address and user agent identify the visitor', async () => {
    const p = await trackingProgram(h);
    const first = await track(h, 'click', { key: p.key, code: p.code });
    const again = await track(h, 'click', { key: p.key, code: p.code });
    expect(again.body.clickId).toBe(first.body.clickId);
    const otherBrowser = await track(h, 'click', { key: p.key, code: p.code }, { userAgent: FIREFOX });
    expect(otherBrowser.body.clickId).not.toBe(first.body.clickId);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(2);
    const [row] = await h.db.sql`select visitor_id from clicks where id = ${first.body.clickId}`;
    expect(row!.visitor_id).toMatch(/^h_[0-9a-f]{40}$/);
  });

  it('twenty repeats sent at once still make one click', async () => {
    const p = await trackingProgram(h);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => track(h, 'click', { key: p.key, code: p.code }, { cookie: 'rh_vid=visitor-burst-01' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.clickId)).size).toBe(1);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(1);
  });

  it('a code of another program, or none at all, is 422 and records nothing', async () => {
    const p = await trackingProgram(h);
    const other = await trackingProgram(h);
    const res = await track(h, 'click', { key: p.key, code: other.code });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'code' })]);
    expect(await countOf(h, 'clicks', other.member.id)).toBe(0);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(0);
  });

  it('a paused program records nothing (403)', async () => {
    const p = await trackingProgram(h);
    expect((await h.call('PATCH', `/api/v1/programs/${p.program.id}`, { status: 'paused' })).status).toBe(200);
    const res = await track(h, 'click', { key: p.key, code: p.code });
    expect(res.status).toBe(403);
    expect(await countOf(h, 'clicks', p.member.id)).toBe(0);
  });
});
