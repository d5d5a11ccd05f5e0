import { defineConfig } from 'vitest/config';

// Every file starts its own gateway process and real clients; the machine has 2 cores, so files
// run one at a time and the limits are generous.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
