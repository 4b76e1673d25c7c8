import { findTemporalCli } from './find-temporal-cli.js';
import { loadTemporalSettings } from './temporal-settings.js';

// `npx tsx lib/ensure-temporal-cli.ts`: find or build the pinned Temporal CLI and print its path.
console.log(await findTemporalCli(loadTemporalSettings()));
