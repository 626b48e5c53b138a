import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Contract runs against a real Azure account (`*.account-test.ts`) join only when one is named.
    include: process.env['KNOWLEDGE_TEST_COSMOS_ENDPOINT'] ? ['test/**/*.test.ts', 'test/**/*.account-test.ts'] : ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
