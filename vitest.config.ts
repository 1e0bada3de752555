import { defineConfig } from 'vitest/config';

/**
 * The tests that start real server processes (a restart, `kill -9` during a burst, two processes
 * on one PostgreSQL, the demo district's first start, backup and restore): each costs a minute of
 * CPU with its child processes. They run as their own project, `npm run test:processes`, which CI
 * runs beside `npm test` (on PGlite and on PostgreSQL) so that `npm test` stays within the
 * 12 minutes a developer can run often (decision 40).
 */
const PROCESS_TESTS = [
  'test/process.test.ts',
  'test/crash-reports.test.ts',
  'test/jobs-processes.test.ts',
  'test/demo-history.test.ts',
  'src/core/backup/backup.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          // Projects with different worker caps must run in separate groups.
          sequence: { groupOrder: 1 },
          root: 'apps/server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: PROCESS_TESTS,
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
          // Each test file opens its own copy of the migrated database (~100 MB RSS on PGlite).
          maxWorkers: 2,
          // A worker imports the server once for all the files it runs, not once per file: that
          // import was half the suite's CPU (decision 46). Files share module state, so anything
          // cached in a module is kept per database handle, never per id alone.
          isolate: false,
        },
      },
      {
        test: {
          name: 'processes',
          sequence: { groupOrder: 3 },
          root: 'apps/server',
          include: PROCESS_TESTS,
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'packages',
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          root: 'e2e',
          include: ['**/*.e2e.ts'],
          // Seeds one data dir per run that every startServer() copies (LINLI_E2E_FRESH=1: fresh each).
          globalSetup: ['global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // A browser waits for what the page shows; 1 s (vitest's default) is too tight for a
          // server and a browser sharing two cores with another file's pair.
          expect: { poll: { timeout: 10_000 } },
          pool: 'forks',
          // Two files at a time, each with its own server (port, copy of the data dir) and browser:
          // a browser test spends much of its time waiting (page loads, settling, a code's cool-down),
          // which the other file fills. Measured in docs/decisions.md (decision 40).
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
