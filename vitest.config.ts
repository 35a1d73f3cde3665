import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Guest builds and native compiles are CPU-bound; two cores.
    maxWorkers: 2,
    // `rvr run guest.elf` and loadProgram use the artifact cache: keep the tests' out of ~/.cache.
    env: { RVR_CACHE_DIR: fileURLToPath(new URL('./test/.work/cache', import.meta.url)) },
  },
});
