import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // jongodb is unsafe under concurrent connections: one worker at a time talks to it.
    fileParallelism: true,
  },
});
