import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { runHub } from './run-hub.js';

// `npm run hub`: the HTTP edge for production (scale by running more of them).
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS || !config.HUB_SECRET_KEY) {
  logger.fatal(
    'DATABASE_URL, TEMPORAL_ADDRESS and HUB_SECRET_KEY (the same on every hub and worker) are required for `npm run hub` (use `npm start` for the all-in-one embedded setup)',
  );
  process.exit(1);
}
const hub = await runHub(
  { ...config, DATABASE_URL: config.DATABASE_URL, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS, HUB_SECRET_KEY: config.HUB_SECRET_KEY },
  logger,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void hub.stop().then(() => process.exit(0));
  });
}
