import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run histories:record`: only the recorder, with the suite's Temporal dev server and database template. */
export default defineConfig({ test: { ...base.test, include: ['test/histories/record-histories.record.ts'] } });
