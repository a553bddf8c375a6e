import { defineConfig } from 'vitest/config';

// Two cores here and in CI: two forked workers, and generous timeouts for the tests that
// start real servers (simulator, local runtime, dynalite, Python SDK clients).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
