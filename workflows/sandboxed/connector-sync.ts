import { condition, continueAsNew, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { SyncActivities } from '../activities/create-sync-activities.js';
import { connectorWakeSignal, type ConnectorSyncInput } from './connector-sync-signal.js';

const acts = proxyActivities<SyncActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '15s',
  // The activity classifies provider failures itself; these retries only cover crashes and DB blips.
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
});

// While idle, look again this often even without a wake signal (a lost signal costs at most this).
const IDLE_RECHECK_MS = 30_000;
// Histories written before the ledger showed the next attempt's time replay without that call.
const LEDGER_NEXT_ATTEMPT = 'ledger-next-attempt';

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString(); // workflow time: deterministic

/**
 * One per connector (id `connector-sync:<connectorId>`): pushes the event log to the connector
 * from its cursor. Honours the provider's Retry-After, backs off with jitter on transient
 * failures, waits for a configuration change after auth/permanent failures, and disables the
 * connector after sustained failure.
 */
export async function connectorSync(input: ConnectorSyncInput): Promise<void> {
  let woken = false;
  let reconfigured = false;
  setHandler(connectorWakeSignal, (reason) => {
    woken = true;
    if (reason !== 'events') reconfigured = true;
  });
  let failures = 0;

  for (;;) {
    woken = false;
    reconfigured = false;
    const result = await acts.syncConnectorBatch({ connectorId: input.connectorId });
    if (result.state === 'gone') return;

    if (result.state === 'more') {
      failures = 0;
    } else if (result.state === 'rate_limited') {
      // Not a failure: the provider told us when to come back; no request before that.
      const wait = result.retryAfterMs ?? 1000;
      if (patched(LEDGER_NEXT_ATTEMPT)) await acts.noteNextAttempt({ connectorId: input.connectorId, nextAttemptAt: inMs(wait) });
      await sleep(wait);
    } else if (result.state === 'transient' || result.state === 'failing') {
      failures++;
      if (failures >= input.disableAfter) {
        await acts.disableConnector({
          connectorId: input.connectorId,
          reason: `disabled after ${failures} failed attempts: ${result.message}`,
        });
        failures = 0;
        await condition(() => woken);
        continue;
      }
      const base = input.backoffMs[Math.min(failures - 1, input.backoffMs.length - 1)] ?? 1000;
      const jittered = base * (0.8 + Math.random() * 0.4); // deterministic in workflows (seeded)
      if (result.state === 'transient')
        await acts.noteTransientFailure({ connectorId: input.connectorId, message: result.message, nextAttemptAt: inMs(jittered) });
      else if (patched(LEDGER_NEXT_ATTEMPT)) await acts.noteNextAttempt({ connectorId: input.connectorId, nextAttemptAt: inMs(jittered) });
      // A configuration change (or a retry asked for) tries again at once; new events do not cut
      // the backoff short, or a busy log would hammer a failing endpoint and disable it in seconds.
      await condition(() => reconfigured, jittered);
    } else {
      failures = 0;
      if (result.state === 'disabled') await condition(() => woken);
      else if (!woken) await condition(() => woken, IDLE_RECHECK_MS);
    }

    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof connectorSync>(input);
  }
}
