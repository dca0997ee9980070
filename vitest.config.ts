import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 10_000,
    // A test that leaves a server, timer or connection open keeps its worker
    // alive; report which handles did it instead of hanging.
    reporters: process.env.CI ? ['default', 'hanging-process'] : ['default'],
  },
});
