import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Only tests/store.contract.test.ts (with tests/store-contract/*) talks to the Mongo lane, over one connection
    // (jongodb is unsafe under concurrent connections), so files may run in parallel.
    fileParallelism: true,
  },
});
