import { expect } from 'vitest';
import type { Harness } from './hub-harness.js';
import { waitFor } from './hub-harness.js';

/** A member's payouts through the API, newest first. */
export async function payoutsOf(h: Harness, memberId: string): Promise<any[]> {
  const res = await h.call('GET', `/api/v1/payouts?memberId=${memberId}&limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** A member's rewards through the API, newest first. */
export async function memberRewards(h: Harness, memberId: string): Promise<any[]> {
  const res = await h.call('GET', `/api/v1/rewards?memberId=${memberId}&limit=200`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

/** Waits until the member has a payout matching `match`, and returns it. */
export function waitForPayout(h: Harness, memberId: string, match: (p: any) => boolean, timeoutMs = 20_000, what = 'a payout') {
  return waitFor(async () => (await payoutsOf(h, memberId)).find(match), timeoutMs, what);
}

/** Waits until the payout with this id matches, and returns it. */
export function waitForPayoutState(h: Harness, payoutId: string, match: (p: any) => boolean, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const res = await h.call('GET', `/api/v1/payouts/${payoutId}`);
      return res.status === 200 && match(res.body) ? res.body : undefined;
    },
    timeoutMs,
    `payout ${payoutId} to change`,
  );
}

/** Creates a connector through the API and returns its JSON (201 expected). */
export async function createConnector(h: Harness, input: Record<string, unknown>) {
  const res = await h.call('POST', '/api/v1/connectors', { secrets: {}, ...input });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Event types in the event log for one subject, oldest first. */
export async function eventTypesOf(h: Harness, subjectId: string): Promise<string[]> {
  const rows = await h.db.sql`select type from events where subject_id = ${subjectId} order by seq`;
  return rows.map((r) => r.type as string);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
