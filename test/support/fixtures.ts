import { expect } from 'vitest';
import type { Harness } from './hub-harness.js';
import { waitFor } from './hub-harness.js';
import { lifecycleBacklog } from '../../workflows/dispatch/lifecycle-dispatcher.js';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Creates a program with the given rules and one member; returns their public JSON. */
export async function programWithMember(h: Harness, rewardRules: unknown[], extra: Record<string, unknown> = {}) {
  const slug = `p-${unique()}`;
  const program = await h.call('POST', '/api/v1/programs', {
    name: `Program ${slug}`,
    slug,
    landingUrl: 'https://acme.example/welcome',
    currency: 'USD',
    rewardRules,
    ...extra,
  });
  expect(program.status, JSON.stringify(program.body)).toBe(201);
  const member = await h.call('POST', '/api/v1/members', {
    programId: program.body.id,
    email: `ann-${unique()}@acme-partners.test`,
    firstName: 'Ann',
  });
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  return { program: program.body, member: member.body };
}

export async function convert(h: Harness, programId: string, referralCode: string, extra: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: `friend-${unique()}@example.com`, ...extra });
  expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
  return res.body;
}

export async function rewardsOf(h: Harness, referralId: string): Promise<any[]> {
  const res = await h.call('GET', `/api/v1/rewards?referralId=${referralId}&limit=200`);
  expect(res.status).toBe(200);
  return res.body.data;
}

/** Waits until the referral has exactly `n` rewards matching `filter`, then returns them. */
export async function waitForRewards(
  h: Harness,
  referralId: string,
  n: number,
  filter: (r: any) => boolean = () => true,
  timeoutMs = 15_000,
) {
  return waitFor(
    async () => {
      const all = (await rewardsOf(h, referralId)).filter(filter);
      return all.length === n ? all : undefined;
    },
    timeoutMs,
    `${n} rewards for ${referralId}`,
  );
}

/** Lets in-flight workflow work settle so a "nothing more happens" assertion means something. */
export async function settle(h: Harness, _referralId: string, ms = 1500) {
  await waitFor(async () => (await lifecycleBacklog(h.db.sql)).count === 0, 10_000, 'dispatcher caught up');
  await new Promise((r) => setTimeout(r, ms));
}
