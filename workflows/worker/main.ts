import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { runWorker } from './run-worker.js';

// `npm run worker`: a worker process for production (scale by running more of them).
const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS || !config.HUB_SECRET_KEY) {
  logger.fatal(
    'DATABASE_URL, TEMPORAL_ADDRESS and HUB_SECRET_KEY (the same on every hub and worker) are required for `npm run worker` (use `npm start` for the all-in-one embedded setup)',
  );
  process.exit(1);
}
const worker = await runWorker(
  { ...config, DATABASE_URL: config.DATABASE_URL, TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS, HUB_SECRET_KEY: config.HUB_SECRET_KEY },
  logger,
);
await worker.running;
