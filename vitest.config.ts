import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // the Citus suite compiles Citus on first use: `npm run test:citus`, run by .ci/run after this one
    exclude: [...configDefaults.exclude, 'tests/citus/**'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Database tests start real servers and builds; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
  },
});
