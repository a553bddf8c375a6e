import { defineConfig } from 'vitest/config';

// Two cores here and in CI: two forked workers, and generous timeouts for the tests that
// start real servers (simulator, local runtime, dynalite, Python SDK clients).
//
// Two projects: every suite in the default compute mode (Function URLs, one handler per
// endpoint behind the local Function URL runtime), and the integration suites again with the
// same handlers behind the Web Functions edge (one Node server, EZYBUS_TEST_MODE=web; see
// test/helpers/stack.ts). The CLI, KMS and health-clock suites start no gateway server, so
// the mode changes nothing in them and they run once. test/web holds what only the Web
// Functions mode has.
//
// Coverage (`npm test` runs with --coverage): V8's own counters over what Lambda loads
// (functions/), the local runtime and simulator (local/) and the CLI (bin/). Code that runs in a
// child process (a second gateway, the CLI as a subprocess) is not counted, so the figures are a
// floor. The thresholds sit just under what the suite reached when they were set; new code must
// come with tests to keep them.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'furl', include: ['test/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'web',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/{cli,kms,health-clock}.test.ts'],
          env: { EZYBUS_TEST_MODE: 'web' },
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['functions/**/*.ts', 'local/**/*.ts', 'bin/**/*.ts'],
      exclude: ['**/*.d.ts'],
      reporter: ['text-summary', 'text', 'json-summary'],
      reportsDirectory: 'coverage',
      // Reached on 2026-12-01: statements 76.1 %, branches 67.5 %, functions 75.5 %, lines 80.6 %.
      thresholds: { statements: 75, branches: 66, functions: 74, lines: 79 },
    },
  },
});
