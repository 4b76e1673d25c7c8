import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';
import { payoutWorkflowId } from '../../workflows/sandboxed/payout-signal.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const statusOf = async (id: string) => (await h.call('GET', `/api/v1/payouts/${id}`)).body.status as string;

it('a payout left sending with no workflow behind it (a start lost while Temporal was away) is started again by the sweep', async () => {
  const { program, member } = await programWithMember(h, [
    { name: 'Cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 15 }, kind: 'cash' },
  ]);
  // Paid by hand, so the payout stops at `sent` once its workflow has run.
  const manual = await h.call('POST', '/api/v1/connectors', {
    kind: 'manual',
    name: 'By hand',
    settings: { rewardKinds: ['cash'] },
    secrets: {},
    programIds: [program.id],
  });
  expect(manual.status).toBe(201);
  await convert(h, program.id, member.referralCode);
  const payout = await waitFor(
    async () => {
      const list = await h.call('GET', `/api/v1/payouts?memberId=${member.id}`);
      return list.body.data[0]?.status === 'sent' ? list.body.data[0] : undefined;
    },
    20_000,
    'the payout handed to people',
  );
  await waitFor(
    async () => (await h.client.workflow.getHandle(payoutWorkflowId(payout.id)).describe()).status.name === 'COMPLETED',
    10_000,
    'its workflow ended',
  );

  // As if the start of a send had been lost: the row says sending, quiet for a while, nothing runs it.
  await h.db.sql`update payouts set status = 'sending', updated_at = now() - interval '10 minutes' where id = ${payout.id}`;
  expect(await h.payoutWaker.restartOrphans()).toBe(1);
  await waitFor(async () => (await statusOf(payout.id)) === 'sent', 20_000, 'the payout sent again by a new run');
});
