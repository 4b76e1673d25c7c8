import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { buildReferralScript } from '../../hub/routes/referral-script-routes.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

it('GET /referral.js serves the built script, small, revalidated by ETag, pinned versions cached for a year', async () => {
  const res = await h.app.request('/referral.js');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('application/javascript');
  expect(res.headers.get('cache-control')).toBe('public, max-age=300');
  const etag = res.headers.get('etag')!;
  const code = await res.text();
  expect(code).toContain('/api/v1/track/conversion');
  expect(code).not.toMatch(/\bimport\b|\brequire\(/);
  // A few kB: the whole script is smaller gzipped than a typical hero image's header.
  const { gzipBytes, version } = await buildReferralScript();
  expect(gzipBytes).toBeLessThan(4096);

  const again = await h.app.request('/referral.js', { headers: { 'if-none-match': etag } });
  expect(again.status).toBe(304);
  const pinned = await h.app.request(`/referral.js?v=${version}`);
  expect(pinned.headers.get('cache-control')).toContain('immutable');
});
