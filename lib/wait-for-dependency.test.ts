import { expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { waitForDependency } from './wait-for-dependency.js';

const logger = createLogger('silent');
const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
const badPassword = Object.assign(new Error('password authentication failed'), { code: '28P01' });
const transient = (err: unknown) => (err as { code?: string }).code === '57P03';

it('retries while the dependency is starting, then returns what the attempt returned', async () => {
  let calls = 0;
  const result = await waitForDependency(
    'db',
    async () => {
      if (++calls < 4) throw starting;
      return 'ready';
    },
    { deadlineMs: 5000, logger, isTransient: transient, backoffMs: [10] },
  );
  expect(result).toBe('ready');
  expect(calls).toBe(4);
});

it('throws a failure waiting will not cure at once', async () => {
  let calls = 0;
  const attempt = () => {
    calls++;
    return Promise.reject(badPassword);
  };
  await expect(waitForDependency('db', attempt, { deadlineMs: 5000, logger, isTransient: transient, backoffMs: [10] })).rejects.toBe(
    badPassword,
  );
  expect(calls).toBe(1);
});

it('gives up with the last error when the deadline comes', async () => {
  const started = Date.now();
  let calls = 0;
  const attempt = () => {
    calls++;
    return Promise.reject(starting);
  };
  await expect(waitForDependency('db', attempt, { deadlineMs: 300, logger, isTransient: transient, backoffMs: [50] })).rejects.toBe(
    starting,
  );
  expect(Date.now() - started).toBeLessThan(1000);
  expect(calls).toBeGreaterThanOrEqual(4);
});
