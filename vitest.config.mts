import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests are the demo: the development key and the simulators' values are allowed. Child
    // processes the tests spawn inherit it; test/security sets production where it means to.
    env: { RENEWALS_ENV: 'demo' },
    // Temporal workers need real processes, not worker threads (wasm memory, native bridge).
    pool: 'forks',
    // Server-backed files share one PostgreSQL and start their own Temporal servers: one file at a time.
    fileParallelism: false,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/require-typescript.ts', 'test/support/quiet-runtime.ts'],
    // The first run on a fresh machine builds the Temporal CLI and resolves the test server from Maven.
    hookTimeout: 180_000,
    testTimeout: 120_000,
  },
});
