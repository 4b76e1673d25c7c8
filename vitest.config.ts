import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', '.data/**'],
    // One Temporal dev server, template database and workflow bundle for the whole run.
    globalSetup: ['./test/global-setup.ts'],
    // The Temporal worker's native runtime wants a process of its own, not a thread.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
