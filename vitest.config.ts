import { defineConfig } from 'vitest/config';

// Two cores here and in CI: two forked workers, and generous timeouts for the tests that
// start real servers (simulator, local runtime, dynalite, Python SDK clients).
//
// Two projects: every suite in the default compute mode (Function URLs, one handler per
// endpoint behind the local Function URL runtime), and the integration suites again with the
// same handlers behind the Web Functions edge (one Node server, EZYBUS_TEST_MODE=web; see
// test/helpers/stack.ts). test/web holds what only the Web Functions mode has.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'furl', include: ['test/**/*.test.ts'] } },
      { extends: true, test: { name: 'web', include: ['test/integration/**/*.test.ts'], env: { EZYBUS_TEST_MODE: 'web' } } },
    ],
  },
});
