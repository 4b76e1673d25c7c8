// The bare-Temporal baseline for `npm run bench -- lifecycle`: the least a Temporal application
// does per conversion (a signal-with-start, one activity writing one row, done). Bundled on its
// own by the baseline worker; imports nothing but the workflow SDK.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BaselineActivities {
  insertConversion(conversionId: string): Promise<void>;
}

export const baselineConversionSignal = defineSignal<[{ conversionId: string }]>('conversion');

const acts = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function baselineConversion(): Promise<void> {
  const received: string[] = [];
  setHandler(baselineConversionSignal, (s) => {
    received.push(s.conversionId);
  });
  await condition(() => received.length > 0);
  await acts.insertConversion(received[0]!);
}
