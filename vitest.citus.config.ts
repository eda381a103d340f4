import { defineConfig } from 'vitest/config';

// `npm run test:citus`: the project built on a local three-node Citus cluster against a plain
// PostgreSQL build of the same data. Apart from `npm test` because the first run on a machine
// compiles Citus (minutes); later runs reuse the compiled extension.
export default defineConfig({
  test: {
    include: ['tests/citus/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1 } },
  },
});
