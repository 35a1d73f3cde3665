import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Guest builds and native compiles are CPU-bound; two cores.
    maxWorkers: 2,
  },
});
