import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The workspace's calsync-client from its TypeScript sources (its `calsync-source` export), not
  // the dist/ it publishes; then Vite's own default conditions for Node.
  ssr: { resolve: { conditions: ['calsync-source', 'module', 'node', 'development|production'] } },
  test: {
    // Forked processes, not worker threads: Temporal's native bridge crashes in threads.
    pool: 'forks',
    // Two cores: two test files at a time keeps the dev server and workers responsive.
    maxWorkers: 2,
    // The Temporal worker loads the failure converter with Node's own require (by path): tsx's
    // hook lets that require TypeScript sources, as under `npm start`.
    execArgv: ['--require', 'tsx/cjs'],
    testTimeout: 60_000,
    // `npm test` passes --coverage: V8's own counters, for the service (`src`) only; the emulators
    // (packages/calendar-emulators) and tools/ are test equipment.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The include pattern also matches the emulators' own src/ folder. The workflows' input
      // validators are generated (npm run generate:validators), checked by drift and parity tests.
      exclude: ['packages/**', 'src/workflows/generated/**'],
      reporter: [['text', { skipFull: true }], 'text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
    },
    hookTimeout: 600_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'packages/client/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'emulators', include: ['packages/calendar-emulators/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'node_modules/**'],
          // One Temporal dev server and one fresh database for the whole run.
          globalSetup: ['test/setup/global-setup.ts'],
          // Answers from the service under test are checked against its OpenAPI document.
          setupFiles: ['test/setup/validate-responses.ts'],
          // End-to-end tests wait on workflows, timers and emulators: room for several waits of
          // `eventually`'s default deadline on a loaded machine.
          testTimeout: 180_000,
        },
      },
    ],
  },
});
