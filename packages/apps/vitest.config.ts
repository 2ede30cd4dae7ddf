import { defineProject } from 'vitest/config';

export default defineProject({
  ssr: { resolve: { conditions: ['@dios/source'] } },
  test: {
    name: 'apps',
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
